-- pipeline/alert_ref_trend - the reference for a trend rule's series
-- (src/pipeline/alert_series.c judges them in C; MIDWATCH_TEST_ALERT_SQL=1
-- runs this instead, tests/pipeline/test_alert_series.sh compares): the
-- series that stayed min_change_ratio above (direction up) or below (down)
-- their 5-minute average of window_seconds earlier for 3 minutes in a row,
-- with window functions, service by service as pipeline/alert_ref_metric.
-- Its rows are the hits pipeline/alert_hits_trend words.
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 metric name
-- $5 direction (up or down)
-- $6 window (interval)
-- $7 min change ratio
-- columns: service_id labels_key fired_at last_at change
WITH r AS (
  SELECT s.id AS service_id, x.labels_key, x.t, x.now_v, x.now_n,
         x.then_v
    FROM midwatch.services s CROSS JOIN LATERAL (
  SELECT labels_key, t,
         CASE WHEN $5::text = 'down'
         THEN max(v) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN interval '2 minutes' PRECEDING AND CURRENT ROW)
         ELSE min(v) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN interval '2 minutes' PRECEDING AND CURRENT ROW)
         END AS now_v,
         count(*) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN interval '2 minutes' PRECEDING
                       AND CURRENT ROW) AS now_n,
         avg(v) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN $6::interval + interval '4 minutes' PRECEDING
                       AND $6::interval PRECEDING) AS then_v
    FROM (SELECT labels_key, date_trunc('minute', ts) AS t,
         avg(midwatch.metric_value(value)) AS v
    FROM midwatch.metric_points
   WHERE project_id = $1 AND service_id = s.id
     AND metric_name = $4::text
     AND ts >= $2::timestamptz - $6::interval - interval '5 minutes'
     AND ts <= $3::timestamptz
   GROUP BY 1, 2) m) x
   WHERE s.project_id = $1),
 c AS (
  SELECT service_id, labels_key, t, now_v, then_v,
         (now_v - then_v) / greatest(abs(then_v), 1e-100) AS change
    FROM r
   WHERE t >= $2::timestamptz AND then_v IS NOT NULL AND then_v <> 0
     AND now_n >= 3),
 hit AS (
  SELECT service_id, labels_key, min(t) AS fired_at, max(t) AS last_at,
         CASE WHEN $5::text = 'down' THEN min(change)
              ELSE max(change) END AS change
    FROM c
   WHERE CASE WHEN $5::text = 'down' THEN change <= -$7::float8
              ELSE change >= $7::float8 END
   GROUP BY 1, 2)
SELECT service_id, labels_key, fired_at, last_at, change FROM hit
