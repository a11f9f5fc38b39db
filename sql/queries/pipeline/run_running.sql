-- pipeline/run_running - marks a run running.
-- $1 project id
-- $2 run id
-- columns: none
UPDATE midwatch.pipeline_runs SET status = 'running',
started_at = now() WHERE project_id = $1 AND id = $2
