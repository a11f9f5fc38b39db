-- cli/project_create - a project by slug, created (slug as its name) when
-- missing.
-- $1 slug
-- columns: id
WITH ins AS (INSERT INTO midwatch.projects (slug, name) VALUES ($1, $1) ON CONFLICT (slug) DO NOTHING RETURNING id) SELECT id FROM ins UNION ALL SELECT id FROM midwatch.projects WHERE slug = $1
