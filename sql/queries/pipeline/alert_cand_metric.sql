-- pipeline/alert_cand_metric - a threshold rule's candidates: a series whose value
-- compared (op, value) held for its for_seconds, fingerprint
-- "rule:<id>:metric:<series>".  Service by service (LATERAL): each service's
-- series of the metric comes in (labels_key, ts) order from the primary key
-- and is sorted, if at all, in memory - not every point of the metric in
-- one sort that spills to disk (issue 13).
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 rule id
-- $5 rule severity
-- $6 metric name
-- $7 op
-- $8 value
-- $9 for (interval)
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH w AS (
  SELECT s.id AS service_id, p.labels_key, p.ts, p.value, p.held,
         p.since
    FROM midwatch.services s CROSS JOIN LATERAL (
  SELECT m.labels_key, m.ts, midwatch.metric_value(m.value) AS value,
         bool_and(coalesce(midwatch.compare_op($7::text,
             midwatch.metric_value(m.value), $8::float8), false))
             OVER win AS held,
         min(m.ts) OVER win AS since
    FROM midwatch.metric_points m
   WHERE m.project_id = $1 AND m.service_id = s.id
     AND m.metric_name = $6::text
     AND m.ts >= $2::timestamptz - $9::interval
     AND m.ts <= $3::timestamptz
  WINDOW win AS (PARTITION BY m.labels_key ORDER BY m.ts
                 RANGE BETWEEN $9::interval PRECEDING AND CURRENT ROW))
         p
   WHERE s.project_id = $1),
 hit AS (
  SELECT service_id, labels_key, min(ts) AS fired_at, max(ts) AS last_at,
         CASE WHEN $7::text IN ('<', '<=') THEN min(value)
              ELSE max(value) END AS worst
    FROM w
   WHERE held AND ts >= $2::timestamptz
     AND ts - since >= $9::interval * 0.9
   GROUP BY 1, 2),
 cand AS (
  SELECT 'rule:' || $4::bigint || ':metric:' || h.service_id || ':'
         || $6::text || ':' || h.labels_key AS fingerprint,
         h.service_id,
         midwatch.incident_for($1, h.service_id, h.fired_at, h.fired_at)
             AS incident_id,
         $6::text || ' ' || $7::text || ' ' || $8::float8 || ' on '
         || s.name || CASE WHEN h.labels_key <> ''
             THEN ' {' || h.labels_key || '}' ELSE '' END AS title,
         s.name || ': ' || $6::text || ' stayed ' || $7::text || ' '
         || $8::float8 || ' for ' || (CASE WHEN extract(epoch FROM $9::interval) < 120 THEN extract(epoch FROM $9::interval)::bigint || ' s' ELSE (extract(epoch FROM $9::interval) / 60)::bigint || ' min' END)
         || ' from '
         || midwatch.rfc3339(h.fired_at) || ' (worst ' || h.worst || ')'
             AS message,
         $5::text AS severity,
         CASE WHEN abs($8::float8) >= 1e-100
         THEN h.worst / $8::float8 END
             AS score,
         h.fired_at, h.last_at,
         jsonb_build_object('source', 'metric', 'metric', $6::text,
             'labels_key', h.labels_key, 'worst', h.worst) AS details
    FROM hit h
    JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = h.service_id
   WHERE NOT midwatch.in_maintenance($1, h.service_id, h.fired_at))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
