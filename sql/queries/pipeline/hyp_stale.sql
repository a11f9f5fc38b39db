-- pipeline/hyp_stale - deletes the hypotheses no longer proposed, unless an
-- operator judged them.
-- $1 project id
-- $2 incident id
-- $3 run id
-- columns: none
DELETE FROM midwatch.hypotheses WHERE project_id = $1
AND incident_id = $2 AND run_id IS DISTINCT FROM $3
AND status_source = 'pipeline'
