-- ingest/commit - upserts commits on (repo, sha); author is never
-- overwritten, so a name erased by midwatch.erase_actor() stays erased when
-- the same data comes again; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (repo, sha) *
    FROM jsonb_to_recordset($2::jsonb) AS x(repo text, sha text,
         author text, message text, authored_at timestamptz, extra jsonb,
         _line bigint)
   ORDER BY repo, sha, _line DESC),
 r AS (
  INSERT INTO midwatch.commits AS c
         (project_id, repo, sha, author, message, authored_at, extra)
  SELECT $1, repo, sha, author, message, authored_at, coalesce(extra, '{}')
    FROM x
  ON CONFLICT (project_id, repo, sha) DO UPDATE
     SET message = EXCLUDED.message, authored_at = EXCLUDED.authored_at,
         extra = EXCLUDED.extra
   WHERE (c.message, c.authored_at, c.extra) IS DISTINCT FROM
         (EXCLUDED.message, EXCLUDED.authored_at, EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
