-- model/snapshot_run - the last pipeline run and the database clock; with
-- $2 the status bar's counts ride along (the lists' snapshot; an initplan
-- under a false CASE is never run).
-- $1 project id
-- $2 whether to count (boolean)
-- columns: now, run_id, run_status, run_finished, open_total, active_total
SELECT extract(epoch FROM now()) AS now, p.id AS run_id,
       p.status AS run_status,
       extract(epoch FROM p.finished_at) AS run_finished,
       CASE WHEN $2::boolean THEN
           (SELECT count(*) FROM midwatch.incidents i
             WHERE i.project_id = $1 AND i.published
               AND i.status IN ('open', 'triaged')) END AS open_total,
       CASE WHEN $2::boolean THEN
           (SELECT count(*) FROM midwatch.alerts a
             WHERE a.project_id = $1 AND a.published
               AND a.status = 'active') END AS active_total
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT id, status, finished_at
                       FROM midwatch.pipeline_runs
                      WHERE project_id = $1 AND kind = 'pipeline'
                      ORDER BY id DESC LIMIT 1) p ON true
