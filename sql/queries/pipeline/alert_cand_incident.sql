-- pipeline/alert_cand_incident - approved open incidents touched by the run whose
-- severity compares (op, value): a candidate per incident, with the
-- incident's severity, fingerprint "incident:<dedupe_key>".
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- $5 op (a comparison: > >= < <= == = !=)
-- $6 severity to compare with
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH touched AS (
  SELECT i.* FROM midwatch.incidents i
   WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')
     AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint,
         $3::timestamptz, $4::timestamptz))),
 cand AS (
  SELECT 'incident:' || i.dedupe_key AS fingerprint, i.service_id,
         i.id AS incident_id,
         coalesce(nullif(i.title, ''),
             i.trigger_type || coalesce(' on ' || s.name, '')) AS title,
         'Incident ' || i.id || coalesce(' on ' || s.name, '') || ': '
         || i.trigger_type || ' since ' || midwatch.rfc3339(i.window_start)
         || '. ' || coalesce('Top hypothesis: ' || th.title
             || ' (confidence ' || to_char(th.confidence, 'FM0.00')
             || ').', 'No hypothesis yet.') AS message,
         i.severity, i.confidence::float8 AS score,
         i.window_start AS fired_at, i.window_end AS last_at,
         jsonb_build_object('source', 'incident', 'incident_id', i.id,
             'trigger_type', i.trigger_type,
             'window_start', i.window_start,
             'window_end', i.window_end) AS details
    FROM touched i
    LEFT JOIN midwatch.services s
      ON s.project_id = i.project_id AND s.id = i.service_id
    LEFT JOIN LATERAL (
    SELECT h.title, h.confidence FROM midwatch.hypotheses h
     WHERE h.project_id = i.project_id AND h.incident_id = i.id
       AND h.status <> 'rejected'
     ORDER BY h.rank, h.id LIMIT 1) th ON true
   WHERE midwatch.compare_op($5::text,
             midwatch.severity_rank(i.severity),
             midwatch.severity_rank($6::text)))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
