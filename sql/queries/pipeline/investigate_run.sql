-- pipeline/investigate_run - creates the pending run of an investigation.
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 requested by
-- columns: id
INSERT INTO midwatch.pipeline_runs (project_id, kind, status,
window_start, window_end, requested_by)
VALUES ($1, 'investigate', 'pending', $2, $3, $4) RETURNING id
