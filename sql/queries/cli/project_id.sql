-- cli/project_id - a project by slug.
-- $1 slug
-- columns: id
SELECT id FROM midwatch.projects WHERE slug = $1
