-- housekeeping/audit - the audit entry of a housekeeping step or a purge.
-- $1 project id
-- $2 actor (system for the daily housekeeping)
-- $3 action (dead_letters.expired, case_signatures.refreshed,
--    retention.purged)
-- $4 details (JSON text)
-- columns: none
INSERT INTO midwatch.audit_entries (project_id, actor, action, details)
VALUES ($1, $2, $3, $4::jsonb)
