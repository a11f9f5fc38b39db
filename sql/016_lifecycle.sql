-- 016_lifecycle.sql - lifecycles that close (issue 10): incidents resolve by
-- themselves and reopen on recurrence, per-project settings for the windows
-- involved.
--
-- * projects.settings: a JSON object of per-project overrides of policy
--   entries, keyed by the entry's "stage.name" (`midwatch project set
--   incident.quiet_period 45m`); only the entries src/pipeline/policy.c
--   declares per-project are accepted by the CLI.  Values are seconds.
-- * midwatch.project_setting(project, key, default): the override, or the
--   default (the compiled-in policy value the stage passes).
-- * incidents.resolved_data_at: the data time at which an incident resolved
--   by itself (its signals' last end plus the quiet period); the reopen
--   window is measured from it.  NULL for open incidents and for those an
--   operator resolved (their reopen window starts at window_end).
--
-- Idempotent; runs in the migration runner's transaction.

ALTER TABLE midwatch.projects
	ADD COLUMN IF NOT EXISTS settings jsonb NOT NULL DEFAULT '{}';
ALTER TABLE midwatch.projects DROP CONSTRAINT IF EXISTS projects_settings_object;
ALTER TABLE midwatch.projects ADD CONSTRAINT projects_settings_object
	CHECK (jsonb_typeof(settings) = 'object');
COMMENT ON COLUMN midwatch.projects.settings IS
	'Per-project policy overrides, {"stage.name": seconds}; set by '
	'`midwatch project set KEY VALUE`, read by the pipeline stages.';

ALTER TABLE midwatch.incidents
	ADD COLUMN IF NOT EXISTS resolved_data_at timestamptz;
COMMENT ON COLUMN midwatch.incidents.resolved_data_at IS
	'Data time an automatic resolution took effect (last signal end + quiet '
	'period); the reopen window counts from it.  NULL unless resolved by '
	'the pipeline.';

CREATE OR REPLACE FUNCTION midwatch.project_setting(p_project_id bigint,
    p_key text, p_default double precision)
RETURNS double precision
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT CASE WHEN jsonb_typeof(p.settings -> p_key)
	                                  = 'number'
	                             THEN (p.settings ->> p_key)::double precision
	                        END
	                   FROM midwatch.projects p WHERE p.id = p_project_id),
	                p_default);
$$;
COMMENT ON FUNCTION midwatch.project_setting(bigint, text, double precision) IS
	'A per-project policy override (projects.settings), else the default.';

-- An operator's resolution or reopening (status_source 'feedback') is not
-- the pipeline's: its data time of resolution no longer applies.
CREATE OR REPLACE FUNCTION midwatch.incidents_resolved_data_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status <> 'resolved' OR NEW.status_source = 'feedback' THEN
		NEW.resolved_data_at := NULL;
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS incidents_resolved_data_at ON midwatch.incidents;
CREATE TRIGGER incidents_resolved_data_at BEFORE UPDATE ON midwatch.incidents
	FOR EACH ROW EXECUTE FUNCTION midwatch.incidents_resolved_data_at();
