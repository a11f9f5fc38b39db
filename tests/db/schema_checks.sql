-- tests/db/schema_checks.sql - checks of the midwatch schema's guarantees.
--
-- Run with psql on a database where sql/001_schema.sql and
-- sql/002_defaults.sql have just been applied:
--
--   psql -X -q -v ON_ERROR_STOP=1 -d DB -f tests/db/schema_checks.sql
--
-- Prints a TAP plan and one "ok N - description" line per check on stdout;
-- a failing check raises an exception, which stops the script (non-zero exit)
-- before its "ok" line.  Everything runs in one transaction that is rolled
-- back at the end, so the database is left as it was.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
\echo 1..24

BEGIN;

-- ---------------------------------------------------------------------------
-- Fixture: two projects, a service in each, one incident with hypotheses
-- ---------------------------------------------------------------------------
INSERT INTO midwatch.projects (slug, name) VALUES ('chk-a', 'A'), ('chk-b', 'B');
INSERT INTO midwatch.services (project_id, name)
SELECT id, 'checkout' FROM midwatch.projects WHERE slug IN ('chk-a', 'chk-b');
INSERT INTO midwatch.pipeline_runs (project_id, status)
SELECT id, 'running' FROM midwatch.projects WHERE slug = 'chk-a';

CREATE TEMP TABLE fx ON COMMIT DROP AS
SELECT pa.id AS pa, pb.id AS pb, sa.id AS sa, sb.id AS sb, r.id AS run
  FROM midwatch.projects pa, midwatch.projects pb,
       midwatch.services sa, midwatch.services sb, midwatch.pipeline_runs r
 WHERE pa.slug = 'chk-a' AND pb.slug = 'chk-b'
   AND sa.project_id = pa.id AND sb.project_id = pb.id AND r.project_id = pa.id;

INSERT INTO midwatch.incidents (project_id, run_id, dedupe_key, service_id, trigger_type,
                                severity, title, window_start, window_end)
SELECT pa, run, k, sa, 'error_rate_spike', 'high', 'errors up',
       '2024-03-01 10:00Z', '2024-03-01 10:30Z'
  FROM fx, (VALUES ('inc-1'), ('inc-2')) AS v (k);
INSERT INTO midwatch.hypotheses (project_id, run_id, incident_id, dedupe_key, rank,
                                 hypothesis_type, service_id, ref, title, confidence)
SELECT i.project_id, i.run_id, i.id, 'release:d1', 1, 'release', i.service_id, 'd1',
       'deploy d1', 0.8
  FROM midwatch.incidents i WHERE i.dedupe_key IN ('inc-1', 'inc-2');
INSERT INTO midwatch.evidence_artifacts (project_id, run_id, incident_id, dedupe_key, kind,
                                         source, ref, summary, confidence)
SELECT i.project_id, i.run_id, i.id, 'deployment:d1', 'deployment', 'deployment_events',
       'd1', 'deploy d1 at onset', 0.9
  FROM midwatch.incidents i WHERE i.dedupe_key IN ('inc-1', 'inc-2');
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id, event_type,
                                      target_kind, target_id, payload, idempotency_key)
SELECT pa, 'user', 'alice', 'human_note_added', 'incident', 1, '{"text": "hi"}', 'fb-1'
  FROM fx;

-- ---------------------------------------------------------------------------
DO $$
DECLARE
	missing text;
BEGIN
	SELECT string_agg(t, ', ') INTO missing
	  FROM unnest(ARRAY[
	    'projects', 'services', 'service_dependencies', 'metric_points', 'metric_names',
	    'deployment_events', 'config_change_events', 'commits', 'commit_files',
	    'deployment_commit_ranges', 'error_events', 'health_checks', 'funnel_snapshots',
	    'external_alerts', 'maintenance_windows', 'ingest_sources', 'ingest_errors',
	    'pipeline_runs', 'anomaly_features', 'signals', 'incidents', 'incident_decisions',
	    'evidence_artifacts', 'hypotheses', 'hypothesis_evidence', 'recommendations',
	    'alert_rules', 'alerts', 'outbound_messages', 'outbound_attempts',
	    'incident_reports', 'case_signatures', 'past_case_outcomes', 'report_definitions',
	    'aggregate_windows', 'metric_snapshots', 'feedback_events', 'audit_entries',
	    'retention_policies']) AS t
	 WHERE to_regclass('midwatch.' || t) IS NULL;
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'FAIL: missing tables: %', missing;
	END IF;
