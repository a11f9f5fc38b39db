-- ingest/service_tier - gives auto-created services without a tier the tier
-- a record named.
-- $1 project id
-- $2 service names, each with the tier a record gave it (JSON array of
-- {name, tier})
-- columns: none
UPDATE midwatch.services s SET tier = x.tier
  FROM jsonb_to_recordset($2::jsonb) AS x(name text, tier text)
 WHERE s.project_id = $1 AND s.name = x.name AND x.tier IS NOT NULL
   AND s.tier IS NULL AND s.extra ? 'auto_created'
