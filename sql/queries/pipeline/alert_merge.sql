-- pipeline/alert_merge - merges a rule's candidates (one of
-- pipeline/alert_cand_*) into alerts: a new fingerprint becomes an active
-- alert with notifications; fired again no later than last time: nothing
-- (re-running a window is a no-op); active/acknowledged: refreshed,
-- fire_count + 1; silenced, silence not over: refreshed, stays silenced;
-- silenced, silence over: active again, notifications; resolved, fired more
-- than the cooldown after its last firing: active again, notifications;
-- resolved within the cooldown: nothing (counted).  A notification is an
-- outbound_messages row per channel of the rule, keyed so a re-run queues
-- nothing twice.  One row of counts.
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- $5 rule id
-- $6 rule severity
-- $7 cooldown seconds
-- $8 channels, jsonb
-- $9 rule name
-- $10 the candidates, jsonb [{fingerprint, service_id, incident_id, title, message, severity, score, fired_at, last_at, details}] (every value a string or null; details the text of a JSON object)
-- columns: created reactivated refreshed cooldown messages
WITH cand AS (
  SELECT c.fingerprint, c.service_id, c.incident_id, c.title, c.message,
         c.severity, c.score, c.fired_at, c.last_at, c.details::jsonb AS details
    FROM jsonb_to_recordset($10::jsonb) AS c (fingerprint text,
         service_id bigint, incident_id bigint, title text, message text,
         severity text, score float8, fired_at timestamptz,
         last_at timestamptz, details text))
