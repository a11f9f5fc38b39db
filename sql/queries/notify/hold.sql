-- notify/hold - messages of an incident notified within its channel's group
-- window wait for the window's end.  (Not when an acknowledge or resolve of
-- the incident waits behind them.)
-- $1 project id
-- $2 the default group window, seconds
-- columns: none
UPDATE midwatch.outbound_messages m SET next_attempt_at = h.until
 FROM (SELECT w.id, w.last + make_interval(secs => w.win) AS until
         FROM (SELECT p.id,
                      (SELECT max(x.sent_at)
                         FROM midwatch.outbound_messages x
                        WHERE x.project_id = p.project_id
                          AND x.channel = p.channel
                          AND x.incident_key = p.incident_key
                          AND x.event = p.event AND x.status = 'sent')
                          AS last,
                      coalesce((c.settings->>'group-window')::integer,
                               $2::integer) AS win
                 FROM midwatch.outbound_messages p
                 LEFT JOIN midwatch.channels c
                   ON c.project_id = p.project_id AND c.name = p.channel
                WHERE p.project_id = $1 AND p.status = 'pending'
                  AND p.attempts = 0 AND p.event = 'trigger'
                  AND p.group_leader_id IS NULL
                  AND p.next_attempt_at <= now()
                  AND NOT EXISTS (SELECT 1
                       FROM midwatch.outbound_messages a
                      WHERE a.project_id = p.project_id
                        AND a.channel = p.channel
                        AND a.incident_key = p.incident_key
                        AND a.id > p.id AND a.event <> 'trigger'
                        AND a.status IN ('pending', 'sending',
                                         'failed'))
                  FOR UPDATE OF p SKIP LOCKED) w
        WHERE w.last + make_interval(secs => w.win) > now()) h
WHERE m.project_id = $1 AND m.id = h.id
