-- cli/owner - whether the user owns the schema (or is a superuser, or there
-- is no schema yet: whoever connects creates it), whether they may use it
-- at all, and who they are.
-- columns: owner, usage, login
SELECT coalesce((SELECT pg_has_role(current_user, n.nspowner, 'MEMBER')
                   FROM pg_namespace n WHERE n.nspname = 'midwatch'), true)
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
         AS owner,
       coalesce((SELECT has_schema_privilege(n.oid, 'USAGE')
                   FROM pg_namespace n WHERE n.nspname = 'midwatch'), true)
         AS usage,
       current_user::text AS login
