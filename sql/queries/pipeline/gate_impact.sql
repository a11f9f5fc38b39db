-- pipeline/gate_impact - failed requests (request_rate x error_ratio above
-- its baseline) from onset to end: the worst service's and the sum over the
-- services.
-- $1 project id
-- $2 service ids (bigint[])
-- $3 onset (epoch seconds)
-- $4 end (epoch seconds)
-- columns: worst total
WITH svc AS (SELECT unnest($2::bigint[]) AS sid),
base AS MATERIALIZED (SELECT s.sid, (SELECT percentile_cont(0.5) WITHIN GROUP
  (ORDER BY midwatch.metric_value(m.value))
  FROM midwatch.metric_points m
  WHERE m.project_id = $1 AND m.service_id = s.sid
  AND m.metric_name = 'error_ratio'
  AND m.ts >= to_timestamp($3::float8) - interval '1 hour'
  AND m.ts < to_timestamp($3::float8)) AS b FROM svc s),
per AS (SELECT m.service_id, date_trunc('minute', m.ts) AS t,
 avg(midwatch.metric_value(m.value))
  FILTER (WHERE m.metric_name = 'error_ratio') AS err,
 greatest(0, avg(midwatch.metric_value(m.value))
  FILTER (WHERE m.metric_name = 'request_rate')) AS rate
 FROM midwatch.metric_points m WHERE m.project_id = $1
 AND m.service_id IN (SELECT sid FROM svc)
 AND m.metric_name IN ('error_ratio', 'request_rate')
 AND m.ts >= to_timestamp($3::float8) AND m.ts <= to_timestamp($4::float8)
 GROUP BY 1, 2),
tot AS (SELECT p.service_id, sum(greatest(0, p.err - coalesce(b.b, 0))
  * p.rate * 60) AS failed FROM per p JOIN base b ON b.sid = p.service_id
 WHERE p.err IS NOT NULL AND p.rate IS NOT NULL GROUP BY 1)
SELECT coalesce(max(failed), 0) AS worst, coalesce(sum(failed), 0) AS total FROM tot
