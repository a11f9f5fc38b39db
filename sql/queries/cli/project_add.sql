-- cli/project_add - creates a project unless the slug is taken (no row
-- then).
-- $1 slug
-- $2 name
-- columns: id
INSERT INTO midwatch.projects (slug, name) VALUES ($1, $2)
    ON CONFLICT (slug) DO NOTHING RETURNING id
