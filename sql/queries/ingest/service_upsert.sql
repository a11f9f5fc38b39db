-- ingest/service_upsert - upserts declared services on (cluster, namespace,
-- name), the last line of a key winning; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (cluster, namespace, service)
         service, cluster, namespace, tier, coalesce(extra, '{}') AS extra
    FROM jsonb_to_recordset($2::jsonb) AS x(service text, cluster text,
         namespace text, tier text, extra jsonb, _line bigint)
   ORDER BY cluster, namespace, service, _line DESC),
 r AS (
  INSERT INTO midwatch.services AS s
         (project_id, cluster, namespace, name, tier, extra)
  SELECT $1, cluster, namespace, service, tier, extra FROM x
  ON CONFLICT (project_id, cluster, namespace, name) DO UPDATE
     SET tier = coalesce(EXCLUDED.tier, s.tier),
         extra = s.extra || EXCLUDED.extra
   WHERE s.tier IS DISTINCT FROM coalesce(EXCLUDED.tier, s.tier)
      OR s.extra IS DISTINCT FROM s.extra || EXCLUDED.extra
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
