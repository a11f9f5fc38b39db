-- notify/channel_removed - the audit entry of a removed channel.
-- $1 project id
-- $2 actor
-- $3 channel name
-- $4 rules changed
-- $5 messages dead-lettered
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action,
      target, details)
VALUES ($1, $2, 'channel.removed', 'channel:' || $3,
        jsonb_build_object('rules', $4::integer,
            'dead_lettered', $5::bigint))
