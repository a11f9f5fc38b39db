-- pipeline/hyp_evidence - the incident's evidence artifacts (observed: epoch
-- seconds).
-- $1 project id
-- $2 incident id
-- columns: id, kind, ref, service_id, observed, metadata
SELECT id, kind, ref, service_id,
extract(epoch FROM coalesce(observed_at, created_at)) AS observed, metadata::text
FROM midwatch.evidence_artifacts WHERE project_id = $1
AND incident_id = $2 ORDER BY observed_at, kind, dedupe_key
