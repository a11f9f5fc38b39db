-- pipeline/detect_health - health streaks: two or more consecutive
-- non-healthy checks of a service spanning at least two minutes; down
-- anywhere in the streak makes it high.  A row per signal written.
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- columns: written
WITH h AS (SELECT service_id, ts, status, error_rate, response_time_ms,
  row_number() OVER (PARTITION BY service_id ORDER BY ts)
  - row_number() OVER (PARTITION BY service_id, status <> 'healthy'
    ORDER BY ts) AS grp, status <> 'healthy' AS bad
  FROM midwatch.health_checks WHERE project_id = $1
  AND ts >= $3::timestamptz - interval '6 hours' AND ts <= $4),
 latest AS (SELECT service_id, max(ts) AS t FROM h GROUP BY 1),
 s AS (SELECT service_id, grp, min(ts) AS onset, max(ts) AS last,
  count(*) AS n, count(*) FILTER (WHERE status = 'down') AS ndown,
  max(error_rate) AS max_err, max(response_time_ms) AS max_rt,
  (array_agg(ts ORDER BY status = 'down' DESC, error_rate DESC NULLS LAST,
   ts))[1] AS peak
  FROM h WHERE bad GROUP BY 1, 2
  HAVING count(*) >= 2 AND max(ts) - min(ts) >= interval '2 minutes')
 INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,
  signal_type, status, service_id, severity, quality_score, onset_at,
  peak_at, ended_at, peak_value, direction, details)
 SELECT $1, $2, 'h:' || s.service_id || ':' || floor(extract(epoch FROM s.onset))::bigint,
  'health_down', 'active', s.service_id,
  CASE WHEN s.ndown > 0 THEN 'high' ELSE 'medium' END,
  least(1, 0.3 + 0.1 * s.n + CASE WHEN s.ndown > 0 THEN 0.2 ELSE 0 END),
  s.onset, s.peak, CASE WHEN s.last < l.t THEN s.last END, s.max_err,
  'down', jsonb_build_object('checks', s.n, 'down', s.ndown,
   'degraded', s.n - s.ndown, 'max_error_rate', s.max_err,
   'max_response_time_ms', s.max_rt)
 FROM s JOIN latest l USING (service_id)
 WHERE s.last >= $3 OR s.last = l.t
 ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
  run_id = EXCLUDED.run_id, status = EXCLUDED.status,
  service_id = EXCLUDED.service_id, ref = EXCLUDED.ref,
  severity = EXCLUDED.severity, quality_score = EXCLUDED.quality_score,
  onset_at = EXCLUDED.onset_at, peak_at = EXCLUDED.peak_at,
  ended_at = EXCLUDED.ended_at, baseline = EXCLUDED.baseline,
  peak_value = EXCLUDED.peak_value, direction = EXCLUDED.direction,
  details = EXCLUDED.details RETURNING 1 AS written
