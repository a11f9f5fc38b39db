-- pipeline/hyp_classify - the incident's classification and confidence from
-- its rank-1 hypothesis.
-- $1 project id
-- $2 incident id
-- columns: none
UPDATE midwatch.incidents i SET classification = h.hypothesis_type,
confidence = h.confidence FROM midwatch.hypotheses h
WHERE i.project_id = $1 AND i.id = $2 AND h.project_id = $1
AND h.incident_id = i.id AND h.rank = 1
