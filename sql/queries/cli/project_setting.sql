-- cli/project_setting - a per-project setting's value
-- (midwatch.project_setting) and whether the project sets it.
-- $1 project id
-- $2 key
-- $3 the default
-- columns: seconds, set_here
SELECT midwatch.project_setting($1, $2, $3::float8) AS seconds,
       jsonb_typeof(p.settings -> $2) = 'number' AS set_here
  FROM midwatch.projects p WHERE p.id = $1
