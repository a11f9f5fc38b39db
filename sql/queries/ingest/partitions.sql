-- ingest/partitions - creates the daily partitions of metric_points for the
-- points in [$1, $2] (midwatch.ensure_metric_partitions); the bounds take the
-- same path as a point's timestamp (float8 text, to_timestamp).
-- $1 from, seconds since 1970 ("%.6f" text)
-- $2 to, seconds since 1970 ("%.6f" text)
-- columns: ensure_metric_partitions
SELECT midwatch.ensure_metric_partitions(
  to_timestamp($1::float8), to_timestamp($2::float8))
