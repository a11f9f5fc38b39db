-- pipeline/hyp_judged - the incident's hypotheses an operator judged, with
-- their status ('root_cause' for the confirmed root cause).
-- $1 project id
-- $2 incident id
-- columns: dedupe_key, status
SELECT h.dedupe_key, CASE WHEN h.id = i.root_cause_hypothesis_id
 THEN 'root_cause' ELSE h.status END AS status
FROM midwatch.hypotheses h JOIN midwatch.incidents i
 ON i.project_id = h.project_id AND i.id = h.incident_id
WHERE h.project_id = $1 AND h.incident_id = $2
AND h.status_source = 'feedback'
