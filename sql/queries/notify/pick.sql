-- notify/pick - the next message to send, locked (one message per channel
-- and incident at a time, in order).  A message about an alert that is not
-- published waits: the run that raised it has not completed (or died), and
-- the console does not list the alert either (sql/015_run_output.sql).
-- $1 project id
-- $2 channels to skip (text[] literal)
-- columns: id, channel, event, incident_key, idempotency_key, attempts,
-- columns: fresh, body, status
SELECT m.id, m.channel, m.event, m.incident_key, m.idempotency_key,
      m.attempts, m.body IS NULL AS fresh, m.body::text AS body,
      m.status
 FROM midwatch.outbound_messages m
WHERE m.project_id = $1 AND m.group_leader_id IS NULL
  AND m.status IN ('pending', 'failed', 'sending')
  AND m.next_attempt_at <= now()
  AND NOT (m.channel = ANY ($2::text[]))
  AND NOT EXISTS (SELECT 1 FROM midwatch.outbound_messages o
       WHERE o.project_id = m.project_id AND o.channel = m.channel
         AND o.incident_key = m.incident_key AND o.id < m.id
         AND o.status IN ('pending', 'sending', 'failed'))
  AND NOT EXISTS (SELECT 1 FROM midwatch.alerts a
       WHERE a.project_id = m.project_id AND a.id = m.alert_id
         AND NOT a.published)
ORDER BY m.next_attempt_at, m.id
LIMIT 1 FOR UPDATE OF m SKIP LOCKED
