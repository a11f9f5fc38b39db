-- pipeline/hyp_prior - confirmed root causes of other incidents, counted by
-- type and service.
-- $1 project id
-- $2 incident id
-- columns: confirmed_hypothesis_type, root_cause_service_id, n
SELECT confirmed_hypothesis_type, root_cause_service_id, count(*) AS n
FROM midwatch.past_case_outcomes WHERE project_id = $1
AND outcome = 'confirmed' AND incident_id IS DISTINCT FROM $2
AND confirmed_hypothesis_type IS NOT NULL
AND root_cause_service_id IS NOT NULL GROUP BY 1, 2
