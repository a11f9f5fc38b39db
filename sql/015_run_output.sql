-- 015_run_output.sql - nothing half-written is shown (issue 11): what a
-- pipeline run creates stays hidden from readers until the run completes,
-- and a run whose runner died is marked failed by the next reader or run.
--
-- * incidents, hypotheses, evidence_artifacts, recommendations and alerts
--   get `published`.  A row inserted while its run (run_id) is pending or
--   running starts unpublished (trigger run_rows_unpublished); the UPDATE
--   that marks the run completed publishes, in the same transaction
--   (trigger pipeline_runs_publish), the rows the run wrote and those left
--   by failed runs of the same kind whose window it covered again (their
--   data, recomputed and found the same).  Readers (src/model) show only
--   published rows, so `incidents --json` and the console never list an
--   incident of a run that died after the gate, with no hypotheses yet.
--   Rows written outside runs (external alerts from ingest) and rows that
--   existed before are published; a row a run only updates stays visible.
-- * midwatch.reap_dead_runs(project, lock key): the runner of a project's
--   pipeline holds its advisory lock for the whole run (src/pipeline), so
--   when the lock can be taken, runs still 'pending' or 'running' belong to
--   a runner that died: they are marked failed ('abandoned: runner died').
--   `midwatch status`, the console and every run call it.  In a read-only
--   transaction it only names them.
--
-- Idempotent; runs in the migration runner's transaction.

-- A new row of a run in progress is not shown until the run completes.
CREATE OR REPLACE FUNCTION midwatch.run_rows_unpublished() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.published := NOT EXISTS (
	    SELECT 1 FROM midwatch.pipeline_runs r
	     WHERE r.project_id = NEW.project_id AND r.id = NEW.run_id
	       AND r.status IN ('pending', 'running'));
	RETURN NEW;
END
$$;

-- The tables a run's output is hidden in, each with the column, its
-- comment, a partial index of what waits for publication and the trigger.
CREATE OR REPLACE FUNCTION midwatch.run_output_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['incidents', 'hypotheses', 'evidence_artifacts',
	    'recommendations', 'alerts'];
$$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY midwatch.run_output_tables() LOOP
		EXECUTE format('ALTER TABLE midwatch.%I ADD COLUMN IF NOT EXISTS'
		    ' published boolean NOT NULL DEFAULT true', t);
		EXECUTE format('COMMENT ON COLUMN midwatch.%I.published IS %L', t,
		    'False while the run that created the row has not completed: '
		    'readers skip it.');
		EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON midwatch.%I'
		    ' (project_id, run_id) WHERE NOT published',
		    t || '_unpublished_idx', t);
		EXECUTE format('DROP TRIGGER IF EXISTS %I ON midwatch.%I',
		    t || '_unpublished', t);
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON midwatch.%I'
		    ' FOR EACH ROW EXECUTE FUNCTION midwatch.run_rows_unpublished()',
		    t || '_unpublished', t);
	END LOOP;
END
$$;

-- The run completed: its rows, and what failed runs it covered again left,
-- are shown from the same commit on.
CREATE OR REPLACE FUNCTION midwatch.publish_run_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	runs bigint[];
	t text;
BEGIN
	SELECT array_agg(r.id) INTO runs
	  FROM midwatch.pipeline_runs r
	 WHERE r.project_id = NEW.project_id
	   AND (r.id = NEW.id
	        OR (r.status = 'failed' AND r.kind = NEW.kind AND r.id < NEW.id
	            AND r.window_start >= NEW.window_start
	            AND r.window_end <= NEW.window_end));
	FOREACH t IN ARRAY midwatch.run_output_tables() LOOP
		EXECUTE format('UPDATE midwatch.%I SET published = true'
		    ' WHERE project_id = $1 AND NOT published AND run_id = ANY ($2)', t)
		    USING NEW.project_id, runs;
	END LOOP;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS pipeline_runs_publish ON midwatch.pipeline_runs;
CREATE TRIGGER pipeline_runs_publish AFTER UPDATE OF status ON midwatch.pipeline_runs
	FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status <> 'completed')
	EXECUTE FUNCTION midwatch.publish_run_rows();

-- Runs left 'pending' or 'running' by a runner that died (its lock is
-- gone) are marked failed; returns their ids.  p_lock is the project's
-- pipeline lock key (DB_LOCK_PIPELINE + project id, include/midwatch/db.h).
CREATE OR REPLACE FUNCTION midwatch.reap_dead_runs(p_project_id bigint,
    p_lock bigint)
RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
	ids bigint[];
BEGIN
	IF NOT EXISTS (SELECT 1 FROM midwatch.pipeline_runs
	                WHERE project_id = p_project_id
	                  AND status IN ('pending', 'running')) THEN
		RETURN '{}';
	END IF;
	-- Held by a live runner in another session: nothing is dead.  (A
	-- session holding the lock itself takes it again: a run reaps its
	-- project's dead runs once it holds the lock, before it starts.)
	IF NOT pg_try_advisory_xact_lock(p_lock) THEN
		RETURN '{}';
	END IF;
	IF current_setting('transaction_read_only') = 'on' THEN
		SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO ids
		  FROM midwatch.pipeline_runs
		 WHERE project_id = p_project_id AND status IN ('pending', 'running');
		RETURN ids;
	END IF;
	WITH dead AS (
		UPDATE midwatch.pipeline_runs SET status = 'failed',
		       finished_at = now(), current_stage = NULL,
		       error = 'abandoned: runner died (its session and the pipeline '
		           'lock are gone)' || coalesce(' during stage ' || current_stage, '')
		 WHERE project_id = p_project_id AND status IN ('pending', 'running')
		RETURNING id)
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO ids FROM dead;
	RETURN ids;
END
$$;
COMMENT ON FUNCTION midwatch.reap_dead_runs(bigint, bigint) IS
	'Marks the pending/running runs of a project whose runner died (the '
	'pipeline lock is free) as failed; their ids.';
