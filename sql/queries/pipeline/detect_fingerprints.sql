-- pipeline/detect_fingerprints - new error fingerprints: first seen (for that
-- service, over all stored history) inside the window or the day before it (a
-- burst that began in an earlier run is followed to its end), at least an
-- hour
-- after the project's error history begins (else everything is "new"), and
-- repeated: 5 or more times in the 15 minutes after first seen.  The signal
-- lasts while occurrences continue with gaps under 15 minutes.  A row per
-- signal written.
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- columns: written
WITH hist AS (SELECT min(ts) AS t0 FROM midwatch.error_events
  WHERE project_id = $1),
 win AS (SELECT DISTINCT service_id, fingerprint FROM midwatch.error_events
  WHERE project_id = $1 AND ts >= $3::timestamptz - interval '1 day'
  AND ts <= $4),
 firsts AS (SELECT w.service_id, w.fingerprint, (SELECT min(e.ts)
   FROM midwatch.error_events e WHERE e.project_id = $1
   AND e.service_id = w.service_id AND e.fingerprint = w.fingerprint)
   AS first_seen FROM win w),
 fresh AS (SELECT f.* FROM firsts f, hist
  WHERE f.first_seen >= $3::timestamptz - interval '1 day'
  AND f.first_seen <= $4
  AND f.first_seen >= hist.t0 + interval '1 hour'),
 occ AS (SELECT f.service_id, f.fingerprint, f.first_seen, e.ts,
  e.message, e.severity, e.error_type,
  coalesce(extract(epoch FROM e.ts - lag(e.ts) OVER w) > 900, false)
   AS gap FROM fresh f JOIN midwatch.error_events e
  ON e.project_id = $1 AND e.service_id = f.service_id
  AND e.fingerprint = f.fingerprint AND e.ts <= $4
  WINDOW w AS (PARTITION BY f.service_id, f.fingerprint ORDER BY e.ts)),
 burst AS (SELECT *, sum(gap::int) OVER (PARTITION BY service_id,
  fingerprint ORDER BY ts) AS cluster FROM occ),
 agg AS (SELECT service_id, fingerprint, min(first_seen) AS first_seen,
  max(ts) AS last_seen, count(*) AS n,
  count(*) FILTER (WHERE ts < first_seen + interval '15 minutes') AS n15,
  (array_agg(message ORDER BY ts))[1] AS message,
  (array_agg(error_type ORDER BY ts))[1] AS error_type,
  min(CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1
   WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END) AS sev
  FROM burst WHERE cluster = 0 GROUP BY 1, 2),
 peak AS (SELECT DISTINCT ON (service_id, fingerprint) service_id,
  fingerprint, date_trunc('minute', ts) AS m, count(*) AS c
  FROM burst WHERE cluster = 0 GROUP BY 1, 2, 3
  ORDER BY service_id, fingerprint, c DESC, m)
 INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,
  signal_type, status, service_id, ref, severity, quality_score,
  onset_at, peak_at, ended_at, baseline, peak_value, direction, details)
 SELECT $1, $2, 'fp:' || a.service_id || ':' || a.fingerprint,
  'error_fingerprint_new', 'active', a.service_id, a.fingerprint,
  CASE WHEN a.sev <= 1 OR a.n15 >= 30 THEN 'high'
   WHEN a.n15 >= 10 THEN 'medium' ELSE 'low' END,
  least(1, 0.2 + 0.04 * a.n15), a.first_seen, p.m,
  CASE WHEN a.last_seen < $4::timestamptz - interval '15 minutes'
   THEN a.last_seen END, 0, p.c, 'up',
  jsonb_build_object('fingerprint', a.fingerprint, 'message',
   left(a.message, 300), 'error_type', a.error_type, 'count', a.n,
   'count_15min', a.n15, 'last_seen', a.last_seen)
 FROM agg a JOIN peak p USING (service_id, fingerprint)
 WHERE a.n15 >= 5
 ON CONFLICT (project_id, dedupe_key) DO UPDATE SET
  run_id = EXCLUDED.run_id, status = EXCLUDED.status,
  service_id = EXCLUDED.service_id, ref = EXCLUDED.ref,
  severity = EXCLUDED.severity, quality_score = EXCLUDED.quality_score,
  onset_at = EXCLUDED.onset_at, peak_at = EXCLUDED.peak_at,
  ended_at = EXCLUDED.ended_at, baseline = EXCLUDED.baseline,
  peak_value = EXCLUDED.peak_value, direction = EXCLUDED.direction,
  details = EXCLUDED.details RETURNING 1 AS written
