-- notify/release - a trigger held for its group window is released when an
-- acknowledge or resolve of the same incident waits behind it: an ack is
-- never late for a grouping.
-- $1 project id
-- columns: none
UPDATE midwatch.outbound_messages m SET next_attempt_at = now()
WHERE m.project_id = $1 AND m.status = 'pending' AND m.attempts = 0
  AND m.event = 'trigger' AND m.group_leader_id IS NULL
  AND m.next_attempt_at > now()
  AND EXISTS (SELECT 1 FROM midwatch.outbound_messages a
       WHERE a.project_id = m.project_id AND a.channel = m.channel
         AND a.incident_key = m.incident_key AND a.id > m.id
         AND a.event <> 'trigger'
         AND a.status IN ('pending', 'sending', 'failed'))
