-- feedback/target_alert - locks an alert a feedback event is about and
-- reads its status and incident.
-- Only a published row (sql/015_run_output.sql): one a running or dead
-- run wrote is no such alert.
-- $1 project id
-- $2 alert id
-- columns: status, incident_id
SELECT status, incident_id FROM midwatch.alerts
WHERE project_id = $1 AND id = $2 AND published FOR UPDATE