END
$$;
\echo ok 1 - every table of the data model exists in schema midwatch

DO $$
DECLARE
	refused boolean := false;
BEGIN
	BEGIN
		UPDATE midwatch.feedback_events SET payload = '{}' WHERE idempotency_key = 'fb-1';
	EXCEPTION WHEN insufficient_privilege THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: UPDATE on feedback_events was accepted';
	END IF;
END
$$;
\echo ok 2 - UPDATE on feedback_events is refused

DO $$
DECLARE
	refused boolean := false;
BEGIN
	BEGIN
		DELETE FROM midwatch.feedback_events WHERE idempotency_key = 'fb-1';
	EXCEPTION WHEN insufficient_privilege THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: DELETE on feedback_events was accepted';
	END IF;
END
$$;
\echo ok 3 - DELETE on feedback_events is refused

DO $$
DECLARE
	refused boolean := false;
BEGIN
	BEGIN
		TRUNCATE midwatch.feedback_events;
	EXCEPTION WHEN insufficient_privilege THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: TRUNCATE on feedback_events was accepted';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM midwatch.feedback_events WHERE idempotency_key = 'fb-1') THEN
		RAISE EXCEPTION 'FAIL: feedback row is gone';
	END IF;
END
$$;
\echo ok 4 - TRUNCATE on feedback_events is refused

DO $$
DECLARE
	n integer;
BEGIN
	INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id, event_type,
	                                      target_kind, target_id, idempotency_key)
	SELECT pa, 'user', 'alice', 'human_note_added', 'incident', 1, 'fb-1' FROM fx
	ON CONFLICT DO NOTHING;
	SELECT count(*) INTO n FROM midwatch.feedback_events WHERE idempotency_key = 'fb-1';
	IF n <> 1 THEN
		RAISE EXCEPTION 'FAIL: idempotency key admitted % rows', n;
	END IF;
END
$$;
\echo ok 5 - a repeated feedback idempotency_key is a no-op

DO $$
DECLARE
	refused boolean := false;
BEGIN
	BEGIN
		UPDATE midwatch.incidents SET status = 'closed' WHERE dedupe_key = 'inc-1';
	EXCEPTION WHEN check_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: incidents.status = closed was accepted';
	END IF;
END
$$;
\echo ok 6 - a bad incident status is rejected by a CHECK

DO $$
DECLARE
	bad text;
	refused boolean;
BEGIN
	-- one bad value per enum column, each must fail its CHECK
	FOREACH bad IN ARRAY ARRAY[
	    $q$INSERT INTO midwatch.signals (project_id, dedupe_key, signal_type, onset_at) SELECT pa, 's', 'meteor_strike', now() FROM fx$q$,
	    $q$INSERT INTO midwatch.signals (project_id, dedupe_key, signal_type, status, onset_at) SELECT pa, 's', 'custom', 'sleeping', now() FROM fx$q$,
	    $q$UPDATE midwatch.hypotheses SET status = 'maybe'$q$,
	    $q$UPDATE midwatch.hypotheses SET confidence = 1.5$q$,
	    $q$INSERT INTO midwatch.alerts (project_id, fingerprint, title, status) SELECT pa, 'f', 't', 'snoozed' FROM fx$q$,
	    $q$INSERT INTO midwatch.alerts (project_id, fingerprint, title, severity) SELECT pa, 'f', 't', 'sev1' FROM fx$q$,
	    $q$INSERT INTO midwatch.pipeline_runs (project_id, status) SELECT pa, 'paused' FROM fx$q$,
	    $q$INSERT INTO midwatch.health_checks (project_id, service_id, ts, status) SELECT pa, sa, now(), 'sick' FROM fx$q$,
	    $q$INSERT INTO midwatch.feedback_events (project_id, actor_type, event_type, target_kind, target_id, idempotency_key) SELECT pa, 'robot', 'human_note_added', 'incident', 1, 'x' FROM fx$q$,
	    $q$INSERT INTO midwatch.feedback_events (project_id, actor_type, event_type, target_kind, target_id, idempotency_key) SELECT pa, 'user', 'alert_acknowledged', 'incident', 1, 'x' FROM fx$q$,
	    $q$INSERT INTO midwatch.evidence_artifacts (project_id, incident_id, dedupe_key, kind, source, ref) SELECT project_id, id, 'x', 'rumour', 's', 'r' FROM midwatch.incidents WHERE dedupe_key = 'inc-1'$q$,
	    $q$INSERT INTO midwatch.recommendations (project_id, incident_id, dedupe_key, template_key, type, title, publishable, evidence_count, gate_status) SELECT project_id, id, 'r', 't', 'rollback', 't', true, 0, 'passed' FROM midwatch.incidents WHERE dedupe_key = 'inc-1'$q$
	] LOOP
		refused := false;
		BEGIN
			EXECUTE bad;
		EXCEPTION WHEN check_violation THEN
			refused := true;
		END;
		IF NOT refused THEN
			RAISE EXCEPTION 'FAIL: accepted: %', bad;
		END IF;
	END LOOP;
