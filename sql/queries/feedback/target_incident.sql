-- feedback/target_incident - locks an incident a feedback event is about and
-- reads its status (its incident is itself).
-- Only a published row (sql/015_run_output.sql): one a running or dead
-- run wrote is no such incident.
-- $1 project id
-- $2 incident id
-- columns: status, incident_id
SELECT status, id AS incident_id FROM midwatch.incidents
WHERE project_id = $1 AND id = $2 AND published FOR UPDATE
