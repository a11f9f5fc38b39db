-- tests/eval/report.sql - the tables of `make eval` from the per-scenario
-- results eval.sh collected (TSV lines written by score.sql and eval.sh).
-- Prints the summary on stdout and writes the per-scenario, per-fault and
-- false-incident tables to files in :outdir.
--
-- Variables: scenfile, faultsfile, falsesfile, invfile (TSV), outdir, wall
-- (seconds the whole evaluation took), jobs (scenarios processed at once).
--
-- Rates are shares of faults: detected = an approved incident overlaps the
-- fault; top-1 / top-3 = an accepted diagnosis ranks 1 / in the top 3 of the
-- incident covering it (undetected faults count as misses); "top-1 of
-- detected" divides by the detected faults only.  False incidents per
-- scenario: approved incidents that overlap no fault, averaged over the
-- scenarios (per kind: over the scenarios holding a fault of that kind).
-- Alert noise: alerts per fault and pages per fault (trigger notifications
-- queued or sent, not those held as an incident group's symptoms) over all
-- scenarios, and the pages there would be without groups (every trigger
-- queued, held or not: what midwatch sent before alert groups).
\set ON_ERROR_STOP 1
\set scen_text `cat :'scenfile'`
\set faults_text `cat :'faultsfile'`
\set falses_text `cat :'falsesfile'`
\set inv_text `cat :'invfile'`

CREATE TEMP TABLE scen AS
SELECT a[1]::int AS seed, a[2]::int AS services, a[3]::int AS minutes,
    a[4]::bigint AS lines, a[5]::int AS faults, a[6]::int AS falses,
    a[7]::int AS gen_rc, a[8]::int AS ingest_rc, a[9]::int AS rejected,
    a[10]::int AS run_rc, a[11]::int AS status_rc, a[12]::int AS inc_rc,
    a[13]::int AS score_rc, a[14]::int AS skipped, a[15]::numeric AS gen_s,
    a[16]::numeric AS ingest_s, a[17]::numeric AS run_s,
    a[18]::numeric AS total_s,
    -- -1: not counted (the query failed)
    coalesce(nullif(a[19], '')::int, -1) AS alerts,
    coalesce(nullif(a[20], '')::int, -1) AS pages,
    coalesce(nullif(a[21], '')::int, -1) AS ungrouped
FROM regexp_split_to_table(:'scen_text', E'\n') l,
    string_to_array(l, E'\t') a
WHERE l <> '';

CREATE TEMP TABLE flt AS
SELECT a[1]::int AS seed, a[2] AS id, a[3] AS kind, a[4] AS cause,
    a[5] AS root, a[6]::int AS step, a[7]::int AS incidents,
    a[8]::int AS detected, a[9]::int AS top1, a[10]::int AS top3,
    a[11]::int AS rank, a[12]::bigint AS inc_id, a[13]::int AS lag,
    a[14] AS rank1, a[15] AS pattern
FROM regexp_split_to_table(:'faults_text', E'\n') l,
    string_to_array(l, E'\t') a
WHERE l <> '';

CREATE TEMP TABLE fls AS
SELECT a[1]::int AS seed, a[2]::bigint AS inc_id, a[3] AS service,
    a[4] AS trigger_type, a[5] AS start, a[6]::int AS minutes, a[7] AS rank1,
    a[8] AS confounder
FROM regexp_split_to_table(:'falses_text', E'\n') l,
    string_to_array(l, E'\t') a
WHERE l <> '';

-- `midwatch investigate --at <true onset>` per fault (score_investigate.sql):
-- mode after (the pipeline ran first) or alone (it never ran).
CREATE TEMP TABLE inv AS
SELECT a[1]::int AS seed, a[2] AS mode, a[3] AS id, a[4] AS kind,
    a[5] AS cause, a[6] AS root, a[7]::int AS rc, a[8]::int AS answered,
    a[9]::int AS reused, a[10]::int AS top1, a[11]::int AS top3,
    a[12]::int AS rank, a[13]::numeric AS seconds, a[14] AS rank1
FROM regexp_split_to_table(:'inv_text', E'\n') l,
    string_to_array(l, E'\t') a
WHERE l <> '';

CREATE TEMP VIEW per_kind AS
SELECT k.kind, count(*) AS faults,
    count(DISTINCT k.seed) AS scenarios,
    round(100.0 * avg(k.detected), 1) AS detected_pct,
    round(100.0 * avg(k.top1), 1) AS top1_pct,
    round(100.0 * avg(k.top3), 1) AS top3_pct,
    round(100.0 * sum(k.top1) / nullif(sum(k.detected), 0), 1) AS top1_of_detected_pct,
    (SELECT round(avg(s.falses), 2) FROM scen s
        WHERE s.seed IN (SELECT seed FROM flt x WHERE x.kind = k.kind)) AS false_per_scen
FROM flt k GROUP BY k.kind;

\pset footer off
\echo '== midwatch eval: independent scenarios (tests/eval/scengen.c) =='
SELECT count(*) AS scenarios, sum(faults) AS faults,
    min(services) || '-' || max(services) AS services,
    min(minutes / 60) || '-' || max(minutes / 60) || ' h' AS data,
    round(avg(lines)) AS avg_lines,
    :'wall' || ' s' AS wall_time, :'jobs' AS jobs,
    round(avg(total_s), 1) AS avg_s_per_scenario,
    round(avg(ingest_s), 1) AS avg_ingest_s, round(avg(run_s), 1) AS avg_run_s
FROM scen;

\echo ''
\echo '-- detection and diagnosis (rates in % of faults) --'
SELECT kind, faults, scenarios, detected_pct AS "detected %",
    top1_pct AS "top-1 %", top3_pct AS "top-3 %",
    top1_of_detected_pct AS "top-1 of detected %",
    false_per_scen AS "false inc/scenario"
FROM (
    SELECT * FROM per_kind
    UNION ALL
    SELECT 'ALL', count(*), count(DISTINCT seed),
        round(100.0 * avg(detected), 1), round(100.0 * avg(top1), 1),
        round(100.0 * avg(top3), 1),
        round(100.0 * sum(top1) / nullif(sum(detected), 0), 1),
        (SELECT round(avg(falses), 2) FROM scen)
    FROM flt) t
ORDER BY kind = 'ALL', kind;

\echo ''
\echo '-- alert noise: alerts and pages (notifications not held as symptoms of a group) per fault --'
SELECT sum(faults) AS faults, sum(alerts) AS alerts, sum(pages) AS pages,
    round(sum(alerts)::numeric / nullif(sum(faults), 0), 2) AS "alerts per fault",
    round(sum(pages)::numeric / nullif(sum(faults), 0), 2) AS "pages per fault",
    max(pages - faults) AS "worst scenario: pages over faults",
    count(*) FILTER (WHERE alerts < 0 OR pages < 0) AS "not counted",
    round(sum(ungrouped)::numeric / nullif(sum(faults), 0), 2)
        AS "pages per fault without groups"
FROM scen;

\echo ''
\echo '-- investigate: `midwatch investigate --at <true onset>` per fault (% of faults) --'
\echo '-- after: once the pipeline ran (a covering incident is returned as it is);'
\echo '-- alone: in a copy of the database the pipeline never ran on --'
SELECT k.kind, count(*) AS faults,
    round(100.0 * avg(k.top1), 1) AS "pipeline top-1 %",
    round(100.0 * avg(a.top1), 1) AS "after top-1 %",
    round(100.0 * avg(a.top3), 1) AS "after top-3 %",
    round(100.0 * avg(a.reused), 1) AS "after: existing %",
    round(100.0 * avg(z.top1), 1) AS "alone top-1 %",
    round(100.0 * avg(z.top3), 1) AS "alone top-3 %",
    count(*) FILTER (WHERE a.answered = 0 OR z.answered = 0) AS "no answer",
    round(avg(z.seconds), 1) AS "alone s"
FROM (SELECT kind, seed, id, top1 FROM flt
      UNION ALL SELECT 'ALL', seed, id, top1 FROM flt) k
JOIN inv a ON a.seed = k.seed AND a.id = k.id AND a.mode = 'after'
JOIN inv z ON z.seed = k.seed AND z.id = k.id AND z.mode = 'alone'
GROUP BY k.kind ORDER BY k.kind = 'ALL', k.kind;

\echo ''
\echo '-- by the root service''s scrape step --'
SELECT step || ' s' AS step, count(*) AS faults,
    round(100.0 * avg(detected), 1) AS "detected %",
    round(100.0 * avg(top1), 1) AS "top-1 %"
FROM flt GROUP BY step ORDER BY step;

\echo ''
\echo '-- short faults by cause --'
SELECT cause, count(*) AS faults, round(100.0 * avg(detected), 1) AS "detected %",
    round(100.0 * avg(top1), 1) AS "top-1 %"
FROM flt WHERE kind = 'short' GROUP BY cause ORDER BY cause;

\echo ''
\echo '-- pipeline health (counted, never hidden) --'
SELECT count(*) FILTER (WHERE gen_rc <> 0) AS "generator failed",
    count(*) FILTER (WHERE ingest_rc <> 0) AS "ingest exit<>0",
    sum(rejected) AS "lines rejected",
    count(*) FILTER (WHERE run_rc <> 0) AS "run exit<>0",
    count(*) FILTER (WHERE status_rc = 1) AS "status degraded",
    count(*) FILTER (WHERE status_rc >= 2) AS "status failing/unknown",
    sum(skipped) AS "units skipped",
    count(*) FILTER (WHERE inc_rc <> 0) AS "incidents exit<>0",
    count(*) FILTER (WHERE score_rc <> 0) AS "scoring failed"
FROM scen;

\echo ''
\echo '-- why faults were missed at rank 1 (seeds are examples) --'
SELECT pattern, count(*) AS faults,
    string_agg(DISTINCT kind, ',') AS kinds,
    (array_agg(seed || ':' || id ORDER BY seed, id))[1:4] AS examples
FROM flt WHERE pattern <> 'ok'
GROUP BY pattern ORDER BY count(*) DESC, pattern;

\echo ''
\echo '-- false incidents: the confounder on their service at the time --'
SELECT confounder, count(*) AS incidents,
    (array_agg(seed || ':' || service ORDER BY seed, inc_id))[1:4] AS examples
FROM fls GROUP BY confounder ORDER BY count(*) DESC;

\echo ''
\echo '-- incident start vs. fault onset (covering incidents) --'
SELECT CASE WHEN lag < -10 THEN 'more than 10 min early'
    WHEN lag < -2 THEN '3-10 min early' WHEN lag <= 2 THEN 'within 2 min'
    WHEN lag <= 10 THEN '3-10 min late' ELSE 'more than 10 min late' END AS start,
    count(*) AS faults, round(100.0 * avg(top1), 1) AS "top-1 %"
FROM flt WHERE detected = 1 GROUP BY 1 ORDER BY min(lag);

-- The files.
\pset format aligned
\o :outdir/scenarios.txt
SELECT seed, services, minutes, lines, faults,
    (SELECT sum(detected) FROM flt WHERE flt.seed = s.seed) AS detected,
    (SELECT sum(top1) FROM flt WHERE flt.seed = s.seed) AS top1,
    (SELECT sum(top3) FROM flt WHERE flt.seed = s.seed) AS top3,
    falses AS false_inc, gen_rc, ingest_rc, rejected, run_rc, status_rc,
    inc_rc, skipped, ingest_s, run_s, total_s,
    (SELECT string_agg(kind || CASE WHEN kind = 'short' THEN '/' || cause ELSE '' END, ',' ORDER BY id)
        FROM flt WHERE flt.seed = s.seed) AS kinds,
    ungrouped AS pages_without_groups, alerts, pages
FROM scen s ORDER BY seed;
\o :outdir/faults.txt
SELECT seed, id, kind, cause, root, step, incidents, detected, top1, top3,
    rank AS truth_rank, lag AS start_lag_min, rank1, pattern
FROM flt ORDER BY seed, id;
\o :outdir/false-incidents.txt
SELECT * FROM fls ORDER BY seed, inc_id;
\o :outdir/investigate.txt
SELECT seed, id, kind, cause, root, mode, rc, answered, reused, top1, top3,
    rank AS truth_rank, seconds, rank1
FROM inv ORDER BY seed, id, mode;
\o
