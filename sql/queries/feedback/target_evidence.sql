-- feedback/target_evidence - reads the incident of an evidence artifact a
-- note is about (evidence has no status: NULL).
-- Only a published row (sql/015_run_output.sql): one a running or dead
-- run wrote is no such evidence.
-- $1 project id
-- $2 evidence artifact id
-- columns: status, incident_id
SELECT NULL::text AS status, incident_id
FROM midwatch.evidence_artifacts
WHERE project_id = $1 AND id = $2 AND published FOR SHARE
