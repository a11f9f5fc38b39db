-- pipeline/stats_read - a window's snapshots as JSON, built by the database,
-- and whether the report asked for exists.
-- $1 project id
-- $2 window (day or week)
-- $3 report slug or NULL
-- columns: snapshots, found
WITH rep AS (SELECT r.id, r.slug, r.name, r.description,
 r.dimension_key, r.config FROM midwatch.report_definitions r
 JOIN midwatch.aggregate_windows w ON w.project_id = r.project_id
  AND w.report_slug = r.slug AND w.window_name = $2
 WHERE r.project_id = $1 AND r.is_active
 AND ($3::text IS NULL OR r.slug = $3)),
cell AS (SELECT m.report_slug, m.bucket_start, m.dimension_value,
 max(m.run_id) AS run_id,
 jsonb_object_agg(m.metric_name, m.metric_value) AS metrics
 FROM midwatch.metric_snapshots m JOIN rep ON rep.slug = m.report_slug
 WHERE m.project_id = $1 AND m.window_name = $2
 GROUP BY 1, 2, 3),
bk AS (SELECT c.report_slug, c.bucket_start, jsonb_build_object(
 'bucket_start', midwatch.rfc3339(c.bucket_start),
 'run_id', max(c.run_id),
 'rows', jsonb_agg(jsonb_build_object('dimension_value',
  c.dimension_value, 'metrics', c.metrics)
  ORDER BY c.dimension_value <> '*',
  (c.metrics ->> (rep.config #>> '{metrics,0,name}'))::float8 DESC
  NULLS LAST, c.dimension_value COLLATE "C")) AS b
 FROM cell c JOIN rep ON rep.slug = c.report_slug
 GROUP BY c.report_slug, c.bucket_start),
lr AS (SELECT jsonb_build_object('id', id, 'status', status,
 'requested_by', requested_by, 'finished_at', midwatch.rfc3339(finished_at), 'error', error)
 AS j FROM midwatch.pipeline_runs WHERE project_id = $1
 AND kind = 'stats' ORDER BY id DESC LIMIT 1)
SELECT jsonb_build_object('window', $2::text,
 'last_run', (SELECT j FROM lr),
 'reports', coalesce(jsonb_agg(jsonb_build_object('slug', rep.slug,
 'name', rep.name, 'description', rep.description,
 'dimension', rep.dimension_key,
 'metrics', coalesce(rep.config -> 'metrics', '[]'),
 'top', rep.config -> 'top', 'trend', rep.config -> 'trend',
 'buckets', coalesce((SELECT jsonb_agg(bk.b ORDER BY bk.bucket_start)
  FROM bk WHERE bk.report_slug = rep.slug), '[]'))
 ORDER BY rep.id), '[]'))::text AS snapshots,
($3::text IS NULL OR count(*) > 0) AS found
FROM rep
