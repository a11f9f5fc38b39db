-- cli/status_runs - the last pipeline runs (or only the skipped ones: the
-- windows given up), newest first, as one JSON array.
-- $1 project id
-- $2 which (runs, or anything else for the skipped ones)
-- $3 how many
-- columns: runs
SELECT coalesce(jsonb_agg(x ORDER BY x.id DESC), '[]')::text AS runs
  FROM (SELECT id, status, requested_by,
               midwatch.rfc3339(window_start) AS window_start,
               midwatch.rfc3339(window_end) AS window_end,
               midwatch.rfc3339(finished_at) AS finished_at,
               skipped_units, error FROM midwatch.pipeline_runs
         WHERE project_id = $1 AND kind = 'pipeline'
           AND ($2 = 'runs' OR status = 'skipped')
         ORDER BY id DESC LIMIT $3::int) x
