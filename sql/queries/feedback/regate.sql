-- feedback/regate - re-gates the recommendations of a hypothesis
-- (midwatch.apply_recommendation_gate).
-- $1 project id
-- $2 hypothesis id
-- columns: apply_recommendation_gate
SELECT midwatch.apply_recommendation_gate($1, ARRAY(
	SELECT r.id FROM midwatch.recommendations r
	 WHERE r.project_id = $1 AND r.hypothesis_id = $2))
