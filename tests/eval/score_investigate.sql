-- tests/eval/score_investigate.sql - scores the investigations of one
-- scenario of `make eval`: for every fault, eval.sh ran `midwatch
-- investigate --at <the fault's true onset> --json` (after the pipeline, or
-- alone in a copy of the database the pipeline never ran on) and collected
-- the answers in :invfile as [{fault, rc, reused, seconds, incident}].  As
-- score.sql does for the pipeline's covering incident: top-1 / top-3 = an
-- accepted diagnosis (type and service, and ref when the truth names one)
-- ranks 1 / <= 3 among the hypotheses of the incident investigate printed.
-- Nothing here reads midwatch's tables.
--
-- Variables: seed, mode (after|alone), truthfile, invfile, out (the TSV
-- file this script writes, one line per fault:
-- seed mode id kind cause root rc answered reused top1 top3 rank seconds
-- rank1).
\set ON_ERROR_STOP 1
\set truth `cat :'truthfile'`
\set inv `cat :'invfile'`

CREATE TEMP TABLE f AS
SELECT x->>'id' AS id, x->>'kind' AS kind, x->>'cause' AS cause,
    x->>'root_service' AS root, (x->>'onset')::timestamptz AS onset,
    x->'accept' AS accept
FROM jsonb_array_elements((:'truth')::jsonb->'faults') x;

CREATE TEMP TABLE iv AS
SELECT x->>'fault' AS id, (x->>'rc')::int AS rc,
    coalesce((x->>'reused')::boolean, false) AS reused,
    (x->>'seconds')::numeric AS seconds,
    CASE WHEN jsonb_typeof(x->'incident') = 'object' THEN x->'incident' END AS inc
FROM jsonb_array_elements(coalesce(nullif(:'inv', ''), '[]')::jsonb) x;

CREATE TEMP TABLE hyp AS
SELECT iv.id, (h->>'rank')::int AS rank, h->>'type' AS type,
    h->>'service' AS service, h->>'ref' AS ref
FROM iv, jsonb_array_elements(coalesce(iv.inc->'hypotheses', '[]')) h;

CREATE TEMP TABLE best AS
SELECT f.id, min(h.rank) AS rank
FROM f JOIN hyp h ON h.id = f.id
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(f.accept) a
    WHERE a->>'type' = h.type AND a->>'service' = h.service
    AND (a->>'ref' IS NULL OR a->>'ref' = h.ref))
GROUP BY f.id;

\pset format unaligned
\pset fieldsep '\t'
\pset tuples_only on
\o :out
SELECT :seed, :'mode', f.id, f.kind, f.cause, f.root,
    coalesce(iv.rc, -1),
    (iv.inc IS NOT NULL)::int,
    coalesce(iv.reused, false)::int,
    (coalesce(best.rank, 99) = 1)::int,
    (coalesce(best.rank, 99) <= 3)::int,
    coalesce(best.rank, 0),
    coalesce(iv.seconds, 0),
    coalesce((SELECT h.type || '/' || coalesce(h.service, '') || '/'
        || coalesce(h.ref, '') FROM hyp h WHERE h.id = f.id AND h.rank = 1), '-')
FROM f LEFT JOIN iv ON iv.id = f.id LEFT JOIN best ON best.id = f.id
ORDER BY f.onset;
\o
