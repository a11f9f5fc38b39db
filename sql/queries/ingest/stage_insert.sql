-- ingest/stage_insert - the staged points into metric_points, those stored
-- already skipped (affected rows: how many were new).
-- $1 project id
-- columns: none
INSERT INTO midwatch.metric_points
       (project_id, service_id, metric_name, labels_key, ts, value, labels)
SELECT $1, service_id, metric_name, labels_key, ts, value, labels
  FROM pg_temp.mw_ingest_points
    ON CONFLICT DO NOTHING
