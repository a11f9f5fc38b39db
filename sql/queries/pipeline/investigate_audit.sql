-- pipeline/investigate_audit - the audit entry of an investigation.
-- $1 project id
-- $2 actor
-- $3 incident id
-- $4 details (jsonb)
-- columns:
INSERT INTO midwatch.audit_entries (project_id, actor, action,
target, details) VALUES ($1, $2, 'incident.investigate',
'incident:' || $3, $4::jsonb)
