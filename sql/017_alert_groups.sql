-- 017_alert_groups.sql - alerts grouped by incident (issue 10, "Alert
-- noise"): Alertmanager's grouping and inhibition, decided by midwatch's own
-- topology.  The alert stage (src/pipeline/alert_group.c) fills, every run:
--
--   * alerts.group_key: 'incident:<id>' - the open incident the alert is a
--     symptom of (its incident_id, or, when that link is missing, the open
--     incident whose service or signals are connected to the alert's service
--     in service_dependencies and whose window holds the alert's firing);
--     NULL when the alert belongs to no open incident;
--   * alerts.group_head_id: the group's head - the alert on the most upstream
--     service of the group (the suspected origin), then the most severe, then
--     the earliest; the head points to itself;
--   * alerts.group_inhibited: a member whose notifications are held (they
--     are outbound_messages rows in the new status 'inhibited', never sent);
--   * alerts.group_reason: why ("symptom of incident 7, grouped under alert
--     41"), or why a member pages after all (more severe than its head, or
--     it outlived its incident).
--
-- midwatch.service_hops(project, from, to, max) counts the dependency edges
-- from a service to another (NULL when not reachable within max).
--
-- The PagerDuty acknowledge/resolve trigger of 011 is restated so that an
-- acknowledgement or resolution cascaded from a group head to its members
-- (src/feedback/feedback.c) queues nothing of its own: the head's event
-- already did, and a head resolved with its held members is the end of the
-- page.  doc/schema.md and doc/pipeline-output.md describe it.  Runs in the
-- migration runner's transaction.

ALTER TABLE midwatch.alerts
	ADD COLUMN IF NOT EXISTS group_key text,
	ADD COLUMN IF NOT EXISTS group_head_id bigint,
	ADD COLUMN IF NOT EXISTS group_inhibited boolean NOT NULL DEFAULT false,
	ADD COLUMN IF NOT EXISTS group_reason text;
ALTER TABLE midwatch.alerts DROP CONSTRAINT IF EXISTS alerts_group_head_fk;
ALTER TABLE midwatch.alerts ADD CONSTRAINT alerts_group_head_fk
	FOREIGN KEY (project_id, group_head_id)
	REFERENCES midwatch.alerts (project_id, id) ON DELETE SET NULL (group_head_id);
CREATE INDEX IF NOT EXISTS alerts_group_head_idx
	ON midwatch.alerts (project_id, group_head_id) WHERE group_head_id IS NOT NULL;
COMMENT ON COLUMN midwatch.alerts.group_key IS
	'incident:<id> of the open incident the alert belongs to (its group), or NULL.';
COMMENT ON COLUMN midwatch.alerts.group_head_id IS
	'The head of its group (most upstream service, then most severe, then earliest); itself for the head.';
COMMENT ON COLUMN midwatch.alerts.group_inhibited IS
	'A group member whose notifications are held (outbound_messages status inhibited).';
COMMENT ON COLUMN midwatch.alerts.group_reason IS
	'Why it is grouped (symptom of incident N, grouped under alert M) or pages anyway.';

ALTER TABLE midwatch.outbound_messages
	DROP CONSTRAINT IF EXISTS outbound_messages_status_check;
ALTER TABLE midwatch.outbound_messages
	ADD CONSTRAINT outbound_messages_status_check
	CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'inhibited'));
COMMENT ON COLUMN midwatch.outbound_messages.status IS
	'pending -> sending -> sent | failed | dead; inhibited: held, its alert is a grouped symptom.';

-- Dependency edges from service p_from to p_to (p_from calls ... calls
-- p_to), at most p_max; NULL when p_to is not reachable.
CREATE OR REPLACE FUNCTION midwatch.service_hops(p_project_id bigint,
    p_from bigint, p_to bigint, p_max integer)
RETURNS integer
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE down (sid, depth) AS (
		SELECT p_from, 0
		UNION
		SELECT d.to_service_id, down.depth + 1
		  FROM down JOIN midwatch.service_dependencies d
		    ON d.project_id = p_project_id AND d.from_service_id = down.sid
		 WHERE d.to_service_id IS NOT NULL AND down.depth < p_max)
	SELECT min(depth) FROM down WHERE sid = p_to;
$$;

-- 011's trigger, with two changes: an event cascaded from a group head
-- (payload.group_head_id) queues nothing, and the held members of the head
-- being resolved do not keep the page open.
CREATE OR REPLACE FUNCTION midwatch.feedback_events_notify_pagerduty() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	ev       text;
	v_alert_id bigint;
BEGIN
	ev := CASE NEW.event_type
	      WHEN 'alert_acknowledged' THEN 'acknowledge'
	      WHEN 'alert_silenced' THEN 'acknowledge'
	      WHEN 'alert_resolved' THEN 'resolve'
	      WHEN 'incident_resolved' THEN 'resolve' END;
	IF ev IS NULL OR NEW.payload ? 'group_head_id' THEN
		RETURN NULL;
	END IF;
	IF NEW.target_kind = 'alert' THEN
		v_alert_id := NEW.target_id;
	END IF;
	IF NEW.event_type = 'alert_resolved' AND NEW.incident_id IS NOT NULL
	   AND EXISTS (SELECT 1 FROM midwatch.alerts a
	                WHERE a.project_id = NEW.project_id
	                  AND a.incident_id = NEW.incident_id
	                  AND a.id <> NEW.target_id
	                  AND a.status <> 'resolved'
	                  AND NOT (a.group_inhibited
	                           AND a.group_head_id = NEW.target_id)) THEN
		RETURN NULL;
	END IF;
	INSERT INTO midwatch.outbound_messages (project_id, alert_id, incident_id,
	       incident_key, channel, channel_kind, event, payload, dedupe_key)
	SELECT DISTINCT ON (t.channel, t.incident_key)
	       NEW.project_id, v_alert_id, NEW.incident_id, t.incident_key, t.channel,
	       'pagerduty', ev,
	       jsonb_build_object('event', ev, 'feedback_event_id', NEW.id,
	           'feedback', NEW.event_type, 'incident_id', NEW.incident_id,
	           'alert_id', v_alert_id),
	       t.incident_key || ':' || t.channel || ':' || ev || ':' || NEW.id
	  FROM midwatch.outbound_messages t
	  JOIN midwatch.channels c
	    ON c.project_id = t.project_id AND c.name = t.channel AND c.kind = 'pagerduty'
	 WHERE t.project_id = NEW.project_id AND t.event = 'trigger'
	   AND t.status NOT IN ('dead', 'inhibited')
	   AND (t.incident_id = NEW.incident_id OR t.alert_id = v_alert_id)
	ON CONFLICT (project_id, dedupe_key) DO NOTHING;
	RETURN NULL;
END
$$;
