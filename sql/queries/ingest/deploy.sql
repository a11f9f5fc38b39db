-- ingest/deploy - upserts deployment events on ext_id; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (ext_id) *
    FROM jsonb_to_recordset($2::jsonb) AS x(ext_id text, service_id bigint,
         started_at timestamptz, finished_at timestamptz, deploy_type text,
         image_ref text, revision text, previous_revision text,
         is_rollback boolean, commits jsonb, extra jsonb, _line bigint)
   ORDER BY ext_id, _line DESC),
 r AS (
  INSERT INTO midwatch.deployment_events AS d
         (project_id, ext_id, service_id, started_at, finished_at,
          deploy_type, image_ref, revision, previous_revision, is_rollback,
          commits, extra)
  SELECT $1, ext_id, service_id, started_at, finished_at, deploy_type,
         image_ref, revision, previous_revision, coalesce(is_rollback, false),
         ARRAY(SELECT jsonb_array_elements_text(coalesce(x.commits, '[]'))),
         coalesce(extra, '{}')
    FROM x
  ON CONFLICT (project_id, ext_id) DO UPDATE
     SET service_id = EXCLUDED.service_id, started_at = EXCLUDED.started_at,
         finished_at = EXCLUDED.finished_at,
         deploy_type = EXCLUDED.deploy_type, image_ref = EXCLUDED.image_ref,
         revision = EXCLUDED.revision,
         previous_revision = EXCLUDED.previous_revision,
         is_rollback = EXCLUDED.is_rollback, commits = EXCLUDED.commits,
         extra = EXCLUDED.extra
   WHERE (d.service_id, d.started_at, d.finished_at, d.deploy_type,
          d.image_ref, d.revision, d.previous_revision, d.is_rollback,
          d.commits, d.extra) IS DISTINCT FROM
         (EXCLUDED.service_id, EXCLUDED.started_at, EXCLUDED.finished_at,
          EXCLUDED.deploy_type, EXCLUDED.image_ref, EXCLUDED.revision,
          EXCLUDED.previous_revision, EXCLUDED.is_rollback,
          EXCLUDED.commits, EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
