-- feedback/target_recommendation - locks a recommendation a feedback event
-- is about and reads its status and incident.
-- $1 project id
-- $2 recommendation id
-- columns: status, incident_id
SELECT status, incident_id FROM midwatch.recommendations
WHERE project_id = $1 AND id = $2 FOR UPDATE
