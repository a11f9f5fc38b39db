-- cli/grant_revoke - deletes a grant and audits it; the role it gave (no
-- row: there was none).
-- $1 project id (NULL: every project)
-- $2 member
-- $3 actor
-- $4 the command's project id (where the audit entry goes)
-- columns: role
WITH del AS (
 DELETE FROM midwatch.project_grants
  WHERE member = $2 AND project_id IS NOT DISTINCT FROM $1::bigint
 RETURNING role),
aud AS (
 INSERT INTO midwatch.audit_entries (project_id, actor, action, target,
  details)
 SELECT $4::bigint, $3, 'grant.revoked', 'grant:' || $2,
  jsonb_build_object('member', $2, 'all_projects', $1::bigint IS NULL,
   'before', role, 'after', NULL) FROM del)
SELECT role FROM del
