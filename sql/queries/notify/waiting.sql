-- notify/waiting - how many messages still wait.
-- $1 project id
-- columns: count
SELECT count(*) FROM midwatch.outbound_messages
WHERE project_id = $1 AND status IN ('pending', 'sending', 'failed')
