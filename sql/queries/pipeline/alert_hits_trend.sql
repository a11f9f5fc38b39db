-- pipeline/alert_hits_trend - a trend rule's candidates: the series
-- src/pipeline/alert_series.c found moved min_change_ratio against their
-- 5-minute average of window_seconds earlier for 3 minutes in a row (or
-- pipeline/alert_ref_trend, the reference, did), first and last firing and
-- the largest change, worded; fingerprint "rule:<id>:trend:<series>".
-- $1 project id
-- $2 rule id
-- $3 rule severity
-- $4 metric name
-- $5 direction (up or down)
-- $6 window (interval)
-- $7 the hits, jsonb [{service_id, labels_key, fired_at, last_at, change}] (every value a string)
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH hit AS (
  SELECT h.service_id, h.labels_key, h.fired_at, h.last_at, h.change
    FROM jsonb_to_recordset($7::jsonb) AS h (service_id bigint,
         labels_key text, fired_at timestamptz, last_at timestamptz,
         change float8)),
 cand AS (
  SELECT 'rule:' || $2::bigint || ':trend:' || h.service_id || ':'
         || $4::text || ':' || h.labels_key AS fingerprint,
         h.service_id,
         midwatch.incident_for($1, h.service_id, h.fired_at, h.fired_at)
             AS incident_id,
         $4::text || CASE WHEN $5::text = 'down' THEN ' falling on '
             ELSE ' rising on ' END || s.name || ' ('
         || to_char(h.change * 100, 'FMS9999990') || '% over '
         || (extract(epoch FROM $6::interval) / 60)::bigint || ' min)'
             AS title,
         s.name || ': ' || $4::text || ' moved '
         || to_char(h.change * 100, 'FMS9999990') || '% against its 5-minute average ' || (CASE WHEN extract(epoch FROM $6::interval) < 120 THEN extract(epoch FROM $6::interval)::bigint || ' s' ELSE (extract(epoch FROM $6::interval) / 60)::bigint || ' min' END) || ' earlier, sustained for 3 minutes, from '
         || midwatch.rfc3339(h.fired_at) AS message,
         $3::text AS severity, abs(h.change) AS score,
         h.fired_at, h.last_at,
         jsonb_build_object('source', 'trend', 'metric', $4::text,
             'labels_key', h.labels_key, 'change', h.change) AS details
    FROM hit h
    JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = h.service_id
   WHERE NOT midwatch.in_maintenance($1, h.service_id, h.fired_at))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
