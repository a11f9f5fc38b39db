-- pipeline/evidence_stale - deletes the incident's artifacts this run did not
-- produce again (human notes stay).
-- $1 project id
-- $2 run id
-- $3 incident id
-- columns: gone
DELETE FROM midwatch.evidence_artifacts WHERE project_id = $1
AND incident_id = $3 AND run_id IS DISTINCT FROM $2
AND source IN ('metric_points', 'funnel_snapshots', 'external_alerts',
 'health_checks', 'deployment_events', 'commit_files',
 'config_change_events', 'error_events', 'past_case_outcomes')
RETURNING 1 AS gone
