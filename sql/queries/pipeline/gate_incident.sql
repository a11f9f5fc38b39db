-- pipeline/gate_incident - upserts a gate candidate's incident by key (a
-- feedback status or a resolution stays unless it reopens).
-- $1 project id
-- $2 run id
-- $3 incident key
-- $4 service id
-- $5 status
-- $6 trigger type
-- $7 severity
-- $8 title
-- $9 window start (epoch seconds)
-- $10 window end (epoch seconds)
-- $11 impact low
-- $12 impact high
-- $13 impact unit
-- $14 details (jsonb)
-- $15 whether it reopens (boolean)
-- columns: id
INSERT INTO midwatch.incidents AS i (project_id, run_id, dedupe_key,
service_id, status, trigger_type, severity, title, window_start,
window_end, impact_low, impact_high, impact_unit, details)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8),
 to_timestamp($10::float8), $11, $12, $13, $14::jsonb)
ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, service_id = EXCLUDED.service_id,
 status = CASE WHEN $15::boolean THEN EXCLUDED.status
  WHEN i.status_source = 'feedback' OR i.status = 'resolved'
  THEN i.status ELSE EXCLUDED.status END,
 status_source = CASE WHEN $15::boolean THEN 'pipeline'
  ELSE i.status_source END,
 resolved_at = CASE WHEN $15::boolean THEN NULL ELSE i.resolved_at END,
 resolved_by = CASE WHEN $15::boolean THEN NULL ELSE i.resolved_by END,
 resolution = CASE WHEN $15::boolean THEN NULL ELSE i.resolution END,
 trigger_type = EXCLUDED.trigger_type, severity = EXCLUDED.severity,
 title = EXCLUDED.title, window_start = CASE WHEN $15::boolean
  THEN least(i.window_start, EXCLUDED.window_start)
  ELSE EXCLUDED.window_start END,
 window_end = EXCLUDED.window_end, impact_low = EXCLUDED.impact_low,
 impact_high = EXCLUDED.impact_high, impact_unit = EXCLUDED.impact_unit,
 details = i.details || EXCLUDED.details
RETURNING id
