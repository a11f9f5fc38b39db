-- 027_detect_state.sql - each run costs what it judges (issue 13,
-- "Pipeline"): the detect stage keeps, per metric series, the detector's
-- state at its newest quiet point (src/pipeline/detect_state.c, detect.h
-- struct detect_state), so that the next run reads and judges only the
-- points after it (plus what the seasonal and drift references need)
-- instead of the whole lookback.  A series with no usable state (none yet,
-- one taken after the run's window start, other detector parameters, or no
-- quiet point lately) is judged on the whole lookback as before.
-- doc/pipeline.md and doc/schema.md describe it.  Runs in the migration
-- runner's transaction.

CREATE TABLE IF NOT EXISTS midwatch.detect_state (
	project_id   bigint NOT NULL,
	service_id   bigint NOT NULL,
	metric_name  text NOT NULL,
	labels_key   text NOT NULL DEFAULT '',
	params       text NOT NULL,           -- fingerprint of the detector's parameters
	step         double precision NOT NULL,
	first_at     double precision NOT NULL,   -- epoch of the first point judged (a day of history: "seasonal")
	resume_at    double precision,        -- epoch; NULL: no state (judge the lookback)
	trailing_ring double precision[] NOT NULL DEFAULT '{}',   -- t1, x1, t2, x2, ...
	seasonal_ring double precision[] NOT NULL DEFAULT '{}',   -- t, value - reference, ...
	run_id       bigint,
	PRIMARY KEY (project_id, service_id, metric_name, labels_key),
	FOREIGN KEY (project_id, service_id)
		REFERENCES midwatch.services (project_id, id) ON DELETE CASCADE,
	FOREIGN KEY (project_id, run_id)
		REFERENCES midwatch.pipeline_runs (project_id, id) ON DELETE SET NULL (run_id)
);
COMMENT ON TABLE midwatch.detect_state IS
	'Per-series detector state at its newest quiet point: the next run judges only the points after it.';

SELECT midwatch.setup_roles();
SELECT midwatch.secure_project_tables();
