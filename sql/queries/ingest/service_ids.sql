-- ingest/service_ids - the ids of services by name; a name shared by several
-- clusters resolves to the oldest row (ids only grow, so the choice never
-- changes once made).
-- $1 project id
-- $2 service names, each with the tier a record gave it (JSON array of
-- {name, tier})
-- columns: name, id
SELECT DISTINCT ON (s.name) s.name, s.id FROM midwatch.services s
 WHERE s.project_id = $1 AND s.name IN
       (SELECT x.name FROM jsonb_to_recordset($2::jsonb) AS x(name text))
 ORDER BY s.name, s.id
