-- notify/act_owned - whether the run is still ours: a lapsed lease lets
-- another runner take it.
-- $1 project id
-- $2 run id
-- $3 the attempt number we claimed
-- columns: owned
SELECT status = 'running' AND attempts = $3::integer AS owned
 FROM midwatch.recommendation_action_runs
WHERE project_id = $1 AND id = $2 FOR UPDATE
