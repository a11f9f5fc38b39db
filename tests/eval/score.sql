-- tests/eval/score.sql - scores one scenario of `make eval` (eval.sh runs it
-- with psql in the scenario's database; nothing here reads midwatch's
-- tables: the pipeline's answer is the output of
-- `midwatch incidents --json --all`, the truth is scengen's file).
--
-- Variables: seed, truthfile (scengen --truth), incfile (incidents --json),
-- faultsout, falsesout (TSV files this script writes).
--
-- A fault's window is [onset - 10 min, end + 15 min] (detection lags and
-- the 15-minute restart sums trail; a leak's memory climbs before onset).
--   detected   an approved incident overlaps the window
--   covering   of those, the one whose start is nearest the onset (ties:
--              lowest id) -- the incident an on-call engineer opens for it
--   top-1/3    an accepted diagnosis (type, service, and ref when the truth
--              names one) is among the covering incident's hypotheses of
--              rank 1 / rank <= 3
--   false      an approved incident overlapping no fault's window
\set ON_ERROR_STOP 1
\set truth `cat :'truthfile'`
\set inc `cat :'incfile'`

CREATE TEMP TABLE f AS
SELECT x->>'id' AS id, x->>'kind' AS kind, x->>'cause' AS cause,
    x->>'root_service' AS root, (x->>'step')::int AS step,
    (x->>'onset')::timestamptz AS onset, (x->>'end')::timestamptz AS fend,
    (x->>'onset')::timestamptz - interval '10 minutes' AS lo,
    (x->>'end')::timestamptz + interval '15 minutes' AS hi,
    x->'accept' AS accept, x->'accept'->0->>'type' AS want_type
FROM jsonb_array_elements((:'truth')::jsonb->'faults') x;

CREATE TEMP TABLE ch AS
SELECT x->>'kind' AS kind, x->>'id' AS id, x->>'role' AS role,
    x->>'service' AS service
FROM jsonb_array_elements((:'truth')::jsonb->'changes') x;

CREATE TEMP TABLE cf AS
SELECT x->>'what' AS what, x->>'service' AS service,
    (x->>'from')::timestamptz AS lo, (x->>'to')::timestamptz AS hi
FROM jsonb_array_elements((:'truth')::jsonb->'confounders') x;

CREATE TEMP TABLE inc AS
SELECT (i->>'id')::bigint AS id, i->>'service' AS service,
    i->>'trigger_type' AS trigger_type,
    (i->>'window_start')::timestamptz AS ws,
    coalesce((i->>'window_end')::timestamptz,
        (i->>'window_start')::timestamptz) AS we,
    coalesce(i->'hypotheses', '[]') AS hyps
FROM jsonb_array_elements((:'inc')::jsonb) i
WHERE i->'decision'->>'decision' = 'approved';

CREATE TEMP TABLE hyp AS
SELECT inc.id AS inc_id, (h->>'rank')::int AS rank, h->>'type' AS type,
    h->>'service' AS service, h->>'ref' AS ref
FROM inc, jsonb_array_elements(inc.hyps) h;

CREATE TEMP TABLE cov AS
SELECT DISTINCT ON (f.id) f.id, inc.id AS inc_id, inc.ws
FROM f JOIN inc ON inc.ws <= f.hi AND inc.we >= f.lo
ORDER BY f.id, abs(extract(epoch FROM inc.ws - f.onset)), inc.id;

-- The best rank at which an accepted diagnosis appears.
CREATE TEMP TABLE best AS
SELECT cov.id, min(h.rank) AS rank
FROM cov JOIN f ON f.id = cov.id JOIN hyp h ON h.inc_id = cov.inc_id
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(f.accept) a
    WHERE a->>'type' = h.type AND a->>'service' = h.service
    AND (a->>'ref' IS NULL OR a->>'ref' = h.ref))
GROUP BY cov.id;

