-- feedback/case_outcome - records what the incident's case teaches
-- (midwatch.record_case_outcome): when it ends, or when its root cause is
-- confirmed or withdrawn.
-- $1 project id
-- $2 incident id
-- $3 confirmed hypothesis id (NULL: none)
-- $4 actor id
-- columns: record_case_outcome
SELECT midwatch.record_case_outcome($1, $2, $3, $4)
