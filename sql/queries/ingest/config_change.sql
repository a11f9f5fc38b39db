-- ingest/config_change - upserts config change events on ext_id; actor is
-- not overwritten (personal data, see ingest/commit); counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (ext_id) *
    FROM jsonb_to_recordset($2::jsonb) AS x(ext_id text, service_id bigint,
         detected_at timestamptz, change_kind text, resource_name text,
         source text, actor text, diff jsonb, extra jsonb, _line bigint)
   ORDER BY ext_id, _line DESC),
 r AS (
  INSERT INTO midwatch.config_change_events AS e
         (project_id, ext_id, service_id, detected_at, change_kind,
          resource_name, source, actor, diff, extra)
  SELECT $1, ext_id, service_id, detected_at, change_kind, resource_name,
         source, actor, diff, coalesce(extra, '{}') FROM x
  ON CONFLICT (project_id, ext_id) DO UPDATE
     SET service_id = EXCLUDED.service_id,
         detected_at = EXCLUDED.detected_at,
         change_kind = EXCLUDED.change_kind,
         resource_name = EXCLUDED.resource_name, source = EXCLUDED.source,
         diff = EXCLUDED.diff, extra = EXCLUDED.extra
   WHERE (e.service_id, e.detected_at, e.change_kind, e.resource_name,
          e.source, e.diff, e.extra) IS DISTINCT FROM
         (EXCLUDED.service_id, EXCLUDED.detected_at, EXCLUDED.change_kind,
          EXCLUDED.resource_name, EXCLUDED.source, EXCLUDED.diff,
          EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
