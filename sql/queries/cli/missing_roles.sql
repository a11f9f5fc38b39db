-- cli/missing_roles - the group roles of sql/020_roles.sql that do not
-- exist (NULL: none), and who we are.
-- columns: missing, login
SELECT string_agg(n, ', ' ORDER BY n) AS missing, current_user::text AS login
  FROM unnest(ARRAY['midwatch_viewer', 'midwatch_operator',
                    'midwatch_admin']) n
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = n)
