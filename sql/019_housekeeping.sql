-- 019_housekeeping.sql - housekeeping (issue 10, seeds 001 and 003):
-- retention with guards, dead letters that expire, case signatures that
-- stay fresh, and the erasure and export of a person's data.
--
--  * housekeeping_runs: one row per project and UTC day; the pipeline
--    runner's daily housekeeping inserts it first (ON CONFLICT DO NOTHING),
--    so it runs once a day whatever the number of runs.
--  * retention_clock(): retention ages are measured on the project's data
--    clock (the end of its latest completed pipeline window, never later
--    than now()), so replayed or historic data is not purged as soon as it
--    is loaded; a project that never completed a run purges nothing.
--  * retention_batch(): one batch of retention for one table of one
--    project, or its count (dry run) with the very same predicate, so
--    `purge --dry-run` reports what `purge` then removes.  Guards keep what
--    another row still needs (retention_guard).  feedback_events are never
--    purged: they are the append-only history; only erasure touches them.
--  * personal_data_columns: where a person's name can be held; erase_person
--    and export_person are driven by it (add a row when a table gains a
--    personal column).  erase_actor(text) now calls erase_person.
--
-- Runs in the migration runner's transaction.

CREATE TABLE IF NOT EXISTS midwatch.housekeeping_runs (
	project_id  bigint NOT NULL REFERENCES midwatch.projects (id) ON DELETE CASCADE,
	day         date NOT NULL,               -- UTC day
	started_at  timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,                 -- NULL while running (or if it died)
	details     jsonb NOT NULL DEFAULT '{}', -- what each step did
	PRIMARY KEY (project_id, day)
);
COMMENT ON TABLE midwatch.housekeeping_runs IS
	'The daily housekeeping of each project (retention, dead letters, case signatures): one row a UTC day.';

ALTER TABLE midwatch.case_signatures ADD COLUMN IF NOT EXISTS refreshed_at timestamptz;
COMMENT ON COLUMN midwatch.case_signatures.refreshed_at IS
	'When housekeeping last rebuilt the signature (NULL: never); stale when the incident changed since.';

-- ---------------------------------------------------------------------------
-- Retention
-- ---------------------------------------------------------------------------

-- The project's data clock: the end of its latest completed pipeline window,
-- at most now(); NULL when it never completed a run.
CREATE OR REPLACE FUNCTION midwatch.retention_clock(p_project bigint)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT least(now(), max(window_end))
	  FROM midwatch.pipeline_runs
	 WHERE project_id = p_project AND kind = 'pipeline' AND status = 'completed';
$$;

-- The order tables are purged in: rows that cascade away with another table
-- (outbound messages with alerts) or whose guard looks at another table
-- (signals at incidents) come first, so a dry run counts what the real
-- purge removes.
CREATE OR REPLACE FUNCTION midwatch.retention_order(p_table text)
RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_table
	       WHEN 'outbound_attempts' THEN 1 WHEN 'outbound_messages' THEN 2
	       WHEN 'alerts' THEN 3 WHEN 'signals' THEN 4
	       WHEN 'incidents' THEN 8 WHEN 'pipeline_runs' THEN 9 ELSE 5 END;
$$;

