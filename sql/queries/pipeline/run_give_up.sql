-- pipeline/run_give_up - gives up the window that the last $2 runs (all
-- failed, for reasons of the data) tried: a 'skipped' run (the gap, the runs
-- that failed, the last error) and its audit entry.  Failures that say nothing
-- about the window's data do not count: the database went away, the schema is
-- broken, the server ran out of something.
-- $1 project id
-- $2 tries
-- $3 requested by
-- columns: target
WITH last_ok AS (SELECT coalesce(max(id), 0) AS id
 FROM midwatch.pipeline_runs WHERE project_id = $1
 AND kind = 'pipeline' AND status IN ('completed', 'skipped')),
f AS (SELECT r.* FROM midwatch.pipeline_runs r, last_ok
 WHERE r.project_id = $1 AND r.kind = 'pipeline'
 AND r.id > last_ok.id AND r.status = 'failed'
 AND r.window_start IS NOT NULL AND r.window_end IS NOT NULL
 AND coalesce(r.error, '') !~ '(database connection lost|not connected to the database|SQLSTATE (08|42|3F|53|57|58))'),
g AS (SELECT min(window_start) AS s, max(window_end) AS e,
 count(*) AS n, jsonb_agg(id ORDER BY id) AS ids,
 (array_agg(error ORDER BY id DESC))[1] AS error FROM f
 HAVING count(*) >= $2::int),
ins AS (INSERT INTO midwatch.pipeline_runs (project_id, status,
 window_start, window_end, requested_by, started_at, finished_at,
 summary, error) SELECT $1, 'skipped', g.s, g.e, $3, now(), now(),
 jsonb_build_object('gap', jsonb_build_object('from', g.s, 'to', g.e,
  'failed_runs', g.ids, 'tries', g.n, 'last_error', g.error)),
 'window given up after ' || g.n || ' failed runs: ' || g.error
 FROM g RETURNING id, window_start, window_end, summary, error)
INSERT INTO midwatch.audit_entries (project_id, actor, action, target,
 details) SELECT $1, $3, 'pipeline.window_skipped',
 'pipeline_run:' || id, summary -> 'gap' FROM ins RETURNING target
