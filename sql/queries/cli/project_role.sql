-- cli/project_role - what the user may do in a project
-- (midwatch.project_role, sql/020_roles.sql).
-- $1 project id
-- columns: project_role
SELECT midwatch.project_role($1)
