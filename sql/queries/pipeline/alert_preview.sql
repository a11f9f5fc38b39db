-- pipeline/alert_preview - what a rule would fire: its candidates (one of
-- pipeline/alert_cand_*, as pipeline/alert_merge takes them) with their
-- services' names, the first 1,000 by firing time.
-- $1 project id
-- $2 the candidates, jsonb [{fingerprint, title, severity, service_id, incident_id, fired_at, last_at}] (every value a string or null)
-- columns: fingerprint title severity service incident_id fired_at last_at
SELECT c.fingerprint, c.title, c.severity, s.name AS service, c.incident_id,
       midwatch.rfc3339(c.fired_at)
           AS fired_at,
       midwatch.rfc3339(c.last_at)
           AS last_at
  FROM jsonb_to_recordset($2::jsonb) AS c (fingerprint text, title text,
       severity text, service_id bigint, incident_id bigint,
       fired_at timestamptz, last_at timestamptz)
  LEFT JOIN midwatch.services s ON s.project_id = $1 AND s.id = c.service_id
 ORDER BY c.fired_at, c.fingerprint LIMIT 1000
