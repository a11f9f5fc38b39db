-- pipeline/investigate_signals - upserts an investigation's signals,
-- diagnosed, in its incident.
-- $1 project id
-- $2 run id
-- $3 incident id
-- $4 the signals (jsonb array)
-- columns:
INSERT INTO midwatch.signals AS s (project_id, run_id, dedupe_key,
signal_type, status, service_id, metric_name, labels_key, severity,
quality_score, onset_at, peak_at, ended_at, baseline, peak_value,
direction, incident_id, details)
SELECT $1, $2, x.dedupe_key, x.signal_type, 'diagnosed',
 x.service_id, x.metric_name, x.labels_key, x.severity, x.quality,
 x.onset_at, x.peak_at, greatest(x.ended_at, x.onset_at),
 x.baseline, x.peak_value, x.direction, $3, x.details
FROM jsonb_to_recordset($4::jsonb) AS x (dedupe_key text,
 signal_type text, service_id bigint, metric_name text,
 labels_key text, severity text, quality real, onset_at timestamptz,
 peak_at timestamptz, ended_at timestamptz, baseline float8,
 peak_value float8, direction text, details jsonb)
ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, signal_type = EXCLUDED.signal_type,
 status = EXCLUDED.status, service_id = EXCLUDED.service_id,
 metric_name = EXCLUDED.metric_name, labels_key = EXCLUDED.labels_key,
 severity = EXCLUDED.severity, quality_score = EXCLUDED.quality_score,
 onset_at = EXCLUDED.onset_at, peak_at = EXCLUDED.peak_at,
 ended_at = EXCLUDED.ended_at, baseline = EXCLUDED.baseline,
 peak_value = EXCLUDED.peak_value, direction = EXCLUDED.direction,
 incident_id = EXCLUDED.incident_id, details = EXCLUDED.details
