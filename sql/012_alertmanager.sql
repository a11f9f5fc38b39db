-- 012_alertmanager.sql - external alerts (Alertmanager webhook bodies and
-- `alert` lines) become midwatch alerts at ingest (issue 9):
--
--  * external_alerts.severity: midwatch's severity mapped at ingest from the
--    alert's `severity` label (ingest_alert_severity() in
--    src/ingest/ingest_alertmanager.c; NULL for rows stored before);
--  * midwatch.external_alerts_sync(): called by the ingest store in the
--    batch's transaction for the fingerprints the batch touched, keeps one
--    row of midwatch.alerts per external fingerprint (fingerprint
--    'external:<fingerprint>') in step with the events, so that an
--    Alertmanager alert is listed (`midwatch alerts`, the Alerts pane) and
--    can be acknowledged, silenced or resolved by id as soon as it arrives,
--    whatever the pipeline's gate decides about it.
--
-- The state of a fingerprint comes from all its events: it is firing when
-- its latest event is a firing one, resolved (at the first resolved event
-- after its latest firing) otherwise; its episode started at the first
-- firing event after the resolution before that.  Mirrored into its alert:
--
--   no alert yet                 -> opened 'active' (or 'resolved' with
--                                   resolved_by = the source);
--   resolved by the source       -> 'resolved', resolved_at/by = the
--                                   resolution and the source, whatever the
--                                   operator had said (acknowledged,
--                                   silenced); an operator's resolution
--                                   stays as it is;
--   firing again (new episode)   -> 'active' again, acknowledgement and
--                                   resolution cleared; a silence that has
--                                   not ended stays;
--   still firing, same episode   -> the status stays (the operator owns it).
--
-- Title, message, severity, service, labels and annotations follow the
-- latest event.  Every change is status_source 'pipeline' (the source's
-- word, not an operator's); nothing is written when nothing changed, so
-- ingesting the same input again is a no-op.  Mirrored alerts queue no
-- notifications (the alert rules do that) and belong to no incident.
--
-- Idempotent; runs in the migration runner's transaction.

ALTER TABLE midwatch.external_alerts ADD COLUMN IF NOT EXISTS severity text;
ALTER TABLE midwatch.external_alerts
	DROP CONSTRAINT IF EXISTS external_alerts_severity_check;
ALTER TABLE midwatch.external_alerts
	ADD CONSTRAINT external_alerts_severity_check
	CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info'));
COMMENT ON COLUMN midwatch.external_alerts.severity IS
	'midwatch severity mapped from labels.severity at ingest (NULL: older rows).';

CREATE OR REPLACE FUNCTION midwatch.external_alerts_sync(p_project_id bigint,
    p_fingerprints text[])
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	e record;
	a midwatch.alerts%ROWTYPE;
	v_fp text;
	v_title text;
	v_message text;
	v_details jsonb;
	v_firing boolean;
	v_new_episode boolean;
	v_by text;
	v_status text;
	v_source text;
	v_ack_at timestamptz;
	v_ack_by text;
	v_res_at timestamptz;
	v_res_by text;
	v_sil_at timestamptz;
	v_sil_until timestamptz;
	v_sil_by text;
	k bigint;
	n bigint := 0;
BEGIN
	FOR e IN
		-- One pass of window aggregates per fingerprint (no joins, so no
		-- plan depends on estimates of rows the batch just wrote):
		-- the latest firing event (a fingerprint that never fired has
		-- no alert), the resolution after it and the one before it, the
		-- episode's first firing since that, and the latest event's
		-- labels and text.
		WITH ev AS (
			SELECT x.*,
			       max(x.ts) FILTER (WHERE x.status = 'firing') OVER fp
			           AS last_firing,
			       count(*) FILTER (WHERE x.status = 'firing') OVER fp
			           AS firings
			  FROM midwatch.external_alerts x
			 WHERE x.project_id = p_project_id
			   AND x.fingerprint = ANY (p_fingerprints)
			WINDOW fp AS (PARTITION BY x.fingerprint)),
		ev2 AS (
			SELECT ev.*,
			       min(ev.ts) FILTER (WHERE ev.status = 'resolved'
			           AND ev.ts >= ev.last_firing) OVER fp AS resolved_at,
			       max(ev.ts) FILTER (WHERE ev.status = 'resolved'
			           AND ev.ts < ev.last_firing) OVER fp AS prev_resolved
			  FROM ev WHERE ev.last_firing IS NOT NULL
			WINDOW fp AS (PARTITION BY ev.fingerprint))
		SELECT DISTINCT ON (ev2.fingerprint) ev2.fingerprint,
		       ev2.last_firing, ev2.firings, ev2.resolved_at,
		       min(ev2.ts) FILTER (WHERE ev2.status = 'firing'
		           AND ev2.ts > coalesce(ev2.prev_resolved, '-infinity'))
		           OVER (PARTITION BY ev2.fingerprint) AS started_at,
		       ev2.labels, ev2.annotations, ev2.source, ev2.severity,
		       ev2.service_id, ev2.extra
		  FROM ev2
		 ORDER BY ev2.fingerprint, ev2.ts DESC, ev2.status = 'resolved' DESC
	LOOP
		v_fp := 'external:' || e.fingerprint;
		v_title := coalesce(nullif(e.labels ->> 'alertname', ''),
		    e.fingerprint) || coalesce(': '
		    || nullif(e.annotations ->> 'summary', ''), '');
		v_message := coalesce(nullif(e.annotations ->> 'description', ''),
		    nullif(e.annotations ->> 'summary', ''), '');
		v_details := jsonb_strip_nulls(jsonb_build_object(
		    'source', 'external',
		    'external_source', e.source,
		    'external_fingerprint', e.fingerprint,
		    'labels', e.labels,
		    'annotations', e.annotations,
		    'starts_at', e.started_at,
		    'ends_at', e.resolved_at,
		    'generator_url', e.extra ->> 'generator_url'));
		v_firing := e.resolved_at IS NULL;
		v_by := coalesce(e.source, 'external');

		SELECT * INTO a FROM midwatch.alerts
		 WHERE project_id = p_project_id AND fingerprint = v_fp
		   FOR UPDATE;
		IF NOT FOUND THEN
			INSERT INTO midwatch.alerts (project_id, service_id,
			       fingerprint, title, message, severity, status,
			       status_source, details, fire_count, last_fired_at,
			       resolved_at, resolved_by)
			VALUES (p_project_id, e.service_id, v_fp, v_title, v_message,
			       coalesce(e.severity, 'medium'),
			       CASE WHEN v_firing THEN 'active' ELSE 'resolved' END,
			       'pipeline', v_details, e.firings, e.last_firing,
			       e.resolved_at, CASE WHEN NOT v_firing THEN v_by END)
			ON CONFLICT (project_id, fingerprint) DO NOTHING;
			GET DIAGNOSTICS k = ROW_COUNT;
			n := n + k;
			CONTINUE;
		END IF;

		v_status := a.status;
		v_source := a.status_source;
		v_ack_at := a.acknowledged_at;
		v_ack_by := a.acknowledged_by;
		v_res_at := a.resolved_at;
		v_res_by := a.resolved_by;
		v_sil_at := a.silenced_at;
		v_sil_until := a.silenced_until;
		v_sil_by := a.silenced_by;
		v_new_episode := (a.details ->> 'starts_at')::timestamptz
		    IS DISTINCT FROM e.started_at;
		IF NOT v_firing THEN
			IF a.status <> 'resolved' OR (v_new_episode
			    AND a.resolved_at IS DISTINCT FROM e.resolved_at) THEN
				v_status := 'resolved';
				v_source := 'pipeline';
				v_res_at := e.resolved_at;
				v_res_by := v_by;
			END IF;
		ELSIF v_new_episode THEN
			v_source := 'pipeline';
			v_ack_at := NULL;
			v_ack_by := NULL;
			v_res_at := NULL;
			v_res_by := NULL;
			IF a.status = 'silenced' AND a.silenced_until > now() THEN
				v_status := 'silenced';
			ELSE
				v_status := 'active';
				v_sil_at := NULL;
				v_sil_until := NULL;
				v_sil_by := NULL;
			END IF;
		END IF;

		UPDATE midwatch.alerts SET
		       service_id = coalesce(e.service_id, a.service_id),
		       title = v_title, message = v_message,
		       severity = coalesce(e.severity, a.severity),
		       details = a.details || v_details,
		       fire_count = e.firings, last_fired_at = e.last_firing,
		       status = v_status, status_source = v_source,
		       acknowledged_at = v_ack_at, acknowledged_by = v_ack_by,
		       resolved_at = v_res_at, resolved_by = v_res_by,
		       silenced_at = v_sil_at, silenced_until = v_sil_until,
		       silenced_by = v_sil_by
		 WHERE id = a.id
		   AND (service_id, title, message, severity, details, fire_count,
		        last_fired_at, status, status_source, acknowledged_at,
		        acknowledged_by, resolved_at, resolved_by, silenced_at,
		        silenced_until, silenced_by)
		       IS DISTINCT FROM
		       (coalesce(e.service_id, a.service_id), v_title, v_message,
		        coalesce(e.severity, a.severity), a.details || v_details,
		        e.firings::integer, e.last_firing, v_status, v_source,
		        v_ack_at, v_ack_by, v_res_at, v_res_by, v_sil_at,
		        v_sil_until, v_sil_by);
		GET DIAGNOSTICS k = ROW_COUNT;
		n := n + k;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION midwatch.external_alerts_sync(bigint, text[]) IS
	'Mirrors the external alerts of the fingerprints into midwatch.alerts '
	'(one per fingerprint, ''external:<fingerprint>''); returns rows changed.';
