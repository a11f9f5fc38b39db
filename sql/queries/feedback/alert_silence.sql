-- feedback/alert_silence - an alert silenced by feedback for a while.
-- $1 project id
-- $2 alert id
-- $3 actor id
-- $4 seconds
-- columns: none
UPDATE midwatch.alerts SET status = 'silenced',
status_source = 'feedback', silenced_at = now(), silenced_by = $3,
silenced_until = now() + make_interval(secs => $4::double precision)
WHERE project_id = $1 AND id = $2
