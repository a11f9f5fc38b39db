-- ingest/service_auto - creates the services referenced by name but not
-- known (marked auto_created); how many.
-- $1 project id
-- $2 service names, each with the tier a record gave it (JSON array of
-- {name, tier})
-- columns: inserted
WITH x AS (
  SELECT DISTINCT ON (name) name, tier
    FROM jsonb_to_recordset($2::jsonb) AS x(name text, tier text)
   ORDER BY name, tier NULLS LAST),
 r AS (
  INSERT INTO midwatch.services (project_id, name, tier, extra)
  SELECT $1, x.name, x.tier, '{"auto_created": true}'::jsonb FROM x
   WHERE NOT EXISTS (SELECT 1 FROM midwatch.services s
                      WHERE s.project_id = $1 AND s.name = x.name)
  ON CONFLICT DO NOTHING
  RETURNING 1)
SELECT count(*) AS inserted FROM r
