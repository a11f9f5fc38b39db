-- pipeline/alert_ref_metric - the reference for a threshold rule's series
-- (src/pipeline/alert_series.c judges them in C; MIDWATCH_TEST_ALERT_SQL=1
-- runs this instead, tests/pipeline/test_alert_series.sh compares): the
-- series whose value compared (op, value) held for its for_seconds, with
-- window functions.  Service by service (LATERAL): each service's series
-- of the metric comes in (labels_key, ts) order from the primary key and
-- is sorted, if at all, in memory (issue 13).  Its rows are the hits
-- pipeline/alert_hits_metric words.
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 metric name
-- $5 op
-- $6 value
-- $7 for (interval)
-- columns: service_id labels_key fired_at last_at worst
WITH w AS (
  SELECT s.id AS service_id, p.labels_key, p.ts, p.value, p.held,
         p.since
    FROM midwatch.services s CROSS JOIN LATERAL (
  SELECT m.labels_key, m.ts, midwatch.metric_value(m.value) AS value,
         bool_and(coalesce(midwatch.compare_op($5::text,
             midwatch.metric_value(m.value), $6::float8), false))
             OVER win AS held,
         min(m.ts) OVER win AS since
    FROM midwatch.metric_points m
   WHERE m.project_id = $1 AND m.service_id = s.id
     AND m.metric_name = $4::text
     AND m.ts >= $2::timestamptz - $7::interval
     AND m.ts <= $3::timestamptz
  WINDOW win AS (PARTITION BY m.labels_key ORDER BY m.ts
                 RANGE BETWEEN $7::interval PRECEDING AND CURRENT ROW))
         p
   WHERE s.project_id = $1),
 hit AS (
  SELECT service_id, labels_key, min(ts) AS fired_at, max(ts) AS last_at,
         CASE WHEN $5::text IN ('<', '<=') THEN min(value)
              ELSE max(value) END AS worst
    FROM w
   WHERE held AND ts >= $2::timestamptz
     AND ts - since >= $7::interval * 0.9
   GROUP BY 1, 2)
SELECT service_id, labels_key, fired_at, last_at, worst FROM hit
