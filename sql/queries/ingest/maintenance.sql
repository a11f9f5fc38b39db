-- ingest/maintenance - upserts maintenance windows; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (service_id, starts_at, ends_at) *
    FROM jsonb_to_recordset($2::jsonb) AS x(service_id bigint,
         starts_at timestamptz, ends_at timestamptz, reason text,
         extra jsonb, _line bigint)
   ORDER BY service_id, starts_at, ends_at, _line DESC),
 r AS (
  INSERT INTO midwatch.maintenance_windows AS m
         (project_id, service_id, starts_at, ends_at, reason, extra)
  SELECT $1, service_id, starts_at, ends_at, reason, coalesce(extra, '{}')
    FROM x
  ON CONFLICT (project_id, service_id, starts_at, ends_at) DO UPDATE
     SET reason = EXCLUDED.reason, extra = EXCLUDED.extra
   WHERE (m.reason, m.extra) IS DISTINCT FROM (EXCLUDED.reason, EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
