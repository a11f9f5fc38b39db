-- ingest/commit_files - upserts the files of the batch's commits; how many
-- rows changed.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted
WITH x AS (
  SELECT DISTINCT ON (repo, sha) repo, sha, files
    FROM jsonb_to_recordset($2::jsonb) AS x(repo text, sha text,
         files jsonb, _line bigint)
   ORDER BY repo, sha, _line DESC),
 f AS (
  SELECT c.id AS commit_id, ff.path, ff.change_type,
         coalesce(ff.lines_added, 0) AS lines_added,
         coalesce(ff.lines_removed, 0) AS lines_removed
    FROM x
    JOIN midwatch.commits c
      ON c.project_id = $1 AND c.repo = x.repo AND c.sha = x.sha
   CROSS JOIN LATERAL jsonb_to_recordset(coalesce(x.files, '[]'))
         AS ff(path text, change_type text, lines_added integer,
               lines_removed integer)),
 r AS (
  INSERT INTO midwatch.commit_files AS cf
         (project_id, commit_id, path, change_type, lines_added, lines_removed)
  SELECT $1, commit_id, path, change_type, lines_added, lines_removed FROM f
  ON CONFLICT (commit_id, path) DO UPDATE
     SET change_type = EXCLUDED.change_type,
         lines_added = EXCLUDED.lines_added,
         lines_removed = EXCLUDED.lines_removed
   WHERE (cf.change_type, cf.lines_added, cf.lines_removed) IS DISTINCT FROM
         (EXCLUDED.change_type, EXCLUDED.lines_added, EXCLUDED.lines_removed)
  RETURNING 1)
SELECT count(*) AS inserted FROM r
