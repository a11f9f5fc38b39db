-- sources/silence_store - one silence's outcome: its state, the
-- Alertmanager's silence id, the error, and when to try again.
-- $1 project id
-- $2 silence row id
-- $3 state (active, expired, dead, or unchanged to retry)
-- $4 Alertmanager silence id (NULL keeps it)
-- $5 error (NULL: none)
-- $6 seconds until the next attempt
-- columns: none
UPDATE midwatch.alert_silences SET state = $3,
      silence_id = coalesce($4, silence_id), last_error = $5,
      attempts = attempts + 1,
      next_attempt_at = now() + make_interval(secs => $6::float8)
WHERE project_id = $1 AND id = $2::bigint
