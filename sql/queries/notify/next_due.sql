-- notify/next_due - seconds until the next undelivered message is due (NULL:
-- nothing waits; negative: already due).
-- $1 project id
-- columns: seconds
SELECT extract(epoch FROM min(next_attempt_at) - now()) AS seconds
 FROM midwatch.outbound_messages m
WHERE project_id = $1 AND group_leader_id IS NULL
  AND status IN ('pending', 'sending', 'failed')
  AND NOT EXISTS (SELECT 1 FROM midwatch.outbound_messages o
       WHERE o.project_id = m.project_id AND o.channel = m.channel
         AND o.incident_key = m.incident_key AND o.id < m.id
         AND o.status IN ('pending', 'sending', 'failed'))
