-- model/health_dead - what gave up within a day: the notifications
-- dead-lettered and the channel of the last one; the Alertmanager silences
-- that could not be created or expired (sql/014_silences.sql, state dead),
-- the alert of the last one and why.
-- $1 project id
-- columns: dead, channel, dead_silences, silence_alert, silence_error
WITH m AS (SELECT count(*) AS dead, (SELECT channel
   FROM midwatch.outbound_messages
   WHERE project_id = $1 AND status = 'dead'
     AND updated_at > now() - interval '24 hours'
   ORDER BY updated_at DESC LIMIT 1) AS channel
  FROM midwatch.outbound_messages WHERE project_id = $1
   AND status = 'dead' AND updated_at > now() - interval '24 hours'),
 s AS (SELECT count(*) OVER () AS dead_silences, alert_id, last_error
  FROM midwatch.alert_silences WHERE project_id = $1 AND state = 'dead'
   AND updated_at > now() - interval '24 hours'
  ORDER BY updated_at DESC, id DESC LIMIT 1)
SELECT m.dead, m.channel, coalesce(s.dead_silences, 0) AS dead_silences,
  s.alert_id AS silence_alert, s.last_error AS silence_error
 FROM m LEFT JOIN s ON true
