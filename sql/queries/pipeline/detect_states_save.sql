-- pipeline/detect_states_save - writes a batch of services' detector states
-- (midwatch.detect_state, sql/027) and removes the anomaly features of their
-- quiet series from the window's start, in one statement.
-- $1 project id
-- $2 the states, jsonb [{s, m, l, p, st, f, r, tr, se}] (service, metric, labels key, params fingerprint, step, first epoch, resume epoch or null, trailing and seasonal rings as [t, x, ...])
-- $3 run id
-- $4 the quiet series, jsonb [{s, m, l}]
-- $5 window start, epoch
-- columns: none
WITH q AS (DELETE FROM midwatch.anomaly_features a
  USING jsonb_to_recordset($4::jsonb) AS q (s bigint, m text,
   l text)
  WHERE a.project_id = $1 AND a.service_id = q.s
  AND a.metric_name = q.m AND a.labels_key = q.l
  AND a.ts >= to_timestamp($5::float8))
 INSERT INTO midwatch.detect_state (project_id, service_id,
 metric_name, labels_key, params, step, first_at, resume_at,
 trailing_ring, seasonal_ring, run_id)
 SELECT $1, x.s, x.m, x.l, x.p, x.st, x.f, x.r, coalesce(x.tr, '{}'),
  coalesce(x.se, '{}'), $3
 FROM jsonb_to_recordset($2::jsonb) AS x (s bigint, m text, l text,
  p text, st float8, f float8, r float8, tr float8[], se float8[])
 ON CONFLICT (project_id, service_id, metric_name, labels_key)
 DO UPDATE SET params = EXCLUDED.params, step = EXCLUDED.step,
  first_at = EXCLUDED.first_at, resume_at = EXCLUDED.resume_at,
  trailing_ring = EXCLUDED.trailing_ring,
  seasonal_ring = EXCLUDED.seasonal_ring, run_id = EXCLUDED.run_id
