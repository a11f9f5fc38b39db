-- 007_degraded.sql - a pipeline that keeps watching (issue: no valid input
-- can wedge a run).
--
--  * pipeline_runs.skipped_units: units of work (a series, a funnel, an
--    incident, an alert rule) that a completed run isolated and skipped
--    after they failed; the run's summary lists them under "skipped" and
--    audit_entries has one 'pipeline.unit_skipped' row each.  A completed run
--    with skipped_units > 0 is "degraded".
--  * status 'skipped': a window given up after it failed PIPELINE_MAX_TRIES
--    runs in a row (for reasons other than a lost database).  Such a row
--    records the gap (window_start .. window_end, the last error) and moves
--    the watermark, so the next window is watched.
--
-- Idempotent; runs in the migration runner's transaction.

ALTER TABLE midwatch.pipeline_runs
	ADD COLUMN IF NOT EXISTS skipped_units integer NOT NULL DEFAULT 0
	CHECK (skipped_units >= 0);
COMMENT ON COLUMN midwatch.pipeline_runs.skipped_units IS
	'Units (series, funnels, incidents, rules) the run isolated and skipped '
	'after a failure; > 0 on a completed run means degraded.';

ALTER TABLE midwatch.pipeline_runs
	DROP CONSTRAINT IF EXISTS pipeline_runs_status_check;
ALTER TABLE midwatch.pipeline_runs
	ADD CONSTRAINT pipeline_runs_status_check
	CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped'));
COMMENT ON TABLE midwatch.pipeline_runs IS
	'Pipeline run lifecycle pending -> running -> completed|failed, and '
	'skipped (a window given up after repeated failures, the gap); the '
	'watermark is max(window_end) of completed and skipped runs.';
