-- cli/act_run - the action run recorded under an idempotency key.
-- $1 project id
-- $2 idempotency key
-- columns: id
SELECT id FROM midwatch.recommendation_action_runs
WHERE project_id = $1 AND idempotency_key = $2
