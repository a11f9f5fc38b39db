-- feedback/alert_resolve - an alert resolved by feedback (a silence ends).
-- $1 project id
-- $2 alert id
-- $3 actor id
-- columns: none
UPDATE midwatch.alerts SET status = 'resolved',
status_source = 'feedback', resolved_at = now(), resolved_by = $3,
silenced_until = NULL
WHERE project_id = $1 AND id = $2
