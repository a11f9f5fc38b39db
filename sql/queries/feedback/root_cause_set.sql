-- feedback/root_cause_set - a confirmed hypothesis becomes its incident's
-- root cause.
-- $1 project id
-- $2 hypothesis id
-- $3 incident id
-- columns: none
UPDATE midwatch.incidents SET root_cause_hypothesis_id = $2
WHERE project_id = $1 AND id = $3
  AND root_cause_hypothesis_id IS DISTINCT FROM $2
