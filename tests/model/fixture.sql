-- tests/model/fixture.sql - a small, fixed incident world for the model,
-- feedback and recommend/alert/report tests, written directly (the detect,
-- gate, evidence and hypothesize stages are not needed to produce it).
-- Ids are explicit and high (>= 100) so rows the stages insert through the
-- identity sequences never collide with them.  Data time: 2026-11-16 UTC.
--
--   incident 200  checkout  open       high      approved  hypotheses 400 (release d-123,
--                 0.82, 2 supports), 401 (config cfg-9, 0.41, 1 supports, 1 contradicts,
--                 1 missing), 402 (traffic, 0.15, only a missing entry)
--   incident 201  payments  suppressed medium    suppressed (maintenance)
--   incident 202  inventory resolved   low       approved
--   incident 203  payments  triaged    critical  approved  hypothesis 410 (db pg-main)
--   alerts 800 (active, incident 200) and 801 (resolved)
--   signals: error_rate_spike + external_alert + error_fingerprint_new on incident 200
--   metric points: checkout error_ratio 0.01, 0.21 from 13:05 to 13:40;
--                  payments latency_p99_ms 200, 400 from 13:10
--   health: inventory down 13:20-13:25

\set p '(SELECT id FROM midwatch.projects WHERE slug = ''default'')'

INSERT INTO midwatch.services (id, project_id, name) VALUES
    (100, :p, 'checkout'), (101, :p, 'payments'), (102, :p, 'inventory');

INSERT INTO midwatch.pipeline_runs (id, project_id, status, window_start, window_end,
                                    requested_by, started_at, finished_at)
VALUES (100, :p, 'completed', '2026-11-16T12:00:00Z', '2026-11-16T14:00:00Z',
        'fixture', now(), now());

INSERT INTO midwatch.deployment_events (id, project_id, ext_id, service_id, started_at,
                                        revision, previous_revision)
VALUES (600, :p, 'd-123', 100, '2026-11-16T13:02:00Z', 'v2.4.1', 'v2.4.0');
INSERT INTO midwatch.config_change_events (id, project_id, ext_id, service_id, detected_at,
                                           change_kind, resource_name, diff)
VALUES (700, :p, 'cfg-9', 101, '2026-11-16T13:00:00Z', 'env_var', 'payments-api',
        '[{"field": "TIMEOUT", "old_value": "5s", "new_value": "1s"}]');

INSERT INTO midwatch.incidents (id, project_id, run_id, dedupe_key, service_id, status,
                                trigger_type, severity, title, window_start, window_end,
                                confidence, impact_low, impact_high, impact_unit)
VALUES
    (200, :p, 100, 'inc-200', 100, 'open', 'error_rate_spike', 'high',
     'Error rate spike on checkout', '2026-11-16T13:05:00Z', '2026-11-16T13:40:00Z',
     0.8, 1200, 3400, 'failed_requests'),
    (201, :p, 100, 'inc-201', 101, 'suppressed', 'latency_regression', 'medium',
     'Latency during maintenance', '2026-11-16T12:10:00Z', '2026-11-16T12:20:00Z',
     0.5, NULL, NULL, NULL),
    (202, :p, 100, 'inc-202', 102, 'resolved', 'traffic_drop', 'low',
     'Traffic drop on inventory', '2026-11-16T12:30:00Z', '2026-11-16T12:45:00Z',
     0.4, NULL, NULL, NULL),
    (203, :p, 100, 'inc-203', 101, 'triaged', 'latency_regression', 'critical',
     'Latency regression on payments', '2026-11-16T13:10:00Z', '2026-11-16T13:30:00Z',
     0.6, NULL, NULL, NULL);

INSERT INTO midwatch.incident_decisions (project_id, run_id, incident_id, decision,
                                         rationale, policy_version)
VALUES
    (:p, 100, 200, 'approved', 'error_ratio 0.21 against baseline 0.01 for 35 min', 'v1'),
    (:p, 100, 201, 'suppressed', 'inside a maintenance window', 'v1'),
    (:p, 100, 202, 'approved', 'request_rate fell by 60%', 'v1'),
    (:p, 100, 203, 'approved', 'latency_p99_ms doubled', 'v1');

INSERT INTO midwatch.evidence_artifacts (id, project_id, run_id, incident_id, dedupe_key,
                                         kind, source, ref, service_id, summary,
                                         confidence, observed_at)
VALUES
    (300, :p, 100, 200, 'deployment:d-123', 'deployment', 'deployment_events', 'd-123', 100,
     'deploy d-123 of checkout (v2.4.1) 3 min before the onset', 0.9,
     '2026-11-16T13:02:00Z'),
    (301, :p, 100, 200, 'metric:error_ratio', 'metric_anomaly', 'metric_points',
     'error_ratio', 100, 'error_ratio 0.21 against baseline 0.01', 0.95,
     '2026-11-16T13:05:00Z'),
    (302, :p, 100, 200, 'config:cfg-9', 'config_change', 'config_change_events', 'cfg-9',
     101, 'TIMEOUT 5s -> 1s on payments-api | <b>', 0.5, '2026-11-16T13:00:00Z'),
    (303, :p, 100, 200, 'fp:npe', 'error_fingerprint', 'error_events', 'npe-cart', 100,
     E'NullPointerException in CartService \033[31mred\033[0m', 0.8,
     '2026-11-16T13:04:00Z'),
    (310, :p, 100, 203, 'metric:latency', 'metric_anomaly', 'metric_points',
     'latency_p99_ms', 101, 'latency_p99_ms 400 against 200', 0.8,
     '2026-11-16T13:10:00Z');

