-- sources/silences_due - the silences due to be created in (or expired from)
-- their Alertmanager, with their source (columns id..retries as src_load
-- reads them) and what the comment says: who, which alert, which incident.
-- The incident is alert_incident()'s (sql/030_silence_incident.sql: a
-- mirrored alert's through its latest external_alert signal).  Who is the
-- event's actor; for an ack cascaded from a group head (actor midwatch,
-- payload.group_head_id; feedback/alert_group) the operator who acked the
-- head, from the head's event of the same transaction.
-- $1 project id
-- columns: id, kind, name, config, cursor, retries, silence, state,
-- columns: silence_id, matchers, ends_at, attempts, actor, alert_id,
-- columns: incident_id, event_type
SELECT src.id, src.kind, src.name, src.config::text AS config,
      src.cursor::text AS cursor, src.retries,
      s.id AS silence, s.state, s.silence_id, s.matchers::text AS matchers,
      extract(epoch FROM s.ends_at) AS ends_at, s.attempts,
      coalesce(CASE WHEN f.actor_type = 'system' AND f.payload ? 'group_head_id'
       THEN (SELECT h.actor_id FROM midwatch.feedback_events h
              WHERE h.project_id = f.project_id AND h.target_kind = 'alert'
                AND h.target_id = (f.payload ->> 'group_head_id')::bigint
                AND h.event_type = f.event_type
                AND h.created_at = f.created_at AND h.id < f.id
              ORDER BY h.id DESC LIMIT 1) END,
       f.actor_id, 'midwatch') AS actor, s.alert_id,
      midwatch.alert_incident(s.project_id, s.alert_id) AS incident_id,
      f.event_type
 FROM midwatch.alert_silences s
 JOIN midwatch.ingest_sources src
   ON src.project_id = s.project_id AND src.id = s.source_id
 JOIN midwatch.feedback_events f
   ON f.project_id = s.project_id AND f.id = s.feedback_event_id
WHERE s.project_id = $1 AND s.state IN ('pending', 'expiring')
  AND s.next_attempt_at <= now()
ORDER BY s.id LIMIT 200
