-- notify/channel_synced - the audit entry of a channel a declaration added
-- or changed.
-- $1 project id
-- $2 actor
-- $3 action (channel.added, channel.changed)
-- $4 channel name
-- $5 origin (where the declaration came from)
-- $6 kind
-- $7 whether it was put on all rules (true, false)
-- $8 settings (JSON text)
-- $9 the row before (JSON text, NULL when new)
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action,
      target, details)
VALUES ($1, $2, $3, 'channel:' || $4,
        jsonb_build_object('origin', $5::text, 'kind', $6::text,
            'all_rules', $7::boolean, 'settings', $8::jsonb,
            'before', $9::jsonb))
