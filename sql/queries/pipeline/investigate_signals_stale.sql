-- pipeline/investigate_signals_stale - removes the signals an earlier
-- investigation put in the incident.
-- $1 project id
-- $2 run id
-- $3 incident id
-- columns:
DELETE FROM midwatch.signals WHERE project_id = $1
AND incident_id = $3 AND run_id IS DISTINCT FROM $2
AND details ->> 'source' = 'investigate'
