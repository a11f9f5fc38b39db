-- sources/added - the audit entry of an added source.
-- $1 project id
-- $2 actor
-- $3 name
-- $4 config (JSON text)
-- $5 kind
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action,
      target, details)
VALUES ($1, $2, 'source.added', 'source:' || $3, $4::jsonb
        || jsonb_build_object('kind', $5::text))
