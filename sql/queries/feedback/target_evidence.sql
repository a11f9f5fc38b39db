-- feedback/target_evidence - reads the incident of an evidence artifact a
-- note is about (evidence has no status: NULL).
-- $1 project id
-- $2 evidence artifact id
-- columns: status, incident_id
SELECT NULL::text AS status, incident_id
FROM midwatch.evidence_artifacts
WHERE project_id = $1 AND id = $2 FOR SHARE
