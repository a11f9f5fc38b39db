-- pipeline/run_stage - records the stage a run is in.
-- $1 project id
-- $2 stage
-- $3 run id
-- columns: none
UPDATE midwatch.pipeline_runs SET current_stage = $2
WHERE project_id = $1 AND id = $3
