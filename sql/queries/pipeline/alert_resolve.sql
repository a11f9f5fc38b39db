-- pipeline/alert_resolve - resolves the alerts whose condition stayed clear
-- for their rule's hold-down (config.hold_down_seconds, else the policy's),
-- in data time: an incident rule's alert when its incident is resolved; a
-- signal rule's when its signal ended (or is gone) a hold-down before the
-- window's end; a metric or health rule's when it last fired a hold-down
-- before it.  Each is a system feedback event saying why.  External alerts
-- are the source's to resolve.
-- $1 project id
-- $2 window end
-- $3 default hold-down, seconds
-- $4 run id
-- columns: resolved events
WITH due AS (
  SELECT a.id, a.incident_id, r.name AS rule, a.fingerprint,
         coalesce((r.config ->> 'hold_down_seconds')::integer,
             $3::integer) AS hold
    FROM midwatch.alerts a
    JOIN midwatch.alert_rules r
      ON r.project_id = a.project_id AND r.id = a.rule_id
   WHERE a.project_id = $1
     AND a.status IN ('active', 'acknowledged', 'silenced')
     AND a.fingerprint NOT LIKE 'external:%'),
 clear AS (
  SELECT d.*, CASE
    WHEN d.fingerprint LIKE 'incident:%' THEN 'incident ' || d.incident_id
         || ' resolved'
    WHEN d.fingerprint LIKE 'signal:%' THEN 'its signal ended ' || d.hold
         || ' s ago or more (hold-down of rule ' || d.rule || ')'
    ELSE 'condition clear for ' || d.hold || ' s (hold-down of rule '
         || d.rule || ')' END AS reason
    FROM due d JOIN midwatch.alerts a
      ON a.project_id = $1 AND a.id = d.id
   WHERE CASE
    WHEN d.fingerprint LIKE 'incident:%' THEN EXISTS (
         SELECT 1 FROM midwatch.incidents i WHERE i.project_id = $1
            AND i.id = a.incident_id AND i.status = 'resolved')
    WHEN d.fingerprint LIKE 'signal:%' THEN NOT EXISTS (
         SELECT 1 FROM midwatch.signals g WHERE g.project_id = $1
            AND g.id::text = a.details ->> 'signal_id'
            AND coalesce(g.ended_at, 'infinity') > $2::timestamptz
                - make_interval(secs => d.hold))
    ELSE a.last_fired_at < $2::timestamptz - make_interval(secs => d.hold)
    END),
 upd AS (
  UPDATE midwatch.alerts a SET status = 'resolved',
         status_source = 'pipeline', resolved_at = now(),
         resolved_by = 'midwatch', silenced_until = NULL
    FROM clear c WHERE a.project_id = $1 AND a.id = c.id
  RETURNING a.id, a.incident_id, c.reason),
 ev AS (
  INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,
         event_type, target_kind, target_id, incident_id, payload,
         idempotency_key)
  SELECT $1, 'system', 'midwatch', 'alert_resolved', 'alert', u.id,
         u.incident_id, jsonb_build_object('reason', u.reason,
             'run_id', $4::bigint, 'automatic', true),
         'system:alert_resolved:' || u.id || ':' || $4
    FROM upd u ON CONFLICT DO NOTHING RETURNING 1)
 SELECT (SELECT count(*) FROM upd) AS resolved, (SELECT count(*) FROM ev) AS events
