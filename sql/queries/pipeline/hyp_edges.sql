-- pipeline/hyp_edges - the project's service dependencies (to_service_id 0:
-- external).
-- $1 project id
-- columns: from_service_id, to_service_id, to_name, dep_kind
SELECT from_service_id, coalesce(to_service_id, 0) AS to_service_id, to_name, dep_kind
FROM midwatch.service_dependencies WHERE project_id = $1
ORDER BY from_service_id, to_name
