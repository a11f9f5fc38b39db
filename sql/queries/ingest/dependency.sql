-- ingest/dependency - upserts service dependencies; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (from_service_id, to_name) *
    FROM jsonb_to_recordset($2::jsonb) AS x(from_service_id bigint,
         to_name text, to_service_id bigint, dep_kind text, extra jsonb,
         _line bigint)
   ORDER BY from_service_id, to_name, _line DESC),
 r AS (
  INSERT INTO midwatch.service_dependencies AS d
         (project_id, from_service_id, to_name, to_service_id, dep_kind, extra)
  SELECT $1, from_service_id, to_name, to_service_id, dep_kind,
         coalesce(extra, '{}') FROM x
  ON CONFLICT (project_id, from_service_id, to_name) DO UPDATE
     SET to_service_id = EXCLUDED.to_service_id,
         dep_kind = EXCLUDED.dep_kind, extra = EXCLUDED.extra
   WHERE (d.to_service_id, d.dep_kind, d.extra) IS DISTINCT FROM
         (EXCLUDED.to_service_id, EXCLUDED.dep_kind, EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
