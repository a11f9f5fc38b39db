-- pipeline/hyp_insert - upserts one ranked hypothesis by (incident,
-- dedupe_key).
-- $1 project id
-- $2 run id
-- $3 incident id
-- $4 dedupe key
-- $5 rank
-- $6 hypothesis type
-- $7 service id (or NULL)
-- $8 ref (or NULL)
-- $9 title
-- $10 confidence
-- $11 score details (JSON text)
-- columns: id
INSERT INTO midwatch.hypotheses (project_id, run_id, incident_id,
dedupe_key, rank, hypothesis_type, service_id, ref, title,
confidence, score_details)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, rank = EXCLUDED.rank,
 hypothesis_type = EXCLUDED.hypothesis_type,
 service_id = EXCLUDED.service_id, ref = EXCLUDED.ref,
 title = EXCLUDED.title, confidence = EXCLUDED.confidence,
 score_details = EXCLUDED.score_details
RETURNING id
