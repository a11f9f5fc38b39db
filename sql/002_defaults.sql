-- 002_defaults.sql - default data: the 'default' project, the per-project
-- defaults (known metric names, alert rules, report definitions and their
-- aggregate windows) and the global retention policies.
--
-- Every statement is idempotent (CREATE OR REPLACE, ON CONFLICT DO NOTHING):
-- applying this file a second time changes nothing.  Rows an operator has
-- edited since are never overwritten.  Runs inside the migration runner's
-- transaction (no BEGIN/COMMIT here).

-- ---------------------------------------------------------------------------
-- Per-project defaults, applied to every project (existing and new)
-- ---------------------------------------------------------------------------

-- Inserts whatever default rows project p_project_id lacks.
CREATE OR REPLACE FUNCTION midwatch.apply_project_defaults(p_project_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- Metric names the detector knows (DESIGN.md, "JSON Lines ingest format").
	INSERT INTO midwatch.metric_names (project_id, metric_name, unit, meaning, bad_direction)
	VALUES
	    (p_project_id, 'request_rate', 'req/s', 'requests per second', 'both'),
	    (p_project_id, 'error_ratio', 'ratio', 'failed / total requests, 0..1', 'up'),
	    (p_project_id, 'latency_p99_ms', 'ms', '99th percentile latency', 'up'),
	    (p_project_id, 'cpu_utilization', 'ratio', 'CPU used / limit, 0..1', 'up'),
	    (p_project_id, 'memory_utilization', 'ratio', 'memory used / limit, 0..1', 'up'),
	    (p_project_id, 'restarts', 'count', 'container restarts per interval', 'up')
	ON CONFLICT DO NOTHING;

	-- Alert rules.  config shapes (read by the alert stage):
	--   threshold: {"source": incident|metric|health, "field"/"metric", "op", "value", "for_seconds"}
	--   trend:     {"source": "metric", "metric", "direction", "window_seconds", "min_change_ratio"}
	--   pattern:   {"source": "signal", "signal_type"}
	-- channels: [] (no outbound notification until an operator adds one, e.g.
	--   {"name": "ops-slack", "kind": "slack", "url": "https://hooks.slack.com/..."}).
	INSERT INTO midwatch.alert_rules (project_id, name, description, kind, config,
	                                  severity, enabled, channels, cooldown_seconds,
	                                  created_by)
	VALUES
	    (p_project_id, 'critical incident opened',
	     'An approved incident of severity critical was opened.',
	     'threshold',
	     '{"source": "incident", "field": "severity", "op": ">=", "value": "critical"}',
	     'critical', true, '[]', 900, 'system'),
	    (p_project_id, 'error ratio over 5% for 5 min',
	     'error_ratio of a service stayed above 0.05 for 5 minutes.',
	     'threshold',
	     '{"source": "metric", "metric": "error_ratio", "op": ">", "value": 0.05, "for_seconds": 300}',
	     'high', true, '[]', 900, 'system'),
	    (p_project_id, 'latency trend',
	     'latency_p99_ms rose by half or more over 30 minutes.',
	     'trend',
	     '{"source": "metric", "metric": "latency_p99_ms", "direction": "up", "window_seconds": 1800, "min_change_ratio": 0.5}',
	     'medium', true, '[]', 900, 'system'),
	    (p_project_id, 'new error fingerprint',
	     'A service logged an error fingerprint never seen before.',
	     'pattern',
	     '{"source": "signal", "signal_type": "error_fingerprint_new"}',
	     'medium', true, '[]', 900, 'system'),
	    (p_project_id, 'service down',
	     'Health checks reported a service down for 2 minutes.',
	     'threshold',
	     '{"source": "health", "field": "status", "op": "==", "value": "down", "for_seconds": 120}',
	     'high', true, '[]', 900, 'system')
	ON CONFLICT DO NOTHING;

	-- Operational reports (metric_snapshots is keyed by report slug).
	INSERT INTO midwatch.report_definitions (project_id, slug, name, description,
	                                         dimension_key, default_window,
	                                         cache_ttl_seconds, supported_filters)
	VALUES
	    (p_project_id, 'incident-volume', 'Incident volume by period',
	     'Incidents opened per bucket, by service.', 'service', 'day', 300,
	     '["service", "severity", "status"]'),
	    (p_project_id, 'alert-status-counts', 'Alert status counts',
	     'Alerts per bucket, by status.', 'status', 'day', 300,
	     '["status", "severity"]'),
	    (p_project_id, 'top-noisy-services', 'Top noisy services',
	     'Services ranked by alerts and incidents.', 'service', 'week', 300,
	     '["severity"]'),
	    (p_project_id, 'top-noisy-rules', 'Top noisy rules',
	     'Alert rules ranked by alerts fired.', 'rule', 'week', 300,
	     '["severity"]')
	ON CONFLICT DO NOTHING;

	INSERT INTO midwatch.aggregate_windows (project_id, report_slug, window_name,
	                                        retention_days, refresh_interval_minutes,
	                                        is_default)
	SELECT p_project_id, r.slug, w.window_name, w.retention_days, w.refresh,
	       w.window_name = r.default_window
	  FROM midwatch.report_definitions r
	 CROSS JOIN (VALUES ('day', 90, 15), ('week', 730, 60))
	       AS w (window_name, retention_days, refresh)
	 WHERE r.project_id = p_project_id
	   AND r.slug IN ('incident-volume', 'alert-status-counts',
	                  'top-noisy-services', 'top-noisy-rules')
	ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION midwatch.apply_project_defaults(bigint) IS
	'Inserts the default metric names, alert rules, reports and windows a project lacks.';

-- New projects (e.g. `midwatch --project SLUG`) get the defaults at once.
CREATE OR REPLACE FUNCTION midwatch.projects_apply_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM midwatch.apply_project_defaults(NEW.id);
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER projects_apply_defaults
	AFTER INSERT ON midwatch.projects
	FOR EACH ROW EXECUTE FUNCTION midwatch.projects_apply_defaults();

-- ---------------------------------------------------------------------------
-- The default project
-- ---------------------------------------------------------------------------

INSERT INTO midwatch.projects (slug, name)
VALUES ('default', 'Default project')
ON CONFLICT (slug) DO NOTHING;

-- Projects created before this migration get their defaults too.
DO $$
BEGIN
	PERFORM midwatch.apply_project_defaults(id) FROM midwatch.projects;
END
$$;

-- ---------------------------------------------------------------------------
-- Retention (global; keep_days NULL = keep forever)
-- ---------------------------------------------------------------------------

INSERT INTO midwatch.retention_policies (table_name, ts_column, keep_days, note)
VALUES
    ('metric_points',        'ts',           30,   'whole UTC day partitions are dropped'),
    ('anomaly_features',     'ts',           30,   NULL),
    ('error_events',         'ts',           90,   'messages may hold personal data'),
    ('health_checks',        'ts',           30,   NULL),
    ('external_alerts',      'ts',           90,   NULL),
    ('funnel_snapshots',     'ts',           365,  NULL),
    ('deployment_events',    'started_at',   365,  NULL),
    ('config_change_events', 'detected_at',  365,  NULL),
    ('commits',              'authored_at',  365,  'commit_files and ranges cascade'),
    ('maintenance_windows',  'ends_at',      365,  NULL),
    ('ingest_errors',        'created_at',   30,   NULL),
    ('pipeline_runs',        'created_at',   180,  'surviving derived rows get run_id NULL'),
    ('signals',              'onset_at',     180,  NULL),
    ('incidents',            'window_end',   730,  'hypotheses, evidence, recommendations, reports cascade'),
    ('alerts',               'created_at',   365,  'outbound messages cascade'),
    ('outbound_messages',    'created_at',   90,   'attempts cascade'),
    ('outbound_attempts',    'attempted_at', 90,   NULL),
    ('metric_snapshots',     'bucket_start', 730,  NULL),
    ('audit_entries',        'created_at',   365,  NULL),
    ('past_case_outcomes',   'recorded_at',  NULL, 'kept: prior for ranking'),
    ('feedback_events',      'created_at',   NULL, 'append-only source of truth; erase_actor() for personal data')
ON CONFLICT DO NOTHING;
