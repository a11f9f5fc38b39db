-- feedback/incident_resolve - an incident resolved, with the resolution
-- text when one was given.
-- $1 project id
-- $2 incident id
-- $3 actor id
-- $4 resolution (NULL keeps the one recorded)
-- columns: none
UPDATE midwatch.incidents SET status = 'resolved',
status_source = 'feedback', resolved_at = now(), resolved_by = $3,
resolution = coalesce($4, resolution)
WHERE project_id = $1 AND id = $2
