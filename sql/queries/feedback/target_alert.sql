-- feedback/target_alert - locks an alert a feedback event is about and
-- reads its status and incident.
-- $1 project id
-- $2 alert id
-- columns: status, incident_id
SELECT status, incident_id FROM midwatch.alerts
WHERE project_id = $1 AND id = $2 FOR UPDATE
