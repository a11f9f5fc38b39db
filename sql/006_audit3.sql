-- 006_audit3.sql - a default notification channel: every alert the default
-- rules raise queues one notification on the local channel "log" (kind
-- log), so a fresh project - and the demo - has a notification record for
-- each alert before anyone has configured Slack or PagerDuty.  Delivering a
-- "log" message needs no network and no secret: the notify stage (a later
-- issue) writes it to midwatch's log and marks it sent.  An operator
-- replaces the channel (or sets channels to '[]') to route alerts
-- elsewhere; doc/pipeline-output.md describes it.
--
-- Idempotent; runs in the migration runner's transaction.

-- outbound_messages.channel_kind gains 'log'.
ALTER TABLE midwatch.outbound_messages
	DROP CONSTRAINT IF EXISTS outbound_messages_channel_kind_check;
ALTER TABLE midwatch.outbound_messages
	ADD CONSTRAINT outbound_messages_channel_kind_check
	CHECK (channel_kind IN ('slack', 'pagerduty', 'webhook', 'log'));
COMMENT ON COLUMN midwatch.outbound_messages.channel_kind IS
	'slack | pagerduty | webhook | log (local: written to the midwatch log).';

-- Gives the default rules of project p_project_id (created by 'system')
-- that notify nowhere the "log" channel.  Rules with channels are left as
-- they are.
CREATE OR REPLACE FUNCTION midwatch.apply_default_channel(p_project_id bigint)
RETURNS void
LANGUAGE sql AS $$
	UPDATE midwatch.alert_rules
	   SET channels = '[{"name": "log", "kind": "log"}]'
	 WHERE project_id = p_project_id AND created_by = 'system'
	   AND channels = '[]'::jsonb;
$$;
COMMENT ON FUNCTION midwatch.apply_default_channel(bigint) IS
	'Default rules without channels notify the local "log" channel.';

-- New projects: after the triggers of 002 and 005 created their rules
-- (AFTER triggers fire in name order).
CREATE OR REPLACE FUNCTION midwatch.projects_default_channel() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM midwatch.apply_default_channel(NEW.id);
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER projects_default_channel
	AFTER INSERT ON midwatch.projects
	FOR EACH ROW EXECUTE FUNCTION midwatch.projects_default_channel();

DO $$
BEGIN
	PERFORM midwatch.apply_default_channel(id) FROM midwatch.projects;
END
$$;
