-- pipeline/stats_reports - the slugs of the project's active reports.
-- $1 project id
-- columns: slugs
SELECT string_agg(slug, ', ' ORDER BY id) AS slugs
FROM midwatch.report_definitions WHERE project_id = $1
AND is_active
