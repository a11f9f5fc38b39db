-- pipeline/detect_features_clear - removes a series' anomaly features from a
-- time on (before they are written again).
-- $1 project id
-- $2 service id
-- $3 metric name
-- $4 labels key
-- $5 from, epoch
-- columns: none
DELETE FROM midwatch.anomaly_features WHERE project_id = $1
 AND service_id = $2 AND metric_name = $3 AND labels_key = $4
 AND ts >= to_timestamp($5::float8)
