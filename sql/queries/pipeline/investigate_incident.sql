-- pipeline/investigate_incident - upserts an investigation's incident by key
-- (a feedback status stays).
-- $1 project id
-- $2 run id
-- $3 incident key
-- $4 service id
-- $5 severity
-- $6 title
-- $7 the moment
-- $8 window (seconds)
-- $9 details (jsonb)
-- columns: id
INSERT INTO midwatch.incidents AS i (project_id, run_id, dedupe_key,
service_id, status, trigger_type, severity, title, window_start,
window_end, details)
VALUES ($1, $2, $3, $4, 'open', 'investigation', $5, $6,
 $7::timestamptz, $7::timestamptz + make_interval(secs => $8::float8),
 $9::jsonb)
ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, service_id = EXCLUDED.service_id,
 status = CASE WHEN i.status_source = 'feedback' THEN i.status
  ELSE EXCLUDED.status END,
 trigger_type = EXCLUDED.trigger_type, severity = EXCLUDED.severity,
 title = EXCLUDED.title, window_start = EXCLUDED.window_start,
 window_end = EXCLUDED.window_end,
 details = i.details || EXCLUDED.details
RETURNING id
