/*
 * stage_detect_sql.c - the signals the detect stage makes in SQL: new error
 * fingerprints, health streaks and external alerts (each statement takes
 * $1 project, $2 run, $3 window start, $4 window end and returns a row per
 * signal written; stage_detect.c runs each as a unit).
 */
#include "config.h"

#include "detect_int.h"

/* The ON CONFLICT tail shared by the SQL-made signals. */
#define SIGNAL_UPSERT \
	" ON CONFLICT (project_id, dedupe_key) DO UPDATE SET" \
	"  run_id = EXCLUDED.run_id, status = EXCLUDED.status," \
	"  service_id = EXCLUDED.service_id, ref = EXCLUDED.ref," \
	"  severity = EXCLUDED.severity, quality_score = EXCLUDED.quality_score," \
	"  onset_at = EXCLUDED.onset_at, peak_at = EXCLUDED.peak_at," \
	"  ended_at = EXCLUDED.ended_at, baseline = EXCLUDED.baseline," \
	"  peak_value = EXCLUDED.peak_value, direction = EXCLUDED.direction," \
	"  details = EXCLUDED.details RETURNING 1"

/*
 * New error fingerprints: first seen (for that service, over all stored
 * history) inside the window or the day before it (a burst that began in an
 * earlier run is followed to its end), at least an hour after the project's
 * error history begins (else everything is "new"), and repeated: 5 or more
 * times in the 15 minutes after first seen.  The signal lasts while
 * occurrences continue with gaps under 15 minutes.
 */
const char detect_sql_fingerprints[] =
    "WITH hist AS (SELECT min(ts) AS t0 FROM midwatch.error_events"
    "  WHERE project_id = $1),"
    " win AS (SELECT DISTINCT service_id, fingerprint FROM midwatch.error_events"
    "  WHERE project_id = $1 AND ts >= $3::timestamptz - interval '1 day'"
    "  AND ts <= $4),"
    " firsts AS (SELECT w.service_id, w.fingerprint, (SELECT min(e.ts)"
    "   FROM midwatch.error_events e WHERE e.project_id = $1"
    "   AND e.service_id = w.service_id AND e.fingerprint = w.fingerprint)"
    "   AS first_seen FROM win w),"
    " fresh AS (SELECT f.* FROM firsts f, hist"
    "  WHERE f.first_seen >= $3::timestamptz - interval '1 day'"
    "  AND f.first_seen <= $4"
    "  AND f.first_seen >= hist.t0 + interval '1 hour'),"
    " occ AS (SELECT f.service_id, f.fingerprint, f.first_seen, e.ts,"
    "  e.message, e.severity, e.error_type,"
    "  coalesce(extract(epoch FROM e.ts - lag(e.ts) OVER w) > 900, false)"
    "   AS gap FROM fresh f JOIN midwatch.error_events e"
    "  ON e.project_id = $1 AND e.service_id = f.service_id"
    "  AND e.fingerprint = f.fingerprint AND e.ts <= $4"
    "  WINDOW w AS (PARTITION BY f.service_id, f.fingerprint ORDER BY e.ts)),"
    " burst AS (SELECT *, sum(gap::int) OVER (PARTITION BY service_id,"
    "  fingerprint ORDER BY ts) AS cluster FROM occ),"
    " agg AS (SELECT service_id, fingerprint, min(first_seen) AS first_seen,"
    "  max(ts) AS last_seen, count(*) AS n,"
    "  count(*) FILTER (WHERE ts < first_seen + interval '15 minutes') AS n15,"
    "  (array_agg(message ORDER BY ts))[1] AS message,"
    "  (array_agg(error_type ORDER BY ts))[1] AS error_type,"
    "  min(CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1"
    "   WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END) AS sev"
    "  FROM burst WHERE cluster = 0 GROUP BY 1, 2),"
    " peak AS (SELECT DISTINCT ON (service_id, fingerprint) service_id,"
    "  fingerprint, date_trunc('minute', ts) AS m, count(*) AS c"
    "  FROM burst WHERE cluster = 0 GROUP BY 1, 2, 3"
    "  ORDER BY service_id, fingerprint, c DESC, m)"
    " INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,"
    "  signal_type, status, service_id, ref, severity, quality_score,"
    "  onset_at, peak_at, ended_at, baseline, peak_value, direction, details)"
    " SELECT $1, $2, 'fp:' || a.service_id || ':' || a.fingerprint,"
    "  'error_fingerprint_new', 'active', a.service_id, a.fingerprint,"
    "  CASE WHEN a.sev <= 1 OR a.n15 >= 30 THEN 'high'"
    "   WHEN a.n15 >= 10 THEN 'medium' ELSE 'low' END,"
    "  least(1, 0.2 + 0.04 * a.n15), a.first_seen, p.m,"
    "  CASE WHEN a.last_seen < $4::timestamptz - interval '15 minutes'"
    "   THEN a.last_seen END, 0, p.c, 'up',"
    "  jsonb_build_object('fingerprint', a.fingerprint, 'message',"
    "   left(a.message, 300), 'error_type', a.error_type, 'count', a.n,"
    "   'count_15min', a.n15, 'last_seen', a.last_seen)"
    " FROM agg a JOIN peak p USING (service_id, fingerprint)"
    " WHERE a.n15 >= 5"
    SIGNAL_UPSERT;

/*
 * Health streaks: two or more consecutive non-healthy checks of a service
 * spanning at least two minutes; down anywhere in the streak makes it high.
 */
