-- cli/login_exists - whether a PostgreSQL role exists.
-- $1 login
-- columns: exists
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists
