-- cli/projects_known - the first projects by slug, and how many there are
-- (for "no project 'X' (known: a, b, c)").
-- $1 how many to list
-- columns: slug, total
SELECT slug, count(*) OVER () AS total FROM midwatch.projects
 ORDER BY slug COLLATE "C" LIMIT $1::int
