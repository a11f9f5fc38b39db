-- model/health_dead - the notifications dead-lettered within a day and the
-- channel of the last one.
-- $1 project id
-- columns: dead, channel
SELECT count(*) AS dead, (SELECT channel FROM midwatch.outbound_messages
   WHERE project_id = $1 AND status = 'dead'
     AND updated_at > now() - interval '24 hours'
   ORDER BY updated_at DESC LIMIT 1) AS channel
  FROM midwatch.outbound_messages WHERE project_id = $1
   AND status = 'dead' AND updated_at > now() - interval '24 hours'
