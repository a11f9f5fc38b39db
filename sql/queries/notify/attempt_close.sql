-- notify/attempt_close - an attempt's outcome.
-- $1 project id
-- $2 attempt id
-- $3 HTTP status (0: none)
-- $4 error (NULL: delivered)
-- $5 duration, milliseconds
-- columns: none
UPDATE midwatch.outbound_attempts
  SET http_status = nullif($3::integer, 0), error = $4,
      duration_ms = $5::integer, finished_at = now()
WHERE project_id = $1 AND id = $2
