-- pipeline/run_audit_skipped - one audit entry per skipped unit.
-- $1 project id
-- $2 run id
-- $3 skipped units (JSON array)
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action, target,
details) SELECT $1, r.requested_by, 'pipeline.unit_skipped',
'pipeline_run:' || r.id, u FROM midwatch.pipeline_runs r,
jsonb_array_elements($3::jsonb) u WHERE r.project_id = $1
AND r.id = $2