-- What must stay although it is past its policy, as a predicate over the
-- candidate row x (constant SQL, no input): open alerts, incidents not
-- resolved or with an alert not resolved, signals of a kept incident,
-- messages still being delivered, runs not finished and the run holding
-- the watermark.
CREATE OR REPLACE FUNCTION midwatch.retention_guard(p_table text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_table
	WHEN 'alerts' THEN 'x.status = ''resolved'''
	WHEN 'incidents' THEN 'x.status IN (''resolved'', ''suppressed'') AND NOT EXISTS'
	    ' (SELECT 1 FROM midwatch.alerts a WHERE a.project_id = x.project_id'
	    ' AND a.incident_id = x.id AND a.status <> ''resolved'')'
	WHEN 'signals' THEN 'x.incident_id IS NULL OR NOT EXISTS (SELECT 1 FROM'
	    ' midwatch.incidents i WHERE i.project_id = x.project_id AND i.id = x.incident_id)'
	WHEN 'outbound_messages' THEN 'x.status IN (''sent'', ''dead'')'
	WHEN 'pipeline_runs' THEN 'x.status NOT IN (''pending'', ''running'') AND x.id IS'
	    ' DISTINCT FROM (SELECT r.id FROM midwatch.pipeline_runs r WHERE r.project_id ='
	    ' x.project_id AND r.kind = ''pipeline'' AND r.status = ''completed'''
	    ' ORDER BY r.window_end DESC, r.id DESC LIMIT 1)'
	ELSE 'true' END;
$$;

-- One batch of retention of table p_table for project p_project: deletes
-- at most p_limit rows past the table's policy (measured on the project's
-- data clock) that no guard keeps, and returns how many; with p_dry, counts
-- all of them instead and deletes nothing.  metric_points is different:
-- its whole UTC day partitions are dropped (all projects' rows: a
-- partition goes only when it is past the policy on the clock of every
-- project that has services, so a project that never completed a run
-- keeps them all), in one call, returning the rows they held.
CREATE OR REPLACE FUNCTION midwatch.retention_batch(p_project bigint, p_table text,
    p_dry boolean, p_limit integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	pol    record;
	clock  timestamptz;
	cutoff timestamptz;
	part   record;
	n      bigint := 0;
	m      bigint;
BEGIN
	SELECT r.table_name, r.ts_column, r.keep_days INTO pol
	  FROM midwatch.retention_policies r WHERE r.table_name = p_table;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no retention policy for table %', p_table
		    USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF pol.keep_days IS NULL OR p_table = 'feedback_events'
	   OR to_regclass(format('midwatch.%I', p_table)) IS NULL THEN
		RETURN 0;
	END IF;
	IF p_table = 'metric_points' THEN
		SELECT CASE WHEN bool_and(c IS NOT NULL) THEN min(c) END INTO clock
		  FROM (SELECT midwatch.retention_clock(p.id) AS c
		          FROM midwatch.projects p
		         WHERE EXISTS (SELECT 1 FROM midwatch.services s
		                        WHERE s.project_id = p.id)) k;
	ELSE
		clock := midwatch.retention_clock(p_project);
	END IF;
	IF clock IS NULL THEN
		RETURN 0;
	END IF;
	cutoff := clock - make_interval(days => pol.keep_days);
	IF p_table = 'metric_points' THEN
		FOR part IN SELECT c.relname
		              FROM pg_inherits i
		              JOIN pg_class c ON c.oid = i.inhrelid
		             WHERE i.inhparent = 'midwatch.metric_points'::regclass
		               AND c.relname ~ '^metric_points_[0-9]{8}$'
		               AND to_date(substr(c.relname, 15), 'YYYYMMDD') + 1
		                   <= (cutoff AT TIME ZONE 'UTC')::date
		             ORDER BY c.relname LOOP
			EXECUTE format('SELECT count(*) FROM midwatch.%I', part.relname) INTO m;
			IF NOT p_dry THEN
				EXECUTE format('DROP TABLE midwatch.%I', part.relname);
			END IF;
			n := n + m;
		END LOOP;
		RETURN n;
	END IF;
	IF p_dry THEN
		EXECUTE format('SELECT count(*) FROM midwatch.%I x'
		               ' WHERE x.project_id = $1 AND x.%I < $2 AND (%s)',
		               p_table, pol.ts_column, midwatch.retention_guard(p_table))
		   INTO n USING p_project, cutoff;
		RETURN n;
	END IF;
	EXECUTE format('DELETE FROM midwatch.%I t WHERE t.ctid = ANY (ARRAY('
	               'SELECT x.ctid FROM midwatch.%I x'
	               ' WHERE x.project_id = $1 AND x.%I < $2 AND (%s)'
	               ' LIMIT $3 FOR UPDATE SKIP LOCKED))',
	               p_table, p_table, pol.ts_column, midwatch.retention_guard(p_table))
	   USING p_project, cutoff, p_limit;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION midwatch.retention_batch(bigint, text, boolean, integer) IS
	'One batch of retention for a table of a project (or its count with p_dry); guards keep what other rows need.';

-- The tables retention visits, in order (policies with keep_days; never
-- feedback_events).
CREATE OR REPLACE VIEW midwatch.retention_plan AS
	SELECT r.table_name, r.ts_column, r.keep_days
	  FROM midwatch.retention_policies r
	 WHERE r.keep_days IS NOT NULL AND r.table_name <> 'feedback_events'
	   AND to_regclass(format('midwatch.%I', r.table_name)) IS NOT NULL
	 ORDER BY midwatch.retention_order(r.table_name), r.table_name;

-- feedback_events are never purged (append-only history); a policy cannot
-- say otherwise.
ALTER TABLE midwatch.retention_policies DROP CONSTRAINT IF EXISTS retention_feedback_forever;
ALTER TABLE midwatch.retention_policies ADD CONSTRAINT retention_feedback_forever
	CHECK (table_name <> 'feedback_events' OR keep_days IS NULL);

-- ---------------------------------------------------------------------------
-- Dead letters and case signatures
-- ---------------------------------------------------------------------------

-- Gives up what has been retried for longer than p_seconds: ingest errors
-- still unresolved are marked resolved (no more retries), messages and
-- Alertmanager silences still pending become dead letters.  Retention
-- later removes them by their table's policy.  Returns the counts.
CREATE OR REPLACE FUNCTION midwatch.expire_dead_letters(p_project bigint, p_seconds double precision)
RETURNS TABLE (ingest_errors bigint, outbound_messages bigint, alert_silences bigint)
LANGUAGE plpgsql AS $$
DECLARE
	cutoff timestamptz := now() - make_interval(secs => p_seconds);
	why    text := format('expired by housekeeping after %s', make_interval(secs => p_seconds));
BEGIN
	UPDATE midwatch.ingest_errors e
	   SET resolved_at = now(), next_retry_at = NULL,
	       error = left(e.error || ' (' || why || ')', 2000)
	 WHERE e.project_id = p_project AND e.resolved_at IS NULL AND e.created_at < cutoff;
	GET DIAGNOSTICS ingest_errors = ROW_COUNT;
	UPDATE midwatch.outbound_messages o
	   SET status = 'dead', last_error = left(coalesce(o.last_error || '; ', '') || why, 2000)
	 WHERE o.project_id = p_project AND o.status IN ('pending', 'failed')
	   AND o.created_at < cutoff;
	GET DIAGNOSTICS outbound_messages = ROW_COUNT;
	alert_silences := 0;
	IF to_regclass('midwatch.alert_silences') IS NOT NULL THEN
		UPDATE midwatch.alert_silences s
		   SET state = 'dead', last_error = left(coalesce(s.last_error || '; ', '') || why, 2000)
		 WHERE s.project_id = p_project AND s.state IN ('pending', 'expiring')
		   AND s.created_at < cutoff;
		GET DIAGNOSTICS alert_silences = ROW_COUNT;
	END IF;
	RETURN NEXT;
END
$$;

-- Rebuilds at most p_limit stale case signatures of project p_project (an
-- incident with a recorded outcome whose signature is missing, never
-- refreshed, or older than the incident's last change) through
-- record_case_outcome, which keeps the outcome; returns how many.
CREATE OR REPLACE FUNCTION midwatch.refresh_case_signatures(p_project bigint, p_limit integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	inc record;
	n   integer := 0;
BEGIN
	FOR inc IN SELECT i.id
	             FROM midwatch.past_case_outcomes o
	             JOIN midwatch.incidents i
	               ON i.project_id = o.project_id AND i.id = o.incident_id
	             LEFT JOIN midwatch.case_signatures c
	               ON c.project_id = i.project_id AND c.incident_id = i.id
	            WHERE o.project_id = p_project
	              AND (c.id IS NULL OR c.refreshed_at IS NULL OR c.refreshed_at < i.updated_at)
	            ORDER BY i.id LIMIT p_limit LOOP
		PERFORM midwatch.record_case_outcome(p_project, inc.id, NULL, 'system');
		UPDATE midwatch.case_signatures SET refreshed_at = now()
		 WHERE project_id = p_project AND incident_id = inc.id;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- ---------------------------------------------------------------------------
-- A person's data: erasure and export
-- ---------------------------------------------------------------------------

-- Where a person's name can be held: actor columns (who acted) and free
-- text or JSON that may name them (notes, payloads, details).
CREATE TABLE IF NOT EXISTS midwatch.personal_data_columns (
	table_name  text NOT NULL,
	column_name text NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('text', 'jsonb')),
	PRIMARY KEY (table_name, column_name)
);
COMMENT ON TABLE midwatch.personal_data_columns IS
	'Columns that can hold a person''s name: erase_person() pseudonymises them, export_person() reads them.';
INSERT INTO midwatch.personal_data_columns (table_name, column_name, kind) VALUES
	('feedback_events', 'actor_id', 'text'),
	('feedback_events', 'payload', 'jsonb'),
	('alerts', 'acknowledged_by', 'text'),
	('alerts', 'resolved_by', 'text'),
	('alerts', 'silenced_by', 'text'),
	('alerts', 'details', 'jsonb'),
	('incidents', 'resolved_by', 'text'),
	('incidents', 'resolution', 'text'),
	('incidents', 'details', 'jsonb'),
	('hypotheses', 'status_changed_by', 'text'),
	('recommendations', 'acknowledged_by', 'text'),
	('recommendations', 'status_changed_by', 'text'),
	('alert_rules', 'created_by', 'text'),
	('audit_entries', 'actor', 'text'),
	('audit_entries', 'target', 'text'),
	('audit_entries', 'details', 'jsonb'),
	('config_change_events', 'actor', 'text'),
	('commits', 'author', 'text'),
	('pipeline_runs', 'requested_by', 'text'),
	('past_case_outcomes', 'details', 'jsonb'),
	('outbound_messages', 'payload', 'jsonb')
ON CONFLICT DO NOTHING;

-- j with every string value and key in which the pattern p (a regular
-- expression, matched case-insensitively) occurs rewritten with pseudo.
CREATE OR REPLACE FUNCTION midwatch.jsonb_erase(j jsonb, p text, pseudo text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN CASE jsonb_typeof(j)
	WHEN 'string' THEN to_jsonb(regexp_replace(j #>> '{}', p, pseudo, 'gi'))
	WHEN 'object' THEN coalesce((SELECT jsonb_object_agg(regexp_replace(k, p, pseudo, 'gi'),
	                                    midwatch.jsonb_erase(v, p, pseudo))
	                               FROM jsonb_each(j) AS e (k, v)), '{}'::jsonb)
	WHEN 'array' THEN coalesce((SELECT jsonb_agg(midwatch.jsonb_erase(v, p, pseudo) ORDER BY o)
	                              FROM jsonb_array_elements(j) WITH ORDINALITY AS e (v, o)),
	                           '[]'::jsonb)
	ELSE j END;
END
$$;

-- The predicate "row x of this table names the person" over the table's
-- personal columns: $1 the literal pattern of the name, $2 that of its
-- JSON-escaped form.
CREATE OR REPLACE FUNCTION midwatch.personal_match(p_table text)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg(CASE c.kind
	                  WHEN 'text' THEN format('x.%I ~* $1', c.column_name)
	                  ELSE format('(x.%1$I::text ~* $1 OR x.%1$I::text ~* $2)', c.column_name) END,
	                  ' OR ' ORDER BY c.column_name)
	  FROM midwatch.personal_data_columns c
	 WHERE c.table_name = p_table;
$$;

-- The two literal (***=) patterns of a name: as written, and JSON-escaped.
CREATE OR REPLACE FUNCTION midwatch.personal_patterns(p_actor text, OUT plain text, OUT json text)
LANGUAGE sql IMMUTABLE AS $$
	SELECT '***=' || p_actor,
	       '***=' || substr(to_jsonb(p_actor)::text, 2, length(to_jsonb(p_actor)::text) - 2);
$$;

-- Pseudonymises a person everywhere personal_data_columns says their name
-- can be, in every project: each occurrence of the name (case-insensitive,
-- also inside longer text such as 'console:NAME' or a note) becomes one
-- fresh pseudonym 'erased:<12 hex>' that cannot be traced back.
-- feedback_events keep their skeleton (id, type, target, incident, key,
-- time): the append-only trigger is lifted for this transaction only
-- (midwatch.allow_erasure) and still refuses any change but actor_id and
-- payload.  Records one audit entry 'actor.erased' in p_project and in
-- every project it changed, by p_by (itself pseudonymised if it is the
-- person), naming only the pseudonym and the counts.  Returns
-- {pseudonym, rows: {table: n}, total}.
CREATE OR REPLACE FUNCTION midwatch.erase_person(p_actor text, p_project bigint, p_by text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	pat    record;
	pseudo text;
	t      record;
	sets   text;
	n      bigint;
	total  bigint := 0;
	rows   jsonb := '{}';
	projs  bigint[] := ARRAY[p_project];
	more   bigint[];
	prev   text := coalesce(current_setting('midwatch.allow_erasure', true), '');
BEGIN
	IF p_actor IS NULL OR length(btrim(p_actor)) < 2 THEN
		RAISE EXCEPTION 'erase: the name must have at least 2 characters'
		    USING ERRCODE = 'invalid_parameter_value';
	END IF;
	pat := midwatch.personal_patterns(p_actor);
	pseudo := 'erased:' || substr(md5(gen_random_uuid()::text || clock_timestamp()::text), 1, 12);
	PERFORM set_config('midwatch.allow_erasure', 'on', true);
	FOR t IN SELECT DISTINCT c.table_name FROM midwatch.personal_data_columns c
	          WHERE to_regclass(format('midwatch.%I', c.table_name)) IS NOT NULL
	          ORDER BY 1 LOOP
		SELECT string_agg(CASE c.kind
		                  WHEN 'text' THEN format('%1$I = regexp_replace(x.%1$I, $1, $3, ''gi'')',
		                                          c.column_name)
		                  ELSE format('%1$I = midwatch.jsonb_erase(x.%1$I, $1, $3)', c.column_name)
		                  END, ', ' ORDER BY c.column_name)
		  INTO sets
		  FROM midwatch.personal_data_columns c WHERE c.table_name = t.table_name;
		EXECUTE format('WITH u AS (UPDATE midwatch.%I x SET %s WHERE %s RETURNING x.project_id)'
		               ' SELECT count(*), array_agg(DISTINCT project_id) FROM u',
		               t.table_name, sets, midwatch.personal_match(t.table_name))
		   INTO n, more USING pat.plain, pat.json, pseudo;
		IF n > 0 THEN
			rows := rows || jsonb_build_object(t.table_name, n);
			total := total + n;
			projs := projs || more;
		END IF;
	END LOOP;
	PERFORM set_config('midwatch.allow_erasure', CASE WHEN prev = 'on' THEN 'on' ELSE 'off' END, true);

	INSERT INTO midwatch.audit_entries (project_id, actor, action, target, details)
	SELECT DISTINCT p, regexp_replace(coalesce(p_by, 'system'), pat.plain, pseudo, 'gi'),
	       'actor.erased', 'actor:' || pseudo,
	       jsonb_build_object('pseudonym', pseudo, 'rows', rows, 'total', total)
	  FROM unnest(projs) AS p
	 WHERE p IS NOT NULL;
	RETURN jsonb_build_object('pseudonym', pseudo, 'rows', rows, 'total', total);
END
$$;
COMMENT ON FUNCTION midwatch.erase_person(text, bigint, text) IS
	'Pseudonymises a person in every personal_data_columns column (incl. append-only feedback); audited without the name.';

-- The older entry point keeps working, now through erase_person.
CREATE OR REPLACE FUNCTION midwatch.erase_actor(p_actor text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	p bigint;
BEGIN
	SELECT min(id) INTO p FROM midwatch.projects;
	RETURN (midwatch.erase_person(p_actor, p, 'system') ->> 'total')::integer;
END
$$;

-- Everything held about a person, in every project: for each table of
-- personal_data_columns the rows that name them (as erase_person would
-- find them), {"subject":..., "tables": {table: [row, ...]}, "rows": n}.
-- Audited (unless p_audit is false: a read-only session cannot write) in
-- p_project as 'actor.exported' by p_by (the subject's name is in the
-- entry's details: it is their data, and erase_person rewrites it).
CREATE OR REPLACE FUNCTION midwatch.export_person(p_actor text, p_project bigint, p_by text,
    p_audit boolean)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	pat    record;
	t      record;
	a      jsonb;
	tables jsonb := '{}';
	total  bigint := 0;
BEGIN
	IF p_actor IS NULL OR length(btrim(p_actor)) < 2 THEN
		RAISE EXCEPTION 'export: the name must have at least 2 characters'
		    USING ERRCODE = 'invalid_parameter_value';
	END IF;
	pat := midwatch.personal_patterns(p_actor);
	FOR t IN SELECT DISTINCT c.table_name FROM midwatch.personal_data_columns c
	          WHERE to_regclass(format('midwatch.%I', c.table_name)) IS NOT NULL
	          ORDER BY 1 LOOP
		EXECUTE format('SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM midwatch.%I x WHERE %s',
		               t.table_name, midwatch.personal_match(t.table_name))
		   INTO a USING pat.plain, pat.json;
		IF a IS NOT NULL THEN
			tables := tables || jsonb_build_object(t.table_name, a);
			total := total + jsonb_array_length(a);
		END IF;
	END LOOP;
	IF p_audit THEN
		INSERT INTO midwatch.audit_entries (project_id, actor, action, target, details)
		VALUES (p_project, coalesce(p_by, 'system'), 'actor.exported', NULL,
		        jsonb_build_object('subject', p_actor, 'rows', total));
	END IF;
	RETURN jsonb_build_object('subject', p_actor, 'exported_at', now(),
	                          'rows', total, 'tables', tables);
END
$$;
COMMENT ON FUNCTION midwatch.export_person(text, bigint, text, boolean) IS
	'Everything held about a person (rows naming them in personal_data_columns), as JSON; audited.';
