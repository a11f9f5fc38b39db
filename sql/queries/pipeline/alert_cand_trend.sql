-- pipeline/alert_cand_trend - a trend rule's candidates: a series that stayed
-- min_change_ratio above (direction up) or below (down) its 5-minute
-- average of window_seconds earlier for 3 minutes in a row (a single
-- outlier does not count), fingerprint "rule:<id>:trend:<series>"; service
-- by service, as pipeline/alert_cand_metric.
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 rule id
-- $5 rule severity
-- $6 metric name
-- $7 direction (up or down)
-- $8 window (interval)
-- $9 min change ratio
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH r AS (
  SELECT s.id AS service_id, x.labels_key, x.t, x.now_v, x.now_n,
         x.then_v
    FROM midwatch.services s CROSS JOIN LATERAL (
  SELECT labels_key, t,
         CASE WHEN $7::text = 'down'
         THEN max(v) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN interval '2 minutes' PRECEDING AND CURRENT ROW)
         ELSE min(v) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN interval '2 minutes' PRECEDING AND CURRENT ROW)
         END AS now_v,
         count(*) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN interval '2 minutes' PRECEDING
                       AND CURRENT ROW) AS now_n,
         avg(v) OVER (PARTITION BY labels_key ORDER BY t
             RANGE BETWEEN $8::interval + interval '4 minutes' PRECEDING
                       AND $8::interval PRECEDING) AS then_v
    FROM (SELECT labels_key, date_trunc('minute', ts) AS t,
         avg(midwatch.metric_value(value)) AS v
    FROM midwatch.metric_points
   WHERE project_id = $1 AND service_id = s.id
     AND metric_name = $6::text
     AND ts >= $2::timestamptz - $8::interval - interval '5 minutes'
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
         CASE WHEN $7::text = 'down' THEN min(change)
              ELSE max(change) END AS change
    FROM c
   WHERE CASE WHEN $7::text = 'down' THEN change <= -$9::float8
              ELSE change >= $9::float8 END
   GROUP BY 1, 2),
 cand AS (
  SELECT 'rule:' || $4::bigint || ':trend:' || h.service_id || ':'
         || $6::text || ':' || h.labels_key AS fingerprint,
         h.service_id,
         midwatch.incident_for($1, h.service_id, h.fired_at, h.fired_at)
             AS incident_id,
         $6::text || CASE WHEN $7::text = 'down' THEN ' falling on '
             ELSE ' rising on ' END || s.name || ' ('
         || to_char(h.change * 100, 'FMS9999990') || '% over '
         || (extract(epoch FROM $8::interval) / 60)::bigint || ' min)'
             AS title,
         s.name || ': ' || $6::text || ' moved '
         || to_char(h.change * 100, 'FMS9999990') || '% against its 5-minute average ' || (CASE WHEN extract(epoch FROM $8::interval) < 120 THEN extract(epoch FROM $8::interval)::bigint || ' s' ELSE (extract(epoch FROM $8::interval) / 60)::bigint || ' min' END) || ' earlier, sustained for 3 minutes, from '
         || midwatch.rfc3339(h.fired_at) AS message,
         $5::text AS severity, abs(h.change) AS score,
         h.fired_at, h.last_at,
         jsonb_build_object('source', 'trend', 'metric', $6::text,
             'labels_key', h.labels_key, 'change', h.change) AS details
    FROM hit h
    JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = h.service_id
   WHERE NOT midwatch.in_maintenance($1, h.service_id, h.fired_at))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
