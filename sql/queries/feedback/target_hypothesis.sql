-- feedback/target_hypothesis - locks a hypothesis a feedback event is about
-- and reads its status and incident.
-- $1 project id
-- $2 hypothesis id
-- columns: status, incident_id
SELECT status, incident_id FROM midwatch.hypotheses
WHERE project_id = $1 AND id = $2 FOR UPDATE
