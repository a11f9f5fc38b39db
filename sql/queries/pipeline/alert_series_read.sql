-- pipeline/alert_series_read - the points a metric rule judges in C
-- (src/pipeline/alert_series.c): every point of a metric of every service
-- of the project's services with ids from $6 to $7 (a batch) from the
-- window's start less a lookback to its end, service by service (LATERAL:
-- each service's series from its primary key, an index-only scan), times
-- as float8 epochs (date_part), values through midwatch.metric_value; read
-- in binary (db_run_bin).
-- $1 project id
-- $2 metric name
-- $3 window start
-- $4 lookback (interval)
-- $5 window end
-- $6 first service id
-- $7 last service id
-- columns: service_id labels_key t v
SELECT s.id AS service_id, p.labels_key, p.t, p.v
  FROM midwatch.services s CROSS JOIN LATERAL (
  SELECT m.labels_key, date_part('epoch', m.ts) AS t,
         midwatch.metric_value(m.value) AS v
    FROM midwatch.metric_points m
   WHERE m.project_id = $1 AND m.service_id = s.id
     AND m.metric_name = $2::text
     AND m.ts >= $3::timestamptz - $4::interval
     AND m.ts <= $5::timestamptz) p
 WHERE s.project_id = $1 AND s.id BETWEEN $6::bigint AND $7::bigint
