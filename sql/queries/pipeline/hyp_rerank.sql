-- pipeline/hyp_rerank - ranks the hypotheses kept from earlier runs after the
-- new ones.
-- $1 project id
-- $2 incident id
-- $3 run id
-- $4 hypotheses written
-- columns: none
WITH old AS (SELECT id, row_number() OVER (ORDER BY rank, id) AS k
 FROM midwatch.hypotheses WHERE project_id = $1 AND incident_id = $2
 AND run_id IS DISTINCT FROM $3)
UPDATE midwatch.hypotheses h SET rank = $4::int + old.k
FROM old WHERE h.id = old.id