const char detect_sql_health[] =
    "WITH h AS (SELECT service_id, ts, status, error_rate, response_time_ms,"
    "  row_number() OVER (PARTITION BY service_id ORDER BY ts)"
    "  - row_number() OVER (PARTITION BY service_id, status <> 'healthy'"
    "    ORDER BY ts) AS grp, status <> 'healthy' AS bad"
    "  FROM midwatch.health_checks WHERE project_id = $1"
    "  AND ts >= $3::timestamptz - interval '6 hours' AND ts <= $4),"
    " latest AS (SELECT service_id, max(ts) AS t FROM h GROUP BY 1),"
    " s AS (SELECT service_id, grp, min(ts) AS onset, max(ts) AS last,"
    "  count(*) AS n, count(*) FILTER (WHERE status = 'down') AS ndown,"
    "  max(error_rate) AS max_err, max(response_time_ms) AS max_rt,"
    "  (array_agg(ts ORDER BY status = 'down' DESC, error_rate DESC NULLS LAST,"
    "   ts))[1] AS peak"
    "  FROM h WHERE bad GROUP BY 1, 2"
    "  HAVING count(*) >= 2 AND max(ts) - min(ts) >= interval '2 minutes')"
    " INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,"
    "  signal_type, status, service_id, severity, quality_score, onset_at,"
    "  peak_at, ended_at, peak_value, direction, details)"
    " SELECT $1, $2, 'h:' || s.service_id || ':' || floor(extract(epoch FROM s.onset))::bigint,"
    "  'health_down', 'active', s.service_id,"
    "  CASE WHEN s.ndown > 0 THEN 'high' ELSE 'medium' END,"
    "  least(1, 0.3 + 0.1 * s.n + CASE WHEN s.ndown > 0 THEN 0.2 ELSE 0 END),"
    "  s.onset, s.peak, CASE WHEN s.last < l.t THEN s.last END, s.max_err,"
    "  'down', jsonb_build_object('checks', s.n, 'down', s.ndown,"
    "   'degraded', s.n - s.ndown, 'max_error_rate', s.max_err,"
    "   'max_response_time_ms', s.max_rt)"
    " FROM s JOIN latest l USING (service_id)"
    " WHERE s.last >= $3 OR s.last = l.t"
    SIGNAL_UPSERT;

/*
 * External alerts: one signal per firing episode (consecutive firing
 * notifications until a resolved one), for episodes of the window and the day
 * before it (so the verdict settles once the hour after an episode is known).
 * An alert that fired 3 or more times within an hour is flapping: low
 * quality, watch.
 */
const char detect_sql_alerts[] =
    "WITH fir AS (SELECT a.fingerprint, a.ts, a.service_id, a.labels,"
    "  a.annotations, (SELECT max(r.ts) FROM midwatch.external_alerts r"
    "   WHERE r.project_id = $1 AND r.fingerprint = a.fingerprint"
    "   AND r.status = 'resolved' AND r.ts <= a.ts) AS prev_res"
    "  FROM midwatch.external_alerts a WHERE a.project_id = $1"
    "  AND a.status = 'firing' AND a.ts <= $4"
    "  AND a.ts >= $3::timestamptz - interval '1 day'),"
    " ep AS (SELECT fingerprint, prev_res, min(ts) AS onset,"
    "  (array_agg(service_id ORDER BY ts))[1] AS service_id,"
    "  (array_agg(labels ORDER BY ts))[1] AS labels,"
    "  (array_agg(annotations ORDER BY ts))[1] AS annotations"
    "  FROM fir GROUP BY 1, 2),"
    " ep2 AS (SELECT ep.*, (SELECT min(r.ts) FROM midwatch.external_alerts r"
    "   WHERE r.project_id = $1 AND r.fingerprint = ep.fingerprint"
    "   AND r.status = 'resolved' AND r.ts > ep.onset AND r.ts <= $4)"
    "   AS resolved_at,"
    "  (SELECT count(*) FROM ep e2 WHERE e2.fingerprint = ep.fingerprint"
    "   AND e2.onset BETWEEN ep.onset - interval '1 hour'"
    "   AND ep.onset + interval '1 hour') AS nearby FROM ep),"
    " x AS (SELECT *, nearby >= 3 AS flapping,"
    "  CASE lower(coalesce(labels ->> 'severity', ''))"
    "   WHEN 'critical' THEN 'critical' WHEN 'page' THEN 'critical'"
    "   WHEN 'error' THEN 'high' WHEN 'high' THEN 'high'"
    "   WHEN 'info' THEN 'info' WHEN 'low' THEN 'low' ELSE 'medium' END AS sev"
    "  FROM ep2)"
    " INSERT INTO midwatch.signals (project_id, run_id, dedupe_key,"
    "  signal_type, status, service_id, ref, severity, quality_score,"
    "  onset_at, peak_at, ended_at, direction, details)"
    " SELECT $1, $2, 'a:' || fingerprint || ':' || floor(extract(epoch FROM onset))::bigint,"
    "  'external_alert', CASE WHEN flapping THEN 'watch' ELSE 'active' END,"
    "  service_id, fingerprint, CASE WHEN flapping THEN 'low' ELSE sev END,"
    "  (CASE sev WHEN 'critical' THEN 0.6 WHEN 'high' THEN 0.5"
    "   WHEN 'medium' THEN 0.45 ELSE 0.3 END)"
    "   * CASE WHEN flapping THEN 0.3 ELSE 1 END,"
    "  onset, onset, resolved_at, 'up',"
    "  jsonb_build_object('alertname', labels ->> 'alertname',"
    "   'labels', labels, 'annotations', annotations, 'flapping', flapping,"
    "   'firings_within_hour', nearby)"
    " FROM x"
    SIGNAL_UPSERT;
