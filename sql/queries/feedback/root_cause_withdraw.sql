-- feedback/root_cause_withdraw - rejecting the confirmed root cause
-- withdraws it; returns the incident when it was the root cause.
-- $1 project id
-- $2 hypothesis id
-- $3 incident id
-- columns: id
UPDATE midwatch.incidents SET root_cause_hypothesis_id = NULL
WHERE project_id = $1 AND id = $3
  AND root_cause_hypothesis_id = $2 RETURNING id
