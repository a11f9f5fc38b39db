-- ingest/copy_points - the direct path: a batch's points COPYed straight into
-- metric_points, project_id first in each binary tuple (ingest_copy.c).
-- columns: none
COPY midwatch.metric_points (project_id, service_id, metric_name,
  labels_key, ts, value, labels) FROM STDIN (FORMAT binary)
