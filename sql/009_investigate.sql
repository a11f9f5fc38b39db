-- 009_investigate.sql - `midwatch investigate` (issue 8, "investigate this
-- moment"): an on-call engineer names a moment, midwatch opens an incident
-- anchored there and ranks root causes even when its detectors saw nothing.
--
--  * pipeline_runs.kind: 'pipeline' (every run of the pipeline, the
--    default) or 'investigate' (the run that records one investigation, for
--    lineage: run_id on the signals, incident, evidence and hypotheses it
--    writes).  An investigation run covers [at, at + window] but is no
--    pipeline run: the watermark, the give-up rule and the health
--    (`midwatch status`, the console's status bar) only consider kind
--    'pipeline'.
--  * incidents.trigger_type gains 'investigation': the incident exists
--    because someone asked, not because a signal crossed the gate.
--
-- Idempotent; runs in the migration runner's transaction.

ALTER TABLE midwatch.pipeline_runs
	ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'pipeline';
ALTER TABLE midwatch.pipeline_runs
	DROP CONSTRAINT IF EXISTS pipeline_runs_kind_check;
ALTER TABLE midwatch.pipeline_runs
	ADD CONSTRAINT pipeline_runs_kind_check
	CHECK (kind IN ('pipeline', 'investigate'));
COMMENT ON COLUMN midwatch.pipeline_runs.kind IS
	'pipeline (a run of the pipeline) | investigate (one `midwatch '
	'investigate`; never moves the watermark nor counts for health).';
CREATE INDEX IF NOT EXISTS pipeline_runs_kind_idx
	ON midwatch.pipeline_runs (project_id, kind, status, window_end);
COMMENT ON TABLE midwatch.pipeline_runs IS
	'Pipeline run lifecycle pending -> running -> completed|failed, and '
	'skipped (a window given up after repeated failures, the gap); the '
	'watermark is max(window_end) of completed and skipped runs of kind '
	'pipeline.  Kind investigate: the run of one investigation.';

ALTER TABLE midwatch.incidents
	DROP CONSTRAINT IF EXISTS incidents_trigger_type_check;
ALTER TABLE midwatch.incidents
	ADD CONSTRAINT incidents_trigger_type_check
	CHECK (trigger_type IN ('error_rate_spike', 'latency_regression',
	       'saturation', 'traffic_drop', 'traffic_surge', 'crashloop',
	       'error_fingerprint_new', 'health_down', 'conversion_drop',
	       'external_alert', 'custom', 'investigation'));
COMMENT ON COLUMN midwatch.incidents.trigger_type IS
	'The type of the signal that triggered the incident, or investigation '
	'(opened by `midwatch investigate`, dedupe_key investigate:<epoch>[:<service id>]).';
