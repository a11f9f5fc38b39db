-- cli/retention_keep - changes one retention policy, with an audit entry
-- (no row: no policy for the table).
-- $1 project id
-- $2 table name
-- $3 days, or forever
-- $4 actor
-- columns: changed
WITH old AS (SELECT keep_days FROM midwatch.retention_policies
              WHERE table_name = $2),
     upd AS (UPDATE midwatch.retention_policies SET keep_days =
               CASE WHEN $3 = 'forever' THEN NULL ELSE $3::int END
              WHERE table_name = $2 RETURNING keep_days)
INSERT INTO midwatch.audit_entries (project_id, actor, action,
       target, details)
SELECT $1, $4, 'retention.policy_changed', 'retention:' || $2,
       jsonb_build_object('before', o.keep_days, 'after', u.keep_days)
  FROM old o, upd u RETURNING 1 AS changed
