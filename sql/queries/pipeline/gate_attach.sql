-- pipeline/gate_attach - attaches signals to an incident.
-- $1 project id
-- $2 signal ids (bigint[])
-- $3 incident id
-- columns:
UPDATE midwatch.signals SET incident_id = $3
WHERE project_id = $1 AND id = ANY ($2::bigint[])
