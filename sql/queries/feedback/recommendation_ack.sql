-- feedback/recommendation_ack - a recommendation acknowledged.
-- $1 project id
-- $2 recommendation id
-- $3 actor id
-- columns: none
UPDATE midwatch.recommendations SET status = 'acknowledged',
status_source = 'feedback', acknowledged_at = now(),
acknowledged_by = $3, status_changed_at = now(), status_changed_by = $3
WHERE project_id = $1 AND id = $2
