-- feedback/hypothesis_status - a hypothesis confirmed or rejected.
-- $1 project id
-- $2 hypothesis id
-- $3 actor id
-- $4 new status (confirmed, rejected)
-- columns: none
UPDATE midwatch.hypotheses SET status = $4,
status_source = 'feedback', status_changed_at = now(),
status_changed_by = $3
WHERE project_id = $1 AND id = $2
