-- ingest/funnel - upserts funnel snapshots on (funnel_type, ts); counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (funnel_type, ts) *
    FROM jsonb_to_recordset($2::jsonb) AS x(ts timestamptz, funnel_type text,
         steps jsonb, revenue_per_conversion double precision, extra jsonb,
         _line bigint)
   ORDER BY funnel_type, ts, _line DESC),
 r AS (
  INSERT INTO midwatch.funnel_snapshots AS f
         (project_id, ts, funnel_type, steps, revenue_per_conversion, extra)
  SELECT $1, ts, funnel_type, steps, revenue_per_conversion,
         coalesce(extra, '{}') FROM x
  ON CONFLICT (project_id, funnel_type, ts) DO UPDATE
     SET steps = EXCLUDED.steps,
         revenue_per_conversion = EXCLUDED.revenue_per_conversion,
         extra = EXCLUDED.extra
   WHERE (f.steps, f.revenue_per_conversion, f.extra) IS DISTINCT FROM
         (EXCLUDED.steps, EXCLUDED.revenue_per_conversion, EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
