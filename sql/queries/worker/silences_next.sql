-- worker/silences_next - how long until the project's next Alertmanager
-- silence is due to be created or expired, picked as sources/silences_due
-- picks them (its source and feedback event joined): the console's silence
-- thread wakes then (src/worker/worker_silences.c).
-- $1 project id
-- columns: wait
SELECT extract(epoch FROM min(s.next_attempt_at) - now())::float8 AS wait
 FROM midwatch.alert_silences s
 JOIN midwatch.ingest_sources src
   ON src.project_id = s.project_id AND src.id = s.source_id
 JOIN midwatch.feedback_events f
   ON f.project_id = s.project_id AND f.id = s.feedback_event_id
WHERE s.project_id = $1 AND s.state IN ('pending', 'expiring')
