-- pipeline/hyp_evidence_insert - writes a hypothesis' evidence rows.
-- $1 project id
-- $2 run id
-- $3 hypothesis id
-- $4 rows (JSON array of role, evidence_id, expected_kind, weight, note)
-- columns: none
INSERT INTO midwatch.hypothesis_evidence (project_id, run_id,
hypothesis_id, evidence_id, role, expected_kind, weight, note)
SELECT $1, $2, $3, x.evidence_id, x.role,
 nullif(x.expected_kind, ''), round(x.weight::numeric, 3), x.note
FROM jsonb_to_recordset($4::jsonb) AS x (role text,
 evidence_id bigint, expected_kind text, weight float8, note text)
