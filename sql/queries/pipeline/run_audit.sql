-- pipeline/run_audit - the audit entry of a run's end.
-- $1 project id
-- $2 run id
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action, target,
details) SELECT project_id, requested_by, CASE kind WHEN
'investigate' THEN 'investigate.' ELSE 'pipeline.' END || status,
'pipeline_run:' || id, jsonb_build_object('window_start', window_start,
'window_end', window_end, 'error', error)
FROM midwatch.pipeline_runs WHERE project_id = $1 AND id = $2
