-- notify/channel_added - the audit entry of an added channel.
-- $1 project id
-- $2 actor
-- $3 channel name
-- $4 kind
-- $5 whether it was put on all rules (true, false)
-- $6 settings (JSON text)
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action,
      target, details)
VALUES ($1, $2, 'channel.added', 'channel:' || $3,
        jsonb_build_object('kind', $4::text, 'all_rules', $5::boolean,
            'settings', $6::jsonb))
