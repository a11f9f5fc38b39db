-- pipeline/hyp_evidence_clear - deletes a hypothesis' evidence rows.
-- $1 project id
-- $2 hypothesis id
-- columns: none
DELETE FROM midwatch.hypothesis_evidence
WHERE project_id = $1 AND hypothesis_id = $2
