-- pipeline/report_upsert - stores an incident's report unless it is unchanged;
-- a row when written.
-- $1 project id
-- $2 run id
-- $3 incident id
-- $4 markdown
-- $5 cited evidence ids (array text)
-- $6 details (JSON text)
-- columns: written
INSERT INTO midwatch.incident_reports AS r (project_id, run_id,
      incident_id, markdown, evidence_ids, details)
VALUES ($1, $2::bigint, $3, $4, $5::bigint[], $6::jsonb)
ON CONFLICT (incident_id) DO UPDATE
   SET run_id = EXCLUDED.run_id, markdown = EXCLUDED.markdown,
       evidence_ids = EXCLUDED.evidence_ids, details = EXCLUDED.details,
       generated_at = now()
 WHERE r.markdown IS DISTINCT FROM EXCLUDED.markdown
    OR r.evidence_ids IS DISTINCT FROM EXCLUDED.evidence_ids
RETURNING 1 AS written