CREATE TEMP TABLE r1 AS
SELECT cov.id, h.type, h.service, h.ref,
    -- (a config change sent without an id has the ingest's cc-<hash>:
    -- matched by service)
    c.role, c.service AS ch_service
FROM cov JOIN hyp h ON h.inc_id = cov.inc_id AND h.rank = 1
LEFT JOIN LATERAL (SELECT ch.role, ch.service FROM ch
    WHERE ch.id = h.ref OR (h.type = 'config' AND ch.kind = 'config_change'
        AND ch.id = '' AND h.ref LIKE 'cc-%' AND ch.service = h.service)
    ORDER BY ch.id = h.ref DESC LIMIT 1) c ON true;

-- One line per fault:
-- seed id kind cause root step incidents detected top1 top3 rank inc_id
-- start_lag_min rank1 pattern
\pset format unaligned
\pset fieldsep '\t'
\pset tuples_only on
\o :faultsout
SELECT :seed, f.id, f.kind, f.cause, f.root, f.step,
    (SELECT count(*) FROM inc WHERE inc.ws <= f.hi AND inc.we >= f.lo),
    (cov.id IS NOT NULL)::int,
    (coalesce(best.rank, 99) = 1)::int,
    (coalesce(best.rank, 99) <= 3)::int,
    coalesce(best.rank, 0),
    coalesce(cov.inc_id, 0),
    coalesce(round(extract(epoch FROM cov.ws - f.onset) / 60)::int, 0),
    coalesce(r1.type || '/' || r1.service || '/' || coalesce(r1.ref, ''), '-'),
    CASE
    WHEN cov.id IS NULL THEN 'not detected'
    WHEN best.rank = 1 THEN 'ok'
    WHEN r1.id IS NULL THEN 'no hypotheses'
    WHEN r1.type IN ('release', 'config') AND r1.ref IS NULL
        THEN 'rank-1 is a release with no deploy found'
    WHEN r1.role = 'fault' THEN 'rank-1 is the change of another fault'
    WHEN r1.role = 'decoy' AND r1.ch_service = f.root
        THEN 'rank-1 is a harmless change on the root'
    WHEN r1.role = 'decoy' THEN 'rank-1 is a decoy change on a neighbour'
    WHEN r1.role = 'revert' THEN 'rank-1 is a rollback/revert of a fault'
    WHEN r1.role = 'background' THEN 'rank-1 is a background change'
    WHEN r1.type IN ('release', 'config') THEN 'rank-1 is another change'
    WHEN r1.type = f.want_type THEN 'right type (' || r1.type || '), wrong service'
    WHEN r1.service = f.root THEN 'right service, wrong type (' || r1.type || ')'
    WHEN r1.type = 'unknown' THEN 'rank-1 unknown'
    ELSE 'rank-1 ' || r1.type || ' on another service'
    END
FROM f LEFT JOIN cov ON cov.id = f.id LEFT JOIN best ON best.id = f.id
    LEFT JOIN r1 ON r1.id = f.id
ORDER BY f.onset;
\o

-- One line per false incident: seed inc_id service trigger start rank1
-- explanation (a confounder on its service at that time, if any)
\o :falsesout
SELECT :seed, inc.id, inc.service, inc.trigger_type,
    to_char(inc.ws AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'),
    round(extract(epoch FROM inc.we - inc.ws) / 60)::int,
    coalesce((SELECT h.type || '/' || h.service || '/' || coalesce(h.ref, '')
        FROM hyp h WHERE h.inc_id = inc.id AND h.rank = 1), '-'),
    coalesce((SELECT string_agg(DISTINCT cf.what, ',') FROM cf
        WHERE cf.service = inc.service AND cf.lo <= inc.we + interval '10 minutes'
        AND cf.hi >= inc.ws - interval '10 minutes'), 'none')
FROM inc
WHERE NOT EXISTS (SELECT 1 FROM f WHERE inc.ws <= f.hi AND inc.we >= f.lo)
ORDER BY inc.ws;
\o