END
$$;
\echo ok 7 - bad enum values, confidence out of range and an evidence-less publishable recommendation are rejected

DO $$
DECLARE
	refused boolean := false;
BEGIN
	-- a deployment in project A naming project B's service
	BEGIN
		INSERT INTO midwatch.deployment_events (project_id, ext_id, service_id, started_at)
		SELECT pa, 'd-cross', sb, now() FROM fx;
	EXCEPTION WHEN foreign_key_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: cross-project deployment_events row was accepted';
	END IF;
	-- same service in the right project is fine
	INSERT INTO midwatch.deployment_events (project_id, ext_id, service_id, started_at)
	SELECT pa, 'd-ok', sa, now() FROM fx;
END
$$;
\echo ok 8 - a child row pointing at a parent in another project is refused

DO $$
DECLARE
	refused boolean := false;
BEGIN
	-- a hypothesis in project B citing an incident of project A
	BEGIN
		INSERT INTO midwatch.hypotheses (project_id, incident_id, dedupe_key, rank,
		                                 hypothesis_type, title, confidence)
		SELECT fx.pb, i.id, 'x', 1, 'unknown', 'x', 0.1
		  FROM fx, midwatch.incidents i WHERE i.dedupe_key = 'inc-1';
	EXCEPTION WHEN foreign_key_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: cross-project hypothesis was accepted';
	END IF;
END
$$;
\echo ok 9 - a derived child row in another project than its incident is refused

DO $$
DECLARE
	refused boolean := false;
BEGIN
	-- hypothesis of inc-1 citing evidence of inc-2
	BEGIN
		INSERT INTO midwatch.hypothesis_evidence (project_id, hypothesis_id, evidence_id, role)
		SELECT h.project_id, h.id, e.id, 'supports'
		  FROM midwatch.hypotheses h
		  JOIN midwatch.incidents ih ON ih.id = h.incident_id AND ih.dedupe_key = 'inc-1',
		       midwatch.evidence_artifacts e
		  JOIN midwatch.incidents ie ON ie.id = e.incident_id AND ie.dedupe_key = 'inc-2';
	EXCEPTION WHEN foreign_key_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: hypothesis cited evidence of another incident';
	END IF;
	-- citing its own incident's evidence, and a 'missing' row, are fine
	INSERT INTO midwatch.hypothesis_evidence (project_id, hypothesis_id, evidence_id, role)
	SELECT h.project_id, h.id, e.id, 'supports'
	  FROM midwatch.hypotheses h
	  JOIN midwatch.evidence_artifacts e ON e.incident_id = h.incident_id
	  JOIN midwatch.incidents i ON i.id = h.incident_id AND i.dedupe_key = 'inc-1';
	INSERT INTO midwatch.hypothesis_evidence (project_id, hypothesis_id, role, expected_kind)
	SELECT h.project_id, h.id, 'missing', 'commit_file'
	  FROM midwatch.hypotheses h
	  JOIN midwatch.incidents i ON i.id = h.incident_id AND i.dedupe_key = 'inc-1';
END
$$;
\echo ok 10 - a hypothesis may cite only evidence of its own incident

DO $$
DECLARE
	refused boolean := false;
BEGIN
	-- inc-1's root cause set to inc-2's hypothesis
	BEGIN
		UPDATE midwatch.incidents i SET root_cause_hypothesis_id = h.id
		  FROM midwatch.hypotheses h
		  JOIN midwatch.incidents i2 ON i2.id = h.incident_id AND i2.dedupe_key = 'inc-2'
		 WHERE i.dedupe_key = 'inc-1';
	EXCEPTION WHEN foreign_key_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: root cause from another incident accepted';
	END IF;
	UPDATE midwatch.incidents i SET root_cause_hypothesis_id = h.id
	  FROM midwatch.hypotheses h
	 WHERE h.incident_id = i.id AND i.dedupe_key = 'inc-1';
