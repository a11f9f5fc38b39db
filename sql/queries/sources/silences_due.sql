-- sources/silences_due - the silences due to be created in (or expired from)
-- their Alertmanager, with their source (columns id..retries as src_load
-- reads them) and what the comment says: who, which alert, which incident.
-- $1 project id
-- columns: id, kind, name, config, cursor, retries, silence, state,
-- columns: silence_id, matchers, ends_at, attempts, actor, alert_id,
-- columns: incident_id, event_type
SELECT src.id, src.kind, src.name, src.config::text AS config,
      src.cursor::text AS cursor, src.retries,
      s.id AS silence, s.state, s.silence_id, s.matchers::text AS matchers,
      extract(epoch FROM s.ends_at) AS ends_at, s.attempts,
      coalesce(f.actor_id, 'midwatch') AS actor, s.alert_id, a.incident_id,
      f.event_type
 FROM midwatch.alert_silences s
 JOIN midwatch.ingest_sources src
   ON src.project_id = s.project_id AND src.id = s.source_id
 JOIN midwatch.feedback_events f
   ON f.project_id = s.project_id AND f.id = s.feedback_event_id
 LEFT JOIN midwatch.alerts a
   ON a.project_id = s.project_id AND a.id = s.alert_id
WHERE s.project_id = $1 AND s.state IN ('pending', 'expiring')
  AND s.next_attempt_at <= now()
ORDER BY s.id LIMIT 200
