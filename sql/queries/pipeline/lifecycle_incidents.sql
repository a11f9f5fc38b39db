-- pipeline/lifecycle_incidents - resolves the open incidents whose signals
-- all ended a quiet period ago (with a system feedback event each); the
-- counts (under the run summary's key).
-- $1 project id
-- $2 run id
-- $3 window end
-- $4 quiet period (seconds, incident.quiet_period default)
-- columns: incidents_resolved events
WITH q AS (
SELECT midwatch.project_setting($1, 'incident.quiet_period',
    $4::float8) AS secs),
cand AS (
SELECT i.id, max(s.ended_at) AS last_end, count(*) AS n,
       string_agg(s.signal_type || coalesce(' ' || s.metric_name, '')
           || coalesce(' on ' || v.name, '') || ' '
           || midwatch.rfc3339_min(s.onset_at) || ' to ' || midwatch.rfc3339_min(s.ended_at),	           '; ' ORDER BY s.ended_at, s.id) AS what
  FROM midwatch.incidents i
  JOIN midwatch.signals s
    ON s.project_id = i.project_id AND (s.incident_id = i.id
       OR s.incident_id IN (SELECT d.incident_id
           FROM midwatch.incident_decisions d
          WHERE d.project_id = i.project_id
            AND d.decision = 'suppressed'
            AND d.details ->> 'duplicate_of' = i.id::text))
  LEFT JOIN midwatch.services v
    ON v.project_id = s.project_id AND v.id = s.service_id
 WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')
   AND coalesce(i.details ->> 'source', '') <> 'investigate'
   AND midwatch.incident_approved(i.project_id, i.id)
   AND NOT EXISTS (SELECT 1 FROM (
       SELECT f.actor_type, f.event_type
         FROM midwatch.feedback_events f
        WHERE f.project_id = $1 AND f.target_kind = 'incident'
          AND f.target_id = i.id
          AND f.event_type <> 'human_note_added'
        ORDER BY f.id DESC LIMIT 1) last
        WHERE last.actor_type = 'user'
          AND last.event_type = 'incident_reopened')
 GROUP BY i.id
HAVING bool_and(s.ended_at IS NOT NULL AND s.ended_at
    <= $3::timestamptz - make_interval(secs => (SELECT secs FROM q)))),
upd AS (
UPDATE midwatch.incidents i SET status = 'resolved',
       status_source = 'pipeline', resolved_at = now(),
       resolved_by = 'midwatch',
       resolved_data_at = c.last_end
           + make_interval(secs => (SELECT secs FROM q)),
       resolution = 'Resolved by midwatch: all ' || c.n || ' signal'
           || CASE WHEN c.n = 1 THEN '' ELSE 's' END || ' cleared, the last at ' || midwatch.rfc3339_min(c.last_end) || ', quiet for '
           || round((SELECT secs FROM q) / 60) || ' min after. Cleared: '
           || c.what
  FROM cand c WHERE i.project_id = $1 AND i.id = c.id
RETURNING i.id, c.last_end, c.n),
ev AS (
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,
       event_type, target_kind, target_id, incident_id, payload,
       idempotency_key)
SELECT $1, 'system', 'midwatch', 'incident_resolved', 'incident', u.id,
       u.id, jsonb_build_object('reason', 'all ' || u.n || ' signals ended, the last at ' || midwatch.rfc3339_min(u.last_end) || '; quiet for '
           || round((SELECT secs FROM q)) || ' s (incident.quiet_period)',
           'run_id', $2::bigint, 'automatic', true,
           'last_signal_end', u.last_end, 'signals', u.n),
       'system:incident_resolved:' || u.id || ':' || $2
  FROM upd u ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT count(*) FROM upd) AS incidents_resolved,
 (SELECT count(*) FROM ev) AS events