INSERT INTO midwatch.hypotheses (id, project_id, run_id, incident_id, dedupe_key, rank,
                                 hypothesis_type, service_id, ref, title, confidence,
                                 score_details)
VALUES
    (400, :p, 100, 200, 'release:d-123', 1, 'release', 100, 'd-123',
     'Deploy d-123 broke checkout', 0.82,
     '{"components": {"temporal": 0.9, "blast_radius": 0.7, "prior": 0.5},
       "why": "deploy 3 min before the onset; a new error fingerprint",
       "terms": [{"points": 0.4, "role": "supports", "why": "deployed 3 min before the onset",
                  "evidence_id": 300},
                 {"points": -0.05, "role": "missing", "why": "no canary stage seen"}]}'),
    (401, :p, 100, 200, 'config:cfg-9', 2, 'config', 101, 'cfg-9',
     'Timeout change cfg-9 on payments', 0.41,
     '{"components": {"temporal": 0.4, "blast_radius": 0.3, "prior": 0.5}}'),
    (402, :p, 100, 200, 'traffic', 3, 'traffic', 100, NULL,
     'Traffic surge into checkout', 0.15, '{}'),
    (410, :p, 100, 203, 'db:pg-main', 1, 'db', 101, 'pg-main',
     'Database pg-main is slow', 0.6, '{}');

INSERT INTO midwatch.hypothesis_evidence (project_id, run_id, hypothesis_id, evidence_id,
                                          role, expected_kind, weight, note)
VALUES
    (:p, 100, 400, 300, 'supports', NULL, 1.0, NULL),
    (:p, 100, 400, 303, 'supports', NULL, 0.8, NULL),
    (:p, 100, 401, 302, 'supports', NULL, 0.6, NULL),
    (:p, 100, 401, 300, 'contradicts', NULL, 0.5, NULL),
    (:p, 100, 401, NULL, 'missing', 'error_fingerprint', 0.4, 'no timeout errors logged'),
    (:p, 100, 402, NULL, 'missing', 'traffic_shift', 0.5, NULL),
    (:p, 100, 410, 310, 'supports', NULL, 1.0, NULL);

INSERT INTO midwatch.signals (id, project_id, run_id, dedupe_key, signal_type, status,
                              service_id, metric_name, ref, severity, quality_score,
                              onset_at, peak_at, baseline, peak_value, direction,
                              incident_id, details)
VALUES
    (500, :p, 100, 'sig-err-checkout', 'error_rate_spike', 'diagnosed', 100, 'error_ratio',
     NULL, 'high', 0.9, '2026-11-16T13:05:00Z', '2026-11-16T13:10:00Z', 0.01, 0.21, 'up',
     200, '{}'),
    (501, :p, 100, 'sig-am-checkout', 'external_alert', 'active', 100, NULL, 'am-fp-1',
     'high', 0.7, '2026-11-16T13:06:00Z', NULL, NULL, NULL, NULL, 200,
     '{"summary": "CheckoutErrors firing"}'),
    (502, :p, 100, 'sig-fp-checkout', 'error_fingerprint_new', 'active', 100, NULL,
     'npe-cart', 'medium', 0.6, '2026-11-16T13:04:00Z', NULL, NULL, NULL, NULL, 200, '{}');

INSERT INTO midwatch.alerts (id, project_id, run_id, incident_id, service_id, fingerprint,
                             title, message, severity, status, resolved_at, resolved_by,
                             last_fired_at)
VALUES
    (800, :p, 100, 200, 100, 'fixture:800', 'Checkout errors (fixture)',
     'error_ratio high', 'high', 'active', NULL, NULL, '2026-11-16T13:06:00Z'),
    (801, :p, 100, 202, 102, 'fixture:801', 'Inventory traffic (fixture)',
     'request_rate low', 'low', 'resolved', now(), 'bob', '2026-11-16T12:31:00Z');

SELECT midwatch.ensure_metric_partitions('2026-11-16T00:00:00Z', '2026-11-16T23:59:59Z');
INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
SELECT :p, 100, 'error_ratio', t,
       CASE WHEN t >= '2026-11-16T13:05:00Z' AND t < '2026-11-16T13:40:00Z'
            THEN 0.21 ELSE 0.01 END
  FROM generate_series('2026-11-16T12:00:00Z'::timestamptz,
                       '2026-11-16T14:00:00Z', interval '1 minute') t;
INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
SELECT :p, 101, 'latency_p99_ms', t,
       CASE WHEN t >= '2026-11-16T13:10:00Z' THEN 400 ELSE 200 END
  FROM generate_series('2026-11-16T12:00:00Z'::timestamptz,
                       '2026-11-16T14:00:00Z', interval '1 minute') t;
INSERT INTO midwatch.anomaly_features (project_id, service_id, metric_name, feature_name,
                                       ts, value, run_id)
SELECT :p, 100, 'error_ratio', 'baseline', t, 0.01, 100
  FROM generate_series('2026-11-16T12:00:00Z'::timestamptz,
                       '2026-11-16T14:00:00Z', interval '1 minute') t;
INSERT INTO midwatch.health_checks (project_id, service_id, ts, status)
SELECT :p, 102, t,
       CASE WHEN t >= '2026-11-16T13:20:00Z' AND t <= '2026-11-16T13:25:00Z'
            THEN 'down' ELSE 'healthy' END
  FROM generate_series('2026-11-16T12:00:00Z'::timestamptz,
                       '2026-11-16T14:00:00Z', interval '1 minute') t;
