-- feedback/alert_unsilence - unsilencing gives the alert back the status it
-- had: acknowledged when it was acknowledged before the silence, else active.
-- $1 project id
-- $2 alert id
-- columns: none
UPDATE midwatch.alerts SET status = CASE WHEN acknowledged_at IS NULL
THEN 'active' ELSE 'acknowledged' END, status_source = 'feedback',
silenced_until = NULL
WHERE project_id = $1 AND id = $2
