-- notify/claim - claims the picked message for one more attempt under a
-- lease.
-- $1 project id
-- $2 message id
-- $3 lease, seconds
-- $4 max attempts
-- columns: attempts
UPDATE midwatch.outbound_messages SET status = 'sending',
      attempts = attempts + 1, max_attempts = $4::integer,
      next_attempt_at = now() + make_interval(secs => $3::integer)
WHERE project_id = $1 AND id = $2 RETURNING attempts
