-- pipeline/investigate_service - the services of a name.
-- $1 project id
-- $2 service name
-- columns: id
SELECT id FROM midwatch.services WHERE project_id = $1
AND name = $2 ORDER BY id
