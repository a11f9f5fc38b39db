-- pipeline/detect_signal_upsert - writes (or updates, by dedupe key) one
-- metric signal.
-- $1 project id
-- $2 run id
-- $3 dedupe key
-- $4 signal type
-- $5 status
-- $6 service id
-- $7 metric name
-- $8 labels key (null: none)
-- $9 ref
-- $10 severity
-- $11 quality score
-- $12 onset, epoch
-- $13 peak, epoch
-- $14 end, epoch (null: open)
-- $15 baseline
-- $16 peak value
-- $17 direction
-- $18 details, jsonb
-- columns: none
INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,
 signal_type, status, service_id, metric_name, labels_key, ref,
 severity, quality_score, onset_at, peak_at, ended_at, baseline,
 peak_value, direction, details)
 VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, ''), $9, $10,
  least(1, greatest(0, $11::real)), to_timestamp($12::float8),
  to_timestamp($13::float8), to_timestamp($14::float8), $15, $16,
  $17, $18::jsonb)
 ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
  run_id = EXCLUDED.run_id, signal_type = EXCLUDED.signal_type,
  status = EXCLUDED.status, service_id = EXCLUDED.service_id,
  metric_name = EXCLUDED.metric_name, labels_key = EXCLUDED.labels_key,
  ref = EXCLUDED.ref, severity = EXCLUDED.severity,
  quality_score = EXCLUDED.quality_score, onset_at = EXCLUDED.onset_at,
  peak_at = EXCLUDED.peak_at, ended_at = EXCLUDED.ended_at,
  baseline = EXCLUDED.baseline, peak_value = EXCLUDED.peak_value,
  direction = EXCLUDED.direction, details = EXCLUDED.details