, cur AS (
  SELECT a.id, a.fingerprint, a.status, a.last_fired_at, a.silenced_until
    FROM midwatch.alerts a
   WHERE a.project_id = $1
     AND a.fingerprint IN (SELECT fingerprint FROM cand)
     FOR UPDATE),
 dec AS (
  SELECT c.*, cur.id AS alert_id,
         CASE WHEN cur.id IS NULL THEN 'new'
              WHEN cur.last_fired_at IS NOT NULL
                   AND c.last_at <= cur.last_fired_at THEN 'seen'
              WHEN cur.status IN ('active', 'acknowledged') THEN 'refire'
              WHEN cur.status = 'silenced'
                   AND cur.silenced_until > now() THEN 'silenced'
              WHEN cur.status = 'silenced' THEN 'reactivate'
              WHEN cur.last_fired_at IS NULL OR c.last_at >
                   cur.last_fired_at + make_interval(secs => $7::integer)
                   THEN 'reactivate'
              ELSE 'cooldown' END AS action
    FROM cand c LEFT JOIN cur ON cur.fingerprint = c.fingerprint),
 ins AS (
  INSERT INTO midwatch.alerts (project_id, run_id, rule_id, incident_id,
         service_id, fingerprint, title, message, severity, score, status,
         details, fire_count, last_fired_at)
  SELECT $1, $2::bigint, $5::bigint, d.incident_id, d.service_id,
         d.fingerprint, d.title, d.message, d.severity, d.score, 'active',
         d.details || jsonb_build_object('fired_at', d.fired_at,
             'rule', $9::text, 'rule_severity', $6::text),
         1, d.last_at
    FROM dec d WHERE d.action = 'new'
  ON CONFLICT (project_id, fingerprint) DO NOTHING
  RETURNING id, fingerprint, title, message, severity, service_id,
            incident_id, last_fired_at),
 upd AS (
  UPDATE midwatch.alerts a
     SET run_id = $2::bigint,
         incident_id = coalesce(a.incident_id, d.incident_id),
         service_id = coalesce(a.service_id, d.service_id),
         title = d.title, message = d.message, severity = d.severity,
         score = d.score,
         details = CASE WHEN d.action = 'reactivate'
             THEN a.details || d.details || jsonb_build_object(
                  'fired_at', d.fired_at, 'reactivations',
                  coalesce((a.details->>'reactivations')::integer, 0) + 1)
             ELSE a.details || d.details END,
         fire_count = a.fire_count + 1, last_fired_at = d.last_at,
         status = CASE WHEN d.action = 'reactivate' THEN 'active'
                       ELSE a.status END,
         status_source = CASE WHEN d.action = 'reactivate' THEN 'pipeline'
                              ELSE a.status_source END,
         acknowledged_at = CASE WHEN d.action = 'reactivate' THEN NULL
                                ELSE a.acknowledged_at END,
         acknowledged_by = CASE WHEN d.action = 'reactivate' THEN NULL
                                ELSE a.acknowledged_by END,
         resolved_at = CASE WHEN d.action = 'reactivate' THEN NULL
                            ELSE a.resolved_at END,
         resolved_by = CASE WHEN d.action = 'reactivate' THEN NULL
                            ELSE a.resolved_by END,
         silenced_at = CASE WHEN d.action = 'reactivate' THEN NULL
                            ELSE a.silenced_at END,
         silenced_until = CASE WHEN d.action = 'reactivate' THEN NULL
                               ELSE a.silenced_until END,
         silenced_by = CASE WHEN d.action = 'reactivate' THEN NULL
                            ELSE a.silenced_by END
    FROM dec d
   WHERE a.project_id = $1 AND a.id = d.alert_id
     AND d.action IN ('refire', 'silenced', 'reactivate')
  RETURNING a.id, a.fingerprint, a.title, a.message, a.severity,
            a.service_id, a.incident_id, a.last_fired_at, d.action),
 fired AS (
  SELECT id, fingerprint, title, message, severity, service_id,
         incident_id, last_fired_at, false AS again FROM ins
  UNION ALL
  SELECT id, fingerprint, title, message, severity, service_id,
         incident_id, last_fired_at, true FROM upd
   WHERE action = 'reactivate'),
 rule AS (
  UPDATE midwatch.alert_rules r
     SET last_triggered_at = (SELECT max(last_fired_at) FROM fired)
   WHERE r.project_id = $1 AND r.id = $5::bigint
     AND EXISTS (SELECT 1 FROM fired)
     AND (r.last_triggered_at IS NULL OR r.last_triggered_at <
          (SELECT max(last_fired_at) FROM fired))
  RETURNING 1),
 msg AS (
  INSERT INTO midwatch.outbound_messages (project_id, run_id, alert_id,
         channel, channel_kind, payload, dedupe_key)
  SELECT $1, $2::bigint, f.id, ch.name, ch.kind,
         jsonb_build_object('alert_id', f.id,
             'fingerprint', f.fingerprint, 'title', f.title,
             'message', f.message, 'severity', f.severity,
             'status', 'active', 'service', s.name,
             'incident_id', f.incident_id, 'rule', $9::text,
             'fired_at', f.last_fired_at, 'reactivated', f.again,
             'channel', ch.name,
             'run_window', jsonb_build_array($3::timestamptz,
                 $4::timestamptz)),
         f.fingerprint || ':' || ch.name || ':active:'
         || floor(extract(epoch FROM f.last_fired_at))::bigint
    FROM fired f
    LEFT JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = f.service_id
   CROSS JOIN LATERAL (
    SELECT CASE jsonb_typeof(e) WHEN 'string' THEN e #>> '{}'
                ELSE e->>'name' END AS name,
           CASE WHEN e->>'kind' IN ('slack', 'pagerduty', 'webhook',
                                    'log')
                THEN e->>'kind' ELSE 'webhook' END AS kind
      FROM jsonb_array_elements($8::jsonb) e) ch
   WHERE ch.name IS NOT NULL AND ch.name <> ''
  ON CONFLICT (project_id, dedupe_key) DO NOTHING
  RETURNING 1)
 SELECT (SELECT count(*) FROM ins) AS created,
        (SELECT count(*) FROM upd WHERE action = 'reactivate') AS reactivated,
        (SELECT count(*) FROM upd WHERE action <> 'reactivate') AS refreshed,
        (SELECT count(*) FROM dec WHERE action = 'cooldown') AS cooldown,
        (SELECT count(*) FROM msg) AS messages
