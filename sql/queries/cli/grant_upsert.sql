-- cli/grant_upsert - upserts a grant and audits it in the command's project
-- when it changed anything (one statement: the grant and its audit entry
-- together); the role before (NULL: new) and whether it changed.
-- $1 project id (NULL: every project)
-- $2 member (a PostgreSQL login)
-- $3 role (viewer, operator, admin)
-- $4 actor
-- $5 the command's project id (where the audit entry goes)
-- columns: before, changed
WITH before AS (
 SELECT role FROM midwatch.project_grants
  WHERE member = $2 AND project_id IS NOT DISTINCT FROM $1::bigint),
up AS (
 INSERT INTO midwatch.project_grants (project_id, member, role, granted_by)
 VALUES ($1::bigint, $2, $3, $4)
 ON CONFLICT (member, project_id) DO UPDATE SET role = EXCLUDED.role,
  granted_by = EXCLUDED.granted_by, granted_at = now()
  WHERE project_grants.role <> EXCLUDED.role
 RETURNING id),
aud AS (
 INSERT INTO midwatch.audit_entries (project_id, actor, action, target,
  details)
 SELECT $5::bigint, $4, CASE WHEN (SELECT role FROM before) IS NULL
  THEN 'grant.added' ELSE 'grant.changed' END, 'grant:' || $2,
  jsonb_build_object('member', $2, 'all_projects', $1::bigint IS NULL,
   'before', (SELECT role FROM before), 'after', $3)
  FROM up)
SELECT (SELECT role FROM before) AS before, EXISTS (SELECT 1 FROM up) AS changed
