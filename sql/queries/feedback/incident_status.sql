-- feedback/incident_status - an incident reopened or triaged: an earlier
-- resolution is undone.
-- $1 project id
-- $2 incident id
-- $3 new status (open, triaged)
-- columns: none
UPDATE midwatch.incidents SET status = $3, status_source = 'feedback',
resolved_at = NULL, resolved_by = NULL
WHERE project_id = $1 AND id = $2
