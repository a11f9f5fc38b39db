-- 005_feedback.sql - what the feedback writer and the recommend/alert/report
-- stages need beyond 001/002: the recommendation evidence gate, the
-- learning record written when a root cause is confirmed, small comparison
-- helpers for alert rules, and two more default alert rules (an alert per
-- approved incident of severity medium or worse, and one per firing external
-- alert) so that a fresh project alerts on what the pipeline finds.
--
-- Idempotent like 002 (CREATE OR REPLACE, ON CONFLICT DO NOTHING); runs in the
-- migration runner's transaction.  doc/feedback.md and
-- doc/pipeline-output.md describe the rules implemented here.

-- ---------------------------------------------------------------------------
-- Helpers for alert rules
-- ---------------------------------------------------------------------------

-- Orders severities: info 0 < low 1 < medium 2 < high 3 < critical 4 (NULL
-- for anything else).
CREATE OR REPLACE FUNCTION midwatch.severity_rank(p_severity text)
RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_severity
	       WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2
	       WHEN 'high' THEN 3 WHEN 'critical' THEN 4 END;
$$;

-- Applies a rule's comparison operator (> >= < <= == !=) to two numbers; NULL
-- for an unknown operator, so a bad rule never matches.
CREATE OR REPLACE FUNCTION midwatch.compare_op(p_op text, p_a double precision,
    p_b double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_op
	       WHEN '>' THEN p_a > p_b WHEN '>=' THEN p_a >= p_b
	       WHEN '<' THEN p_a < p_b WHEN '<=' THEN p_a <= p_b
	       WHEN '==' THEN p_a = p_b WHEN '=' THEN p_a = p_b
	       WHEN '!=' THEN p_a <> p_b END;
$$;

-- The verdict of the latest gate decision for an incident (approved,
-- suppressed, or NULL when the gate has not decided).
CREATE OR REPLACE FUNCTION midwatch.incident_decision(p_project_id bigint,
    p_incident_id bigint)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT d.decision
	  FROM midwatch.incident_decisions d
	 WHERE d.project_id = p_project_id AND d.incident_id = p_incident_id
	 ORDER BY d.decided_at DESC, d.id DESC
	 LIMIT 1;
$$;

-- The approved, unresolved incident of a service (its own service, or one
-- of its signals is on the service) whose window overlaps
-- [p_from - 15 min, p_to + 15 min] (the newest one), or NULL: what a metric,
-- health or signal alert is linked to.
CREATE OR REPLACE FUNCTION midwatch.incident_for(p_project_id bigint,
    p_service_id bigint, p_from timestamptz, p_to timestamptz)
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT i.id
	  FROM midwatch.incidents i
	 WHERE i.project_id = p_project_id
	   AND (i.service_id = p_service_id
	        OR EXISTS (SELECT 1 FROM midwatch.signals g
	                    WHERE g.project_id = i.project_id AND g.incident_id = i.id
	                      AND g.service_id = p_service_id))
	   AND i.status IN ('open', 'triaged')
	   AND i.window_start <= p_to + interval '15 minutes'
	   AND i.window_end >= p_from - interval '15 minutes'
	   AND midwatch.incident_decision(i.project_id, i.id) = 'approved'
	 ORDER BY i.window_start DESC, i.id DESC
	 LIMIT 1;
$$;

-- ---------------------------------------------------------------------------
-- The recommendation evidence gate
-- ---------------------------------------------------------------------------

-- Recomputes evidence_count, gate_status, gate_reason and publishable of the
-- recommendations p_ids.  A recommendation passes when its hypothesis still
-- exists, is not rejected, cites at least one supporting evidence artifact,
-- and (unless an operator confirmed it) has confidence >= 0.20 and rank <= 3.
-- Rows whose gate did not change are not touched.  Returns rows changed.
-- Called by the recommend stage and by feedback (confirm/reject).
CREATE OR REPLACE FUNCTION midwatch.apply_recommendation_gate(p_project_id bigint,
    p_ids bigint[])
RETURNS integer
LANGUAGE sql AS $$
	WITH g AS (
		SELECT r.id, coalesce(ev.n, 0)::integer AS n,
		       CASE
		       WHEN r.hypothesis_id IS NULL OR h.id IS NULL THEN 'hypothesis withdrawn'
		       WHEN h.status = 'rejected' THEN 'hypothesis rejected'
		       WHEN coalesce(ev.n, 0) = 0 THEN 'no supporting evidence'
		       WHEN h.status <> 'confirmed' AND h.confidence < 0.20 THEN
		            'confidence ' || to_char(h.confidence, 'FM0.00') || ' below the floor 0.20'
		       WHEN h.status <> 'confirmed' AND h.rank > 3 THEN
		            'ranked ' || h.rank || '; only the top 3 hypotheses are actionable'
		       END AS reason
		  FROM midwatch.recommendations r
		  LEFT JOIN midwatch.hypotheses h
		    ON h.project_id = r.project_id AND h.id = r.hypothesis_id
		  LEFT JOIN LATERAL (
			SELECT count(DISTINCT he.evidence_id) AS n
			  FROM midwatch.hypothesis_evidence he
			 WHERE he.project_id = r.project_id
			   AND he.hypothesis_id = r.hypothesis_id
			   AND he.role = 'supports' AND he.evidence_id IS NOT NULL) ev ON true
		 WHERE r.project_id = p_project_id AND r.id = ANY (p_ids)),
	u AS (
		UPDATE midwatch.recommendations r
		   SET evidence_count = g.n,
		       gate_status = CASE WHEN g.reason IS NULL THEN 'passed' ELSE 'blocked' END,
		       gate_reason = g.reason,
		       publishable = g.reason IS NULL
		  FROM g
		 WHERE r.project_id = p_project_id AND r.id = g.id
		   AND (r.evidence_count, r.gate_status, r.gate_reason, r.publishable)
		       IS DISTINCT FROM
		       (g.n, CASE WHEN g.reason IS NULL THEN 'passed' ELSE 'blocked' END,
		        g.reason, g.reason IS NULL)
		RETURNING 1)
	SELECT count(*)::integer FROM u;
$$;
COMMENT ON FUNCTION midwatch.apply_recommendation_gate(bigint, bigint[]) IS
	'Evidence gate of recommendations: >= 1 supporting artifact, hypothesis not rejected, confidence >= 0.20 and rank <= 3 unless confirmed.';

-- ---------------------------------------------------------------------------
-- Learning: past_case_outcomes and case_signatures
-- ---------------------------------------------------------------------------

-- Records what an incident turned out to be.  With p_hypothesis_id: the
-- confirmed root cause (outcome 'confirmed', replacing an earlier one).
-- Without: outcome 'unconfirmed', unless a confirmed outcome exists already
-- (resolving an incident keeps its confirmed root cause).  Also (re)writes
-- the incident's case signature: its trigger, service, signal types and
-- metrics, supporting evidence kinds and config change kinds, with a hash
-- over trigger type, service and signal types for cheap similarity lookups.
CREATE OR REPLACE FUNCTION midwatch.record_case_outcome(p_project_id bigint,
    p_incident_id bigint, p_hypothesis_id bigint, p_actor text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	inc   record;
	oc    record;
	sig   jsonb;
	types text;
BEGIN
	SELECT i.id, i.service_id, i.trigger_type, i.severity, s.name AS service
	  INTO inc
	  FROM midwatch.incidents i
	  LEFT JOIN midwatch.services s ON s.project_id = i.project_id AND s.id = i.service_id
	 WHERE i.project_id = p_project_id AND i.id = p_incident_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no incident % in project %', p_incident_id, p_project_id
		    USING ERRCODE = 'no_data_found';
	END IF;

	IF p_hypothesis_id IS NOT NULL THEN
		INSERT INTO midwatch.past_case_outcomes AS o
		    (project_id, incident_id, confirmed_hypothesis_id, confirmed_hypothesis_type,
		     root_cause_service_id, ref, outcome, details)
		SELECT h.project_id, h.incident_id, h.id, h.hypothesis_type, h.service_id, h.ref,
		       'confirmed',
		       jsonb_build_object('confirmed_by', p_actor, 'title', h.title,
		           'confidence', h.confidence, 'rank', h.rank,
		           'trigger_type', inc.trigger_type, 'severity', inc.severity,
		           'incident_service_id', inc.service_id)
		  FROM midwatch.hypotheses h
		 WHERE h.project_id = p_project_id AND h.id = p_hypothesis_id
		   AND h.incident_id = p_incident_id
		ON CONFLICT (project_id, incident_id) DO UPDATE
		   SET confirmed_hypothesis_id = EXCLUDED.confirmed_hypothesis_id,
		       confirmed_hypothesis_type = EXCLUDED.confirmed_hypothesis_type,
		       root_cause_service_id = EXCLUDED.root_cause_service_id,
		       ref = EXCLUDED.ref,
		       outcome = 'confirmed',
		       details = EXCLUDED.details,
		       recorded_at = now();
		IF NOT FOUND THEN
			RAISE EXCEPTION 'hypothesis % is not a hypothesis of incident %',
			    p_hypothesis_id, p_incident_id USING ERRCODE = 'no_data_found';
		END IF;
	ELSE
		INSERT INTO midwatch.past_case_outcomes (project_id, incident_id, outcome, details)
		VALUES (p_project_id, p_incident_id, 'unconfirmed',
		        jsonb_build_object('recorded_by', p_actor,
		            'trigger_type', inc.trigger_type, 'severity', inc.severity,
		            'incident_service_id', inc.service_id))
		ON CONFLICT (project_id, incident_id) DO NOTHING;
	END IF;

	SELECT o.confirmed_hypothesis_id, o.confirmed_hypothesis_type, o.ref INTO oc
	  FROM midwatch.past_case_outcomes o
	 WHERE o.project_id = p_project_id AND o.incident_id = p_incident_id;

	SELECT coalesce(string_agg(DISTINCT g.signal_type, ',' ORDER BY g.signal_type), '')
	  INTO types
	  FROM midwatch.signals g
	 WHERE g.project_id = p_project_id AND g.incident_id = p_incident_id;

	sig := jsonb_build_object(
	    'trigger_type', inc.trigger_type,
	    'service', inc.service,
	    'signal_types', coalesce((
		SELECT jsonb_agg(DISTINCT g.signal_type ORDER BY g.signal_type)
		  FROM midwatch.signals g
		 WHERE g.project_id = p_project_id AND g.incident_id = p_incident_id), '[]'),
	    'metrics', coalesce((
		SELECT jsonb_agg(DISTINCT g.metric_name ORDER BY g.metric_name)
		  FROM midwatch.signals g
		 WHERE g.project_id = p_project_id AND g.incident_id = p_incident_id
		   AND g.metric_name IS NOT NULL), '[]'),
	    'evidence_kinds', coalesce((
		SELECT jsonb_agg(DISTINCT e.kind ORDER BY e.kind)
		  FROM midwatch.hypothesis_evidence he
		  JOIN midwatch.evidence_artifacts e
		    ON e.project_id = he.project_id AND e.id = he.evidence_id
		 WHERE he.project_id = p_project_id
		   AND he.hypothesis_id = oc.confirmed_hypothesis_id
		   AND he.role = 'supports'), '[]'),
	    'change_kinds', coalesce((
		SELECT jsonb_agg(DISTINCT c.change_kind ORDER BY c.change_kind)
		  FROM midwatch.evidence_artifacts e
		  JOIN midwatch.config_change_events c
		    ON c.project_id = e.project_id AND c.ext_id = e.ref
		 WHERE e.project_id = p_project_id AND e.incident_id = p_incident_id
		   AND e.kind = 'config_change'), '[]'),
	    'hypothesis_type', oc.confirmed_hypothesis_type,
	    'ref', oc.ref);

	INSERT INTO midwatch.case_signatures
	    (project_id, incident_id, service_id, hypothesis_type, ref, signature, signature_hash)
	VALUES (p_project_id, p_incident_id, inc.service_id, oc.confirmed_hypothesis_type,
	        oc.ref, sig,
	        md5(concat_ws('|', inc.trigger_type, coalesce(inc.service_id::text, ''), types)))
	ON CONFLICT (project_id, incident_id) DO UPDATE
	   SET service_id = EXCLUDED.service_id,
	       hypothesis_type = EXCLUDED.hypothesis_type,
	       ref = EXCLUDED.ref,
	       signature = EXCLUDED.signature,
	       signature_hash = EXCLUDED.signature_hash;
END
$$;
COMMENT ON FUNCTION midwatch.record_case_outcome(bigint, bigint, bigint, text) IS
	'Learning record: past_case_outcomes (confirmed root cause or unconfirmed) and the incident case signature.';

-- ---------------------------------------------------------------------------
-- More default alert rules
-- ---------------------------------------------------------------------------

-- Inserts the alert rules this migration adds to project p_project_id (002's
-- apply_project_defaults stays as it is; rows an operator edited are never
-- overwritten).
CREATE OR REPLACE FUNCTION midwatch.apply_alert_defaults(p_project_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO midwatch.alert_rules (project_id, name, description, kind, config,
	                                  severity, enabled, channels, cooldown_seconds,
	                                  created_by)
	VALUES
	    (p_project_id, 'incident opened',
	     'An approved incident of severity medium or worse was opened '
	     '(one alert per incident, with the incident''s severity).',
	     'threshold',
	     '{"source": "incident", "field": "severity", "op": ">=", "value": "medium"}',
	     'medium', true, '[]', 900, 'system'),
	    (p_project_id, 'external alert firing',
	     'An external alert (Alertmanager or ingested) started firing.',
	     'pattern',
	     '{"source": "signal", "signal_type": "external_alert"}',
	     'high', true, '[]', 900, 'system')
	ON CONFLICT DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION midwatch.projects_apply_alert_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM midwatch.apply_alert_defaults(NEW.id);
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER projects_apply_alert_defaults
	AFTER INSERT ON midwatch.projects
	FOR EACH ROW EXECUTE FUNCTION midwatch.projects_apply_alert_defaults();

DO $$
BEGIN
	PERFORM midwatch.apply_alert_defaults(id) FROM midwatch.projects;
END
$$;
