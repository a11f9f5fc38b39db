-- pipeline/investigate_calls - the calls between the project's services.
-- $1 project id
-- columns: from_service_id to_service_id
SELECT from_service_id, to_service_id
FROM midwatch.service_dependencies WHERE project_id = $1
AND to_service_id IS NOT NULL
