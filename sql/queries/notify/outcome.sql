-- notify/outcome - the message's (and its group's) state after an attempt:
-- sent, failed (tried again after a delay) or dead.
-- $1 project id
-- $2 message id
-- $3 new status (sent, failed, dead)
-- $4 error (NULL: delivered)
-- $5 delay before the next attempt, seconds
-- columns: none
UPDATE midwatch.outbound_messages SET status = $3, last_error = $4,
      sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END,
      next_attempt_at = CASE WHEN $3 = 'failed'
          THEN now() + make_interval(secs => $5::double precision)
          ELSE next_attempt_at END
WHERE project_id = $1 AND (id = $2 OR group_leader_id = $2)