END
$$;
\echo ok 11 - the root cause of an incident must be one of its own hypotheses

DO $$
DECLARE
	n integer;
BEGIN
	n := midwatch.ensure_metric_partitions('2024-03-01 00:00Z', '2024-03-03 12:00Z');
	IF n <> 3 THEN
		RAISE EXCEPTION 'FAIL: expected 3 partitions created, got %', n;
	END IF;
	IF to_regclass('midwatch.metric_points_20240301') IS NULL
	   OR to_regclass('midwatch.metric_points_20240303') IS NULL THEN
		RAISE EXCEPTION 'FAIL: partitions not named metric_points_YYYYMMDD';
	END IF;
	n := midwatch.ensure_metric_partitions('2024-03-02 05:00Z', '2024-03-04 00:00Z');
	IF n <> 1 THEN
		RAISE EXCEPTION 'FAIL: expected only the 4th day created, got %', n;
	END IF;
END
$$;
\echo ok 12 - ensure_metric_partitions creates exactly the missing daily partitions

DO $$
DECLARE
	part text;
	n integer;
BEGIN
	SET LOCAL TimeZone = 'America/New_York';   -- partitions are UTC days whatever the session
	INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
	SELECT pa, sa, 'error_ratio', '2024-03-02 23:59:59Z', 0.5 FROM fx;
	INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
	SELECT pa, sa, 'error_ratio', '2024-03-02 23:59:59Z', 0.5 FROM fx
	ON CONFLICT DO NOTHING;
	SELECT tableoid::regclass::text, count(*) OVER () INTO part, n
	  FROM midwatch.metric_points WHERE metric_name = 'error_ratio';
	IF part <> 'midwatch.metric_points_20240302' OR n <> 1 THEN
		RAISE EXCEPTION 'FAIL: point landed in % (% rows)', part, n;
	END IF;
END
$$;
\echo ok 13 - a metric point lands in its UTC day partition and re-ingest is a no-op

DO $$
DECLARE
	refused boolean := false;
BEGIN
	BEGIN
		INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
		SELECT pa, sa, 'error_ratio', '2031-01-01 00:00Z', 1 FROM fx;
	EXCEPTION WHEN check_violation THEN   -- "no partition of relation found for row"
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: point outside every partition was accepted';
	END IF;
	-- Inserts are checked by ingest, batch by batch (sql/023_ingest_scope.sql:
	-- a transition table would cost COPY its multi-row inserts); moving a
	-- point to another project's service is still refused.
	IF EXISTS (SELECT 1 FROM pg_trigger
	            WHERE tgrelid = 'midwatch.metric_points'::regclass
	              AND tgnewtable IS NOT NULL AND (tgtype & 4) <> 0) THEN
		RAISE EXCEPTION 'FAIL: an insert trigger with a transition table on metric_points';
	END IF;
	refused := false;
	BEGIN
		UPDATE midwatch.metric_points m SET service_id = fx.sb
		  FROM fx WHERE m.project_id = fx.pa AND m.metric_name = 'error_ratio';
		IF NOT FOUND THEN
			RAISE EXCEPTION 'FAIL: no point to move';
		END IF;
	EXCEPTION WHEN foreign_key_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: point moved to another project''s service';
	END IF;
END
$$;
\echo ok 14 - metric points outside any partition or moved to a service of another project are refused; no insert trigger slows COPY

DO $$
DECLARE
	n integer;
BEGIN
	INSERT INTO midwatch.ingest_errors (project_id, source, line_no, payload, error)
	SELECT pa, 'x.jsonl', 3, '{bad', 'invalid JSON' FROM fx
	UNION ALL
	SELECT pa, 'x.jsonl', 3, '{bad', 'invalid JSON' FROM fx
	ON CONFLICT DO NOTHING;
	INSERT INTO midwatch.ingest_errors (project_id, source, line_no, payload, error)
	SELECT pa, 'x.jsonl', 3, '{bad', 'invalid JSON' FROM fx
	ON CONFLICT DO NOTHING;
	SELECT count(*) INTO n FROM midwatch.ingest_errors WHERE source = 'x.jsonl';
	IF n <> 1 THEN
		RAISE EXCEPTION 'FAIL: bad line recorded % times', n;
	END IF;
END
$$;
\echo ok 15 - the same bad ingest line is dead-lettered once

