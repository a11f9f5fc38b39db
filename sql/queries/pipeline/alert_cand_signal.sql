-- pipeline/alert_cand_signal - a signal rule's candidates: active signals of a type
-- (of the run or its window; not of a suppressed incident), fingerprint
-- "signal:<dedupe_key>".  Ordered (first fired first), so new alerts get
-- their ids in the same order whatever plan reads the signals.
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- $5 rule severity
-- $6 signal type
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH cand AS (
  SELECT 'signal:' || g.dedupe_key AS fingerprint, g.service_id,
         coalesce(g.incident_id, CASE WHEN g.service_id IS NOT NULL THEN
             midwatch.incident_for($1, g.service_id, g.onset_at,
                 coalesce(g.peak_at, g.onset_at)) END) AS incident_id,
         g.signal_type || coalesce(' on ' || s.name, '')
         || coalesce(': ' || nullif(coalesce(g.details->>'summary',
                g.details->>'title', g.details #>> '{annotations,summary}',
                g.details->>'alertname',
                g.details #>> '{labels,alertname}', g.ref), ''), '')
             AS title,
         'Signal ' || g.signal_type || coalesce(' on ' || s.name, '')
         || ' (' || g.severity || ', quality '
         || to_char(g.quality_score, 'FM0.00') || ') since '
         || midwatch.rfc3339(g.onset_at)
         || coalesce('; ' || g.metric_name, '')
         || coalesce(' peak ' || g.peak_value, '')
         || coalesce(' vs baseline ' || g.baseline, '')
         || coalesce('; ' || g.ref, '') AS message,
         $5::text AS severity, g.quality_score::float8 AS score,
         g.onset_at AS fired_at,
         greatest(g.onset_at, coalesce(g.peak_at, g.onset_at)) AS last_at,
         jsonb_build_object('source', 'signal', 'signal_id', g.id,
             'signal_type', g.signal_type, 'ref', g.ref) AS details
    FROM midwatch.signals g
    LEFT JOIN midwatch.services s
      ON s.project_id = g.project_id AND s.id = g.service_id
   WHERE g.project_id = $1 AND g.signal_type = $6::text
     AND g.status IN ('active', 'diagnosed')
     AND (g.run_id = $2::bigint
          OR g.onset_at BETWEEN $3::timestamptz AND $4::timestamptz)
     AND (g.incident_id IS NULL OR EXISTS (
    SELECT 1 FROM midwatch.incidents i
     WHERE i.project_id = g.project_id AND i.id = g.incident_id
       AND i.status IN ('open', 'triaged')
       AND midwatch.incident_decision(i.project_id, i.id)
           IS DISTINCT FROM 'suppressed')))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
ORDER BY fired_at, fingerprint
