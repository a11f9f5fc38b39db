-- pipeline/stats_finish - ends a stats run (completed, or failed with the
-- error) with its audit entry ('stats.completed' or 'stats.failed').
-- $1 project id
-- $2 run id
-- $3 error (NULL: completed)
-- $4 summary (JSON text, or NULL to keep it)
-- columns: none
WITH u AS (UPDATE midwatch.pipeline_runs SET finished_at = now(),
 status = CASE WHEN $3::text IS NULL THEN 'completed' ELSE 'failed' END,
 error = $3, summary = coalesce($4::jsonb, summary)
 WHERE project_id = $1 AND id = $2
 AND (status IN ('pending', 'running') OR (status = 'failed'
  AND error LIKE 'abandoned:%'))
 RETURNING id, status, requested_by, window_start, window_end, summary,
 error)
INSERT INTO midwatch.audit_entries (project_id, actor, action, target,
 details) SELECT $1, requested_by, 'stats.' || status,
 'pipeline_run:' || id, jsonb_build_object('from', window_start,
 'to', window_end, 'error', error) || summary FROM u
