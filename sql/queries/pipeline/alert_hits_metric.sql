-- pipeline/alert_hits_metric - a threshold rule's candidates: the series
-- src/pipeline/alert_series.c found held (op, value) for for_seconds (or
-- pipeline/alert_ref_metric, the reference, did), first and last firing
-- and worst value, worded; fingerprint "rule:<id>:metric:<series>".
-- $1 project id
-- $2 rule id
-- $3 rule severity
-- $4 metric name
-- $5 op
-- $6 value
-- $7 for (interval)
-- $8 the hits, jsonb [{service_id, labels_key, fired_at, last_at, worst}] (every value a string)
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH hit AS (
  SELECT h.service_id, h.labels_key, h.fired_at, h.last_at, h.worst
    FROM jsonb_to_recordset($8::jsonb) AS h (service_id bigint,
         labels_key text, fired_at timestamptz, last_at timestamptz,
         worst float8)),
 cand AS (
  SELECT 'rule:' || $2::bigint || ':metric:' || h.service_id || ':'
         || $4::text || ':' || h.labels_key AS fingerprint,
         h.service_id,
         midwatch.incident_for($1, h.service_id, h.fired_at, h.fired_at)
             AS incident_id,
         $4::text || ' ' || $5::text || ' ' || $6::float8 || ' on '
         || s.name || CASE WHEN h.labels_key <> ''
             THEN ' {' || h.labels_key || '}' ELSE '' END AS title,
         s.name || ': ' || $4::text || ' stayed ' || $5::text || ' '
         || $6::float8 || ' for ' || (CASE WHEN extract(epoch FROM $7::interval) < 120 THEN extract(epoch FROM $7::interval)::bigint || ' s' ELSE (extract(epoch FROM $7::interval) / 60)::bigint || ' min' END)
         || ' from '
         || midwatch.rfc3339(h.fired_at) || ' (worst ' || h.worst || ')'
             AS message,
         $3::text AS severity,
         CASE WHEN abs($6::float8) >= 1e-100
         THEN h.worst / $6::float8 END
             AS score,
         h.fired_at, h.last_at,
         jsonb_build_object('source', 'metric', 'metric', $4::text,
             'labels_key', h.labels_key, 'worst', h.worst) AS details
    FROM hit h
    JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = h.service_id
   WHERE NOT midwatch.in_maintenance($1, h.service_id, h.fired_at))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
