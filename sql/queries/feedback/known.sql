-- feedback/known - the event recorded under an idempotency key, if any.
-- $1 project id
-- $2 idempotency key
-- columns: id
SELECT id FROM midwatch.feedback_events
WHERE project_id = $1 AND idempotency_key = $2
