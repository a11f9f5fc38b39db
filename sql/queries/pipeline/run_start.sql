-- pipeline/run_start - opens a pipeline run (pending).
-- $1 project id
-- $2 window start (RFC 3339)
-- $3 window end (RFC 3339)
-- $4 requested by
-- columns: id
INSERT INTO midwatch.pipeline_runs (project_id, status, window_start,
window_end, requested_by) VALUES ($1, 'pending', $2, $3, $4)
RETURNING id
