-- pipeline/detect_alerts - external alerts: one signal per firing episode
-- (consecutive firing notifications until a resolved one), for episodes of
-- the
-- window and the day before it (so the verdict settles once the hour after an
-- episode is known).  An alert that fired 3 or more times within an hour is
-- flapping: low quality, watch.  A row per signal written.
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- columns: written
WITH fir AS (SELECT a.fingerprint, a.ts, a.service_id, a.labels,
  a.annotations, (SELECT max(r.ts) FROM midwatch.external_alerts r
   WHERE r.project_id = $1 AND r.fingerprint = a.fingerprint
   AND r.status = 'resolved' AND r.ts <= a.ts) AS prev_res
  FROM midwatch.external_alerts a WHERE a.project_id = $1
  AND a.status = 'firing' AND a.ts <= $4
  AND a.ts >= $3::timestamptz - interval '1 day'),
 ep AS (SELECT fingerprint, prev_res, min(ts) AS onset,
  (array_agg(service_id ORDER BY ts))[1] AS service_id,
  (array_agg(labels ORDER BY ts))[1] AS labels,
  (array_agg(annotations ORDER BY ts))[1] AS annotations
  FROM fir GROUP BY 1, 2),
 ep2 AS (SELECT ep.*, (SELECT min(r.ts) FROM midwatch.external_alerts r
   WHERE r.project_id = $1 AND r.fingerprint = ep.fingerprint
   AND r.status = 'resolved' AND r.ts > ep.onset AND r.ts <= $4)
   AS resolved_at,
  (SELECT count(*) FROM ep e2 WHERE e2.fingerprint = ep.fingerprint
   AND e2.onset BETWEEN ep.onset - interval '1 hour'
   AND ep.onset + interval '1 hour') AS nearby FROM ep),
 x AS (SELECT *, nearby >= 3 AS flapping,
  CASE lower(coalesce(labels ->> 'severity', ''))
   WHEN 'critical' THEN 'critical' WHEN 'page' THEN 'critical'
   WHEN 'error' THEN 'high' WHEN 'high' THEN 'high'
   WHEN 'info' THEN 'info' WHEN 'low' THEN 'low' ELSE 'medium' END AS sev
  FROM ep2)
 INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,
  signal_type, status, service_id, ref, severity, quality_score,
  onset_at, peak_at, ended_at, direction, details)
 SELECT $1, $2, 'a:' || fingerprint || ':' || floor(extract(epoch FROM onset))::bigint,
  'external_alert', CASE WHEN flapping THEN 'watch' ELSE 'active' END,
  service_id, fingerprint, CASE WHEN flapping THEN 'low' ELSE sev END,
  (CASE sev WHEN 'critical' THEN 0.6 WHEN 'high' THEN 0.5
   WHEN 'medium' THEN 0.45 ELSE 0.3 END)
   * CASE WHEN flapping THEN 0.3 ELSE 1 END,
  onset, onset, resolved_at, 'up',
  jsonb_build_object('alertname', labels ->> 'alertname',
   'labels', labels, 'annotations', annotations, 'flapping', flapping,
   'firings_within_hour', nearby)
 FROM x
 ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
  run_id = EXCLUDED.run_id, status = EXCLUDED.status,
  service_id = EXCLUDED.service_id, ref = EXCLUDED.ref,
  severity = EXCLUDED.severity, quality_score = EXCLUDED.quality_score,
  onset_at = EXCLUDED.onset_at, peak_at = EXCLUDED.peak_at,
  ended_at = EXCLUDED.ended_at, baseline = EXCLUDED.baseline,
  peak_value = EXCLUDED.peak_value, direction = EXCLUDED.direction,
  details = EXCLUDED.details RETURNING 1 AS written
