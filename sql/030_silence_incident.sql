-- 030_silence_incident.sql - an Alertmanager alert's silence knows its
-- midwatch incident (issue 9, "Acknowledgement goes back").
--
-- An alert mirrored from Alertmanager (fingerprint 'external:<fp>', 012)
-- has no alerts.incident_id: it joins an incident through the signal the
-- detect stage makes of each of its firing episodes (signal_type
-- 'external_alert', ref = <fp>), which the gate attaches to an incident.
--  * alert_incident(project, alert): the incident an alert belongs to - its
--    incident_id, or for a mirrored alert the incident of its latest
--    external_alert signal that belongs to one (latest by onset); NULL when
--    none.  The silence's comment names it (sources/silences_due).
--  * feedback_events_am_silence (014) restated: resolving an incident
--    expires the silences of the alerts alert_incident() says belong to it,
--    mirrored ones included (014 matched alerts.incident_id only, so
--    resolving the incident of a mirrored alert left its silence on).  The
--    candidates are found from the incident's side (signals_incident_idx,
--    then the alert by its unique fingerprint), so the cost is the
--    incident's signals, not the table's.
--  * signals_external_ref_idx: an alert's external_alert signals by ref,
--    which alert_incident() reads (without it, each call scans every signal
--    of the project).
--  * alert_silences_dead_idx: the silences that gave up recently, which
--    the health line counts (model/health_dead).
-- Runs in the migration runner's transaction.

CREATE INDEX IF NOT EXISTS signals_external_ref_idx
	ON midwatch.signals (project_id, ref, onset_at)
	WHERE signal_type = 'external_alert';
CREATE INDEX IF NOT EXISTS alert_silences_dead_idx
	ON midwatch.alert_silences (project_id, updated_at)
	WHERE state = 'dead';

CREATE OR REPLACE FUNCTION midwatch.alert_incident(p_project bigint,
    p_alert bigint)
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT coalesce(a.incident_id, (SELECT g.incident_id
	  FROM midwatch.signals g
	 WHERE g.project_id = a.project_id AND g.signal_type = 'external_alert'
	   AND g.ref = substr(a.fingerprint, 10) AND g.incident_id IS NOT NULL
	 ORDER BY g.onset_at DESC, g.id DESC LIMIT 1))
	  FROM midwatch.alerts a
	 WHERE a.project_id = p_project AND a.id = p_alert
	   AND (a.incident_id IS NOT NULL OR a.fingerprint LIKE 'external:%');
$$;
COMMENT ON FUNCTION midwatch.alert_incident(bigint, bigint) IS
	'The incident an alert belongs to: its incident_id, or a mirrored alert''s latest external_alert signal''s.';

CREATE OR REPLACE FUNCTION midwatch.feedback_events_am_silence() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	e        record;
	v_ends   timestamptz;
	v_alerts bigint[];
BEGIN
	IF NEW.event_type IN ('alert_acknowledged', 'alert_silenced') THEN
		-- the alert's latest event from a pulled Alertmanager
		SELECT x.labels, s.id AS source_id,
		       coalesce((s.config -> 'settings' ->> 'silence-for')::integer,
		           3600) AS silence_for
		  INTO e
		  FROM midwatch.alerts a
		  JOIN midwatch.external_alerts x
		    ON x.project_id = a.project_id
		   AND 'external:' || x.fingerprint = a.fingerprint
		  JOIN midwatch.ingest_sources s
		    ON s.project_id = x.project_id AND s.kind = 'alertmanager'
		   AND s.name = x.extra ->> 'midwatch_source'
		 WHERE a.project_id = NEW.project_id AND a.id = NEW.target_id
		 ORDER BY x.ts DESC LIMIT 1;
		IF NOT FOUND OR e.labels IS NULL OR e.labels = '{}'::jsonb THEN
			RETURN NULL;
		END IF;
		v_ends := now() + make_interval(secs => CASE
		    WHEN NEW.event_type = 'alert_silenced'
		    THEN coalesce((NEW.payload ->> 'seconds')::double precision, 3600)
		    ELSE e.silence_for END);
		-- a silence that already covers as long needs no second one
		IF EXISTS (SELECT 1 FROM midwatch.alert_silences
		            WHERE project_id = NEW.project_id AND alert_id = NEW.target_id
		              AND state IN ('pending', 'active') AND ends_at >= v_ends) THEN
			RETURN NULL;
		END IF;
		INSERT INTO midwatch.alert_silences (project_id, alert_id, source_id,
		       feedback_event_id, matchers, ends_at)
		SELECT NEW.project_id, NEW.target_id, e.source_id, NEW.id,
		       coalesce(jsonb_agg(jsonb_build_object('name', k, 'value', v,
		           'isRegex', false, 'isEqual', true) ORDER BY k), '[]'),
		       v_ends
		  FROM jsonb_each_text(e.labels) AS l (k, v)
		ON CONFLICT (project_id, feedback_event_id) DO NOTHING;
	ELSIF NEW.event_type IN ('alert_resolved', 'alert_unsilenced',
	                         'incident_resolved') THEN
		IF NEW.target_kind = 'alert' THEN
			v_alerts := ARRAY[NEW.target_id];
		ELSE
			-- the incident's alerts, and its mirrored ones through
			-- their signals (whose latest incident it is)
			SELECT coalesce(array_agg(DISTINCT x.id), '{}') INTO v_alerts
			  FROM (SELECT a.id FROM midwatch.alerts a
			         WHERE a.project_id = NEW.project_id
			           AND a.incident_id = NEW.target_id
			        UNION ALL
			        SELECT a.id FROM midwatch.signals g
			          JOIN midwatch.alerts a
			            ON a.project_id = g.project_id
			           AND a.fingerprint = 'external:' || g.ref
			         WHERE g.project_id = NEW.project_id
			           AND g.incident_id = NEW.target_id
			           AND g.signal_type = 'external_alert'
			           AND midwatch.alert_incident(NEW.project_id, a.id)
			               = NEW.target_id) x;
		END IF;
		UPDATE midwatch.alert_silences s
		   SET state = CASE WHEN s.state = 'pending' THEN 'expired'
		                    ELSE 'expiring' END,
		       expire_event_id = NEW.id, next_attempt_at = now(), attempts = 0,
		       last_error = NULL
		 WHERE s.project_id = NEW.project_id
		   AND s.alert_id = ANY (v_alerts)
		   AND s.state IN ('pending', 'active');
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION midwatch.feedback_events_am_silence() IS
	'Acks and silences of Alertmanager alerts queue a silence there; resolves (of the alert or its incident, signals included) expire it.';
