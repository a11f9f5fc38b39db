-- pipeline/run_investigated - adds the investigation of uncovered alerts to a
-- run's summary.
-- $1 project id
-- $2 run id
-- $3 alerts
-- $4 opened
-- columns: none
UPDATE midwatch.pipeline_runs
SET summary = summary || jsonb_build_object('investigate',
jsonb_build_object('alerts', $3::int, 'opened', $4::int))
WHERE project_id = $1 AND id = $2
