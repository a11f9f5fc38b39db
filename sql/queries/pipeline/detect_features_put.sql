-- pipeline/detect_features_put - writes a series' anomaly features (value,
-- baseline, zscore per point).
-- $1 project id
-- $2 service id
-- $3 metric name
-- $4 labels key
-- $5 times, float8[] epochs
-- $6 feature names, text[]
-- $7 values, float8[]
-- $8 run id
-- columns: none
INSERT INTO midwatch.anomaly_features (project_id, service_id,
 metric_name, labels_key, feature_name, ts, value, run_id)
 SELECT $1, $2, $3, $4, n, to_timestamp(t), v, $8
 FROM unnest($5::float8[], $6::text[], $7::float8[]) AS u (t, n, v)
 ON CONFLICT (project_id, service_id, metric_name, labels_key,
  feature_name, ts) DO UPDATE SET value = EXCLUDED.value,
  run_id = EXCLUDED.run_id
