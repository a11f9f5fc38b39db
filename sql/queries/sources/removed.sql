-- sources/removed - the audit entry of a removed source.
-- $1 project id
-- $2 actor
-- $3 name
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action, target)
VALUES ($1, $2, 'source.removed', 'source:' || $3)
