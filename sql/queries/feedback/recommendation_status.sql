-- feedback/recommendation_status - a recommendation done or dismissed.
-- $1 project id
-- $2 recommendation id
-- $3 actor id
-- $4 new status (done, dismissed)
-- columns: none
UPDATE midwatch.recommendations SET status = $4,
status_source = 'feedback', status_changed_at = now(),
status_changed_by = $3
WHERE project_id = $1 AND id = $2
