-- cli/grants - the grants reaching a project (its own and every-project
-- ones), and whether each login is in its group role.
-- $1 project id
-- columns: member, role, all_projects, granted_by, granted_at, in_group_role
SELECT g.member, g.role, g.project_id IS NULL AS all_projects,
       coalesce(g.granted_by, '-') AS granted_by,
       midwatch.rfc3339(g.granted_at)
         AS granted_at,
       coalesce((SELECT pg_has_role(g.member, 'midwatch_' || g.role, 'MEMBER')
                   FROM pg_roles gr, pg_roles mr
                  WHERE gr.rolname = 'midwatch_' || g.role
                    AND mr.rolname = g.member), false) AS in_group_role
  FROM midwatch.project_grants g
 WHERE g.project_id = $1::bigint OR g.project_id IS NULL
 ORDER BY g.member COLLATE "C", g.project_id NULLS FIRST
