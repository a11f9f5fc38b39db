-- notify/interrupted - closes the attempts a killed deliverer left open.
-- $1 project id
-- $2 message id
-- columns: none
UPDATE midwatch.outbound_attempts SET finished_at = now(),
      error = 'interrupted: midwatch stopped before the outcome was recorded'
WHERE project_id = $1 AND message_id = $2 AND finished_at IS NULL