DO $$
DECLARE
	n integer;
BEGIN
	SELECT count(*) INTO n FROM midwatch.alert_rules r JOIN fx ON r.project_id = fx.pb;
	IF n < 4 THEN
		RAISE EXCEPTION 'FAIL: new project got % default alert rules', n;
	END IF;
	SELECT count(*) INTO n FROM midwatch.aggregate_windows w JOIN fx ON w.project_id = fx.pb;
	IF n = 0 THEN
		RAISE EXCEPTION 'FAIL: new project got no aggregate windows';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM midwatch.projects WHERE slug = 'default') THEN
		RAISE EXCEPTION 'FAIL: no default project';
	END IF;
END
$$;
\echo ok 16 - the default project exists and new projects get the default rules and reports

CREATE TEMP TABLE defaults_before ON COMMIT DROP AS
SELECT 'projects' AS t, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM midwatch.projects x
UNION ALL SELECT 'alert_rules', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.alert_rules x
UNION ALL SELECT 'report_definitions', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.report_definitions x
UNION ALL SELECT 'aggregate_windows', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.aggregate_windows x
UNION ALL SELECT 'metric_names', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.metric_names x
UNION ALL SELECT 'retention_policies', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.retention_policies x;

\ir ../../sql/002_defaults.sql

DO $$
DECLARE
	changed text;
BEGIN
	WITH after AS (
		SELECT 'projects' AS t, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM midwatch.projects x
		UNION ALL SELECT 'alert_rules', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.alert_rules x
		UNION ALL SELECT 'report_definitions', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.report_definitions x
		UNION ALL SELECT 'aggregate_windows', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.aggregate_windows x
		UNION ALL SELECT 'metric_names', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.metric_names x
		UNION ALL SELECT 'retention_policies', md5(string_agg(x::text, '|' ORDER BY x::text)) FROM midwatch.retention_policies x)
	SELECT string_agg(a.t, ', ') INTO changed
	  FROM after a JOIN defaults_before b USING (t)
	 WHERE a.h IS DISTINCT FROM b.h;
	IF changed IS NOT NULL THEN
		RAISE EXCEPTION 'FAIL: re-applying 002 changed %', changed;
	END IF;
END
$$;
\echo ok 17 - re-applying 002_defaults.sql is a no-op

DO $$
DECLARE
	n integer;
	refused boolean := false;
BEGIN
	INSERT INTO midwatch.alerts (project_id, fingerprint, title, status, acknowledged_by)
	SELECT pa, 'erase-me', 't', 'acknowledged', 'alice' FROM fx;
	n := midwatch.erase_actor('alice');
	IF n < 2 THEN
		RAISE EXCEPTION 'FAIL: erase_actor changed % rows', n;
	END IF;
	IF EXISTS (SELECT 1 FROM midwatch.feedback_events WHERE actor_id = 'alice')
	   OR EXISTS (SELECT 1 FROM midwatch.alerts WHERE acknowledged_by = 'alice') THEN
		RAISE EXCEPTION 'FAIL: alice still present';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM midwatch.feedback_events
	                WHERE idempotency_key = 'fb-1' AND actor_id LIKE 'erased:%'
	                  AND event_type = 'human_note_added') THEN
		RAISE EXCEPTION 'FAIL: feedback row not pseudonymised';
	END IF;
	BEGIN
		UPDATE midwatch.feedback_events SET payload = '{}';
	EXCEPTION WHEN insufficient_privilege THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: feedback_events writable after erase_actor';
	END IF;
END
$$;
\echo ok 18 - erase_actor pseudonymises personal data and feedback stays append-only after it

DO $$
DECLARE
	refused boolean := false;
BEGIN
	PERFORM set_config('midwatch.allow_erasure', 'on', true);
	BEGIN
		UPDATE midwatch.feedback_events SET event_type = 'incident_resolved',
		       target_kind = 'incident';
	EXCEPTION WHEN insufficient_privilege THEN
		refused := true;
	END;
	PERFORM set_config('midwatch.allow_erasure', 'off', true);
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: erasure mode allowed rewriting event_type';
	END IF;
END
$$;
\echo ok 19 - erasure mode may change only actor_id and payload

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'feedback_events_notify'
	                AND tgrelid = 'midwatch.feedback_events'::regclass)
	   OR NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'pipeline_runs_notify'
	                   AND tgrelid = 'midwatch.pipeline_runs'::regclass) THEN
		RAISE EXCEPTION 'FAIL: NOTIFY triggers missing';
	END IF;
	UPDATE midwatch.pipeline_runs SET status = 'completed', finished_at = now()
	 WHERE id = (SELECT run FROM fx);
