-- ingest/scope - which of the batch's service ids are services of the
-- project (a point whose service is not refuses the batch).
-- $1 project id
-- $2 service ids (bigint array literal)
-- columns: id
SELECT id FROM midwatch.services
 WHERE project_id = $1 AND id = ANY ($2::bigint[])
