-- ingest/links - links deploys to the commits they shipped, from either
-- side: the batch's deploys ($2) to known commits, and known deploys to the
-- batch's commits ($3).  A deploy may name a commit by an abbreviated sha of
-- at least 7 digits; how many links are new.
-- $1 project id
-- $2 ext ids of the batch's deploys that name commits (JSON array)
-- $3 shas of the batch's commits (JSON array)
-- columns: inserted
WITH r AS (
  INSERT INTO midwatch.deployment_commit_ranges
         (project_id, deployment_id, commit_id)
  SELECT DISTINCT d.project_id, d.id, c.id
    FROM midwatch.deployment_events d
   CROSS JOIN LATERAL unnest(d.commits) AS s(sha)
    JOIN midwatch.commits c
      ON c.project_id = d.project_id
     AND (c.sha = s.sha OR (length(s.sha) >= 7 AND starts_with(c.sha, s.sha)))
   WHERE d.project_id = $1
     AND (d.ext_id IN (SELECT jsonb_array_elements_text($2::jsonb))
          OR c.sha IN (SELECT jsonb_array_elements_text($3::jsonb)))
  ON CONFLICT DO NOTHING
  RETURNING 1)
SELECT count(*) AS inserted FROM r
