-- feedback/alert_ack - an alert acknowledged by feedback (a silence ends).
-- $1 project id
-- $2 alert id
-- $3 actor id
-- columns: none
UPDATE midwatch.alerts SET status = 'acknowledged',
status_source = 'feedback', acknowledged_at = now(),
acknowledged_by = $3, silenced_until = NULL
WHERE project_id = $1 AND id = $2
