-- model/alert_list - the alert list of `midwatch alerts`: every midwatch
-- alert with the labels, annotations and source of the external alert
-- behind it, its silence and its times.  Labels come from the external
-- alert an alert mirrors (details.labels) or, for an alert a rule raised on
-- an external_alert signal, from that signal.  started: the episode's
-- start, else the data time the alert fired, else when it was created.
-- $1 project id
-- $2 all: every alert, not only the current ones (boolean)
-- $3 the most alerts (MODEL_MAX_ALERT_LIST)
-- columns: id, title, severity, status, source, fingerprint, service, rule,
-- columns: message, generator_url, labels, annotations, incident_id,
-- columns: fire_count, started, resolved, last_fired, acknowledged_by, acked,
-- columns: resolved_by, silenced_by, silenced, silenced_until, am_silence_id,
-- columns: am_silence_state, am_silence_ends, am_silence_error, group_key,
-- columns: group_head_id, inhibited, group_reason, group_members
SELECT a.id, a.title, a.severity, a.status,
       CASE WHEN a.details ->> 'source' = 'external'
            THEN coalesce(a.details ->> 'external_source', 'external')
            ELSE 'midwatch' END AS source,
       coalesce(a.details ->> 'external_fingerprint', g.ref,
           a.fingerprint) AS fingerprint,
       s.name AS service, ru.name AS rule, a.message,
       a.details ->> 'generator_url' AS generator_url,
       coalesce(a.details -> 'labels', g.details -> 'labels', '{}')::text
           AS labels,
       coalesce(a.details -> 'annotations', g.details -> 'annotations',
           '{}')::text AS annotations,
       a.incident_id, a.fire_count,
       extract(epoch FROM coalesce(
           CASE WHEN a.details ? 'starts_at'
                THEN (a.details ->> 'starts_at')::timestamptz END,
           CASE WHEN a.details ? 'fired_at'
                THEN (a.details ->> 'fired_at')::timestamptz END,
           a.created_at)) AS started,
       extract(epoch FROM a.resolved_at) AS resolved,
       extract(epoch FROM a.last_fired_at) AS last_fired,
       a.acknowledged_by, extract(epoch FROM a.acknowledged_at) AS acked,
       a.resolved_by, a.silenced_by,
       extract(epoch FROM a.silenced_at) AS silenced,
       extract(epoch FROM a.silenced_until) AS silenced_until,
       sil.silence_id AS am_silence_id, sil.state AS am_silence_state,
       extract(epoch FROM sil.ends_at) AS am_silence_ends,
       sil.last_error AS am_silence_error,
       a.group_key, a.group_head_id, a.group_inhibited::int AS inhibited,
       a.group_reason,
       (SELECT count(*) FROM midwatch.alerts b
         WHERE b.project_id = a.project_id AND b.group_head_id = a.id
           AND b.id <> a.id AND b.published) AS group_members
  FROM midwatch.alerts a
  LEFT JOIN LATERAL (SELECT x.silence_id, x.state, x.ends_at, x.last_error
       FROM midwatch.alert_silences x
      WHERE x.project_id = a.project_id AND x.alert_id = a.id
      ORDER BY x.id DESC LIMIT 1) sil ON true
  LEFT JOIN midwatch.services s
    ON s.project_id = a.project_id AND s.id = a.service_id
  LEFT JOIN midwatch.alert_rules ru
    ON ru.project_id = a.project_id AND ru.id = a.rule_id
  LEFT JOIN midwatch.signals g
    ON g.project_id = a.project_id AND g.signal_type = 'external_alert'
   AND a.details ->> 'signal_type' = 'external_alert'
   AND g.id::text = a.details ->> 'signal_id'
 WHERE a.project_id = $1 AND a.published
   AND ($2::boolean OR a.status IN ('active', 'acknowledged')
        OR (a.status = 'silenced'
            AND coalesce(a.silenced_until, '-infinity') <= now()))
 ORDER BY midwatch.severity_rank(a.severity) DESC NULLS LAST,
          started DESC, a.id DESC
 LIMIT $3