END
$$;
\echo ok 20 - NOTIFY triggers exist on feedback_events and pipeline_runs and fire cleanly

DO $$
DECLARE
	st text;
BEGIN
	-- a stage re-running must keep a status set by feedback
	UPDATE midwatch.hypotheses SET status = 'rejected', status_source = 'feedback'
	 WHERE dedupe_key = 'release:d1'
	   AND incident_id = (SELECT id FROM midwatch.incidents WHERE dedupe_key = 'inc-2');
	INSERT INTO midwatch.hypotheses AS h (project_id, incident_id, dedupe_key, rank,
	                                      hypothesis_type, title, confidence, status)
	SELECT i.project_id, i.id, 'release:d1', 2, 'release', 'deploy d1', 0.5, 'proposed'
	  FROM midwatch.incidents i WHERE i.dedupe_key = 'inc-2'
	ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE
	   SET rank = EXCLUDED.rank, confidence = EXCLUDED.confidence,
	       status = CASE WHEN h.status_source = 'feedback' THEN h.status
	                     ELSE EXCLUDED.status END;
	SELECT h.status INTO st FROM midwatch.hypotheses h
	  JOIN midwatch.incidents i ON i.id = h.incident_id AND i.dedupe_key = 'inc-2';
	IF st <> 'rejected' THEN
		RAISE EXCEPTION 'FAIL: upsert overwrote feedback status (%)', st;
	END IF;
END
$$;
\echo ok 21 - derived rows upsert by natural key and keep a feedback-owned status

DO $$
DECLARE
	n integer;
BEGIN
	DELETE FROM midwatch.incidents WHERE dedupe_key = 'inc-1';
	SELECT count(*) INTO n FROM midwatch.hypotheses h
	 WHERE NOT EXISTS (SELECT 1 FROM midwatch.incidents i WHERE i.id = h.incident_id);
	IF n <> 0 THEN
		RAISE EXCEPTION 'FAIL: % orphan hypotheses', n;
	END IF;
	IF (SELECT count(*) FROM midwatch.feedback_events WHERE idempotency_key = 'fb-1') <> 1 THEN
		RAISE EXCEPTION 'FAIL: deleting an incident touched feedback';
	END IF;
END
$$;
\echo ok 22 - deleting an incident cascades to its derived children and leaves feedback alone

DO $$
DECLARE
	n bigint;
BEGIN
	SELECT removed INTO n FROM midwatch.apply_retention('2024-04-03 00:00Z')
	 WHERE table_name = 'metric_points';
	-- keep 30 days back from 2024-04-03 = 2024-03-04: days 03-01..03-03 go
	IF n IS DISTINCT FROM 3 THEN
		RAISE EXCEPTION 'FAIL: retention dropped % partitions, expected 3', n;
	END IF;
	IF to_regclass('midwatch.metric_points_20240304') IS NULL
	   OR to_regclass('midwatch.metric_points_20240303') IS NOT NULL THEN
		RAISE EXCEPTION 'FAIL: wrong partitions dropped';
	END IF;
	IF (SELECT count(*) FROM midwatch.feedback_events WHERE idempotency_key = 'fb-1') <> 1 THEN
		RAISE EXCEPTION 'FAIL: retention touched feedback';
	END IF;
END
$$;
\echo ok 23 - apply_retention drops expired day partitions and never feedback

DO $$
DECLARE
	refused boolean := false;
BEGIN
	BEGIN
		INSERT INTO midwatch.projects (slug, name) SELECT 'chk-b', 'dup';
	EXCEPTION WHEN unique_violation THEN
		refused := true;
	END;
	IF NOT refused THEN
		RAISE EXCEPTION 'FAIL: duplicate project slug accepted';
	END IF;
	INSERT INTO midwatch.services (project_id, name)
	SELECT pa, 'checkout' FROM fx ON CONFLICT (project_id, cluster, namespace, name) DO NOTHING;
	IF (SELECT count(*) FROM midwatch.services s JOIN fx ON s.project_id = fx.pa) <> 1 THEN
		RAISE EXCEPTION 'FAIL: service natural key not unique';
	END IF;
END
$$;
\echo ok 24 - natural keys (project slug, service cluster/namespace/name) are unique

ROLLBACK;
