-- feedback/alert_group - acknowledging or resolving a group's head
-- (sql/017_alert_groups.sql) does the same to the members it holds
-- (group_inhibited: they paged through the head), each a system event
-- naming the head; members that page on their own (more severe, outlived
-- their incident) are left to the operator.
-- $1 project id
-- $2 head alert id
-- $3 actor id
-- $4 event type (alert_acknowledged or alert_resolved)
-- columns: none
WITH m AS (
	UPDATE midwatch.alerts a SET status = CASE WHEN $4 = 'alert_resolved'
	       THEN 'resolved' ELSE 'acknowledged' END,
	       status_source = 'feedback', silenced_until = NULL,
	       acknowledged_at = CASE WHEN $4 = 'alert_resolved'
	           THEN a.acknowledged_at ELSE now() END,
	       acknowledged_by = CASE WHEN $4 = 'alert_resolved'
	           THEN a.acknowledged_by ELSE $3 END,
	       resolved_at = CASE WHEN $4 = 'alert_resolved' THEN now()
	           ELSE a.resolved_at END,
	       resolved_by = CASE WHEN $4 = 'alert_resolved' THEN $3
	           ELSE a.resolved_by END
	 WHERE a.project_id = $1 AND a.group_head_id = $2::bigint
	   AND a.id <> $2::bigint AND a.group_inhibited
	   AND (a.status = 'active' OR (a.status = 'acknowledged'
	        AND $4 = 'alert_resolved'))
	RETURNING a.id, a.incident_id)
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,
	event_type, target_kind, target_id, incident_id, payload,
	idempotency_key)
SELECT $1, 'system', 'midwatch', $4, 'alert', m.id, m.incident_id,
	jsonb_build_object('reason', CASE WHEN $4 = 'alert_resolved'
	    THEN 'resolved' ELSE 'acknowledged' END
	    || ' with its group head, alert ' || $2,
	    'group_head_id', $2::bigint, 'automatic', true),
	'system:' || $4 || ':' || m.id || ':head:' || $2 || ':'
	|| extract(epoch FROM now())
 FROM m
