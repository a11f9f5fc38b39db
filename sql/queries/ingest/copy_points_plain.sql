-- ingest/copy_points_plain - the direct path for a batch whose points have
-- no labels: project_id, service_id, metric_name, ts and value in each
-- binary tuple; labels_key and labels take their defaults ('' and '{}'),
-- which is what ingest/copy_points would send for them, without the
-- server reading two more fields a row (ingest_copy.c).
-- columns: none
COPY midwatch.metric_points (project_id, service_id, metric_name,
  ts, value) FROM STDIN (FORMAT binary)
