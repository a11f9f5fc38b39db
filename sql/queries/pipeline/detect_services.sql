-- pipeline/detect_services - the services with metric points in the window:
-- per service one probe of the primary key, not every point of the window
-- (points always belong to a service: ingest checks each batch's services).
-- $1 project id
-- $2 window start
-- $3 window end
-- columns: id name
SELECT s.id, s.name FROM midwatch.services s
 WHERE s.project_id = $1 AND EXISTS (SELECT 1
  FROM midwatch.metric_points m WHERE m.project_id = $1
  AND m.service_id = s.id AND m.ts >= $2 AND m.ts <= $3)
 ORDER BY 1
