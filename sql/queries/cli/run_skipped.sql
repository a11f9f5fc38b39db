-- cli/run_skipped - how many units a pipeline run skipped, and which (JSON
-- array text).
-- $1 project id
-- $2 run id
-- columns: skipped_units, skipped
SELECT skipped_units, (summary -> 'skipped')::text AS skipped
  FROM midwatch.pipeline_runs WHERE project_id = $1 AND id = $2
