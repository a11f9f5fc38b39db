# tests/lib/statsgen.sh - random valid operational data for the stats tests
# (sourced after pgtest.sh): statsgen writes incidents, hypotheses, alerts
# and feedback over five weeks with SQL.  The seed is random and printed;
# STATS_SEED=N repeats a run.
SEED=${STATS_SEED:-$(( $(date +%s) % 100000 ))}
echo "# seed $SEED (STATS_SEED=$SEED repeats this run)"

# statsgen PROJECT N_INCIDENTS N_ALERTS: random valid rows over 35 days from
# 2026-10-05 (a Monday), with services, rules, hypotheses and feedback;
# a few rows belong to a run that failed (unpublished: never counted).
statsgen() {
	pgtest_psql -v p="$1" -v ni="$2" -v na="$3" -v seed="0.$SEED" <<'EOF'
SELECT setseed(:seed);
INSERT INTO midwatch.projects (slug, name) VALUES (:'p', :'p') ON CONFLICT DO NOTHING;
CREATE TEMP TABLE pr AS SELECT id FROM midwatch.projects WHERE slug = :'p';
INSERT INTO midwatch.services (project_id, name)
SELECT pr.id, 'svc' || g FROM pr, generate_series(1, 6) g ON CONFLICT DO NOTHING;
-- a run that failed: what it wrote stays unpublished
INSERT INTO midwatch.pipeline_runs (project_id, status) SELECT id, 'running' FROM pr;
CREATE TEMP TABLE deadrun AS SELECT max(id) AS id FROM midwatch.pipeline_runs
 WHERE project_id = (SELECT id FROM pr);
CREATE TEMP TABLE ti AS
SELECT g, timestamptz '2026-10-05 00:00Z' + random() * interval '35 days' AS ws,
       (ARRAY['open', 'triaged', 'resolved', 'suppressed'])[1 + floor(random() * 4)::int] AS st,
       floor(random() * 7)::int AS svc, random() < 0.05 AS dead,
       random() * 7200 AS lag
  FROM generate_series(1, :ni) g;
INSERT INTO midwatch.incidents (project_id, run_id, dedupe_key, service_id, status,
       trigger_type, severity, window_start, window_end, created_at)
SELECT pr.id, CASE WHEN ti.dead THEN deadrun.id END, 'gen:' || ti.g,
       (SELECT s.id FROM midwatch.services s WHERE s.project_id = pr.id
           AND s.name = 'svc' || ti.svc),
       ti.st, 'error_rate_spike', 'high', ti.ws, ti.ws + interval '10 minutes',
       ti.ws + ti.lag * interval '1 second'
  FROM ti, pr, deadrun;
INSERT INTO midwatch.hypotheses (project_id, run_id, incident_id, dedupe_key, rank,
       hypothesis_type, title, confidence, status)
SELECT i.project_id, i.run_id, i.id, 'h' || r, r, 'release', 'h' || r, 0.5,
       (ARRAY['proposed', 'confirmed', 'rejected'])[1 + floor(random() * 3)::int]
  FROM midwatch.incidents i, pr, generate_series(1, 3) r
 WHERE i.project_id = pr.id AND random() < 0.6;
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id, event_type,
       target_kind, target_id, incident_id, idempotency_key, created_at)
SELECT i.project_id, 'user', 'op', 'incident_resolved', 'incident', i.id, i.id,
       'gen:ir:' || i.id, i.created_at + random() * interval '5 hours'
  FROM midwatch.incidents i, pr WHERE i.project_id = pr.id AND i.status = 'resolved';
CREATE TEMP TABLE ta AS
SELECT g, timestamptz '2026-10-05 00:00Z' + random() * interval '35 days' AS t,
       random() < 0.1 AS never, floor(random() * 8)::int AS svc,
       floor(random() * 9)::int AS rule, random() < 0.05 AS dead,
       (ARRAY['active', 'acknowledged', 'resolved', 'silenced'])[1 + floor(random() * 4)::int] AS st,
       random() AS ack, random() AS res
  FROM generate_series(1, :na) g;
INSERT INTO midwatch.alerts (project_id, run_id, rule_id, service_id, fingerprint,
       title, status, last_fired_at, created_at)
SELECT pr.id, CASE WHEN ta.dead THEN deadrun.id END,
       (SELECT r.id FROM midwatch.alert_rules r WHERE r.project_id = pr.id
         ORDER BY r.id OFFSET ta.rule LIMIT 1),
       (SELECT s.id FROM midwatch.services s WHERE s.project_id = pr.id
           AND s.name = 'svc' || ta.svc),
       'gen:' || ta.g, 'alert ' || ta.g, ta.st,
       CASE WHEN NOT ta.never THEN ta.t END,
       CASE WHEN ta.never THEN ta.t ELSE ta.t + interval '3 minutes' END
  FROM ta, pr, deadrun;
UPDATE midwatch.pipeline_runs SET status = 'failed', error = 'generated'
 WHERE id = (SELECT id FROM deadrun);
-- acknowledgements (some twice: the first counts), resolutions by a
-- person or by the system (auto-resolved)
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id, event_type,
       target_kind, target_id, idempotency_key, created_at)
SELECT a.project_id, 'user', 'op', 'alert_acknowledged', 'alert', a.id,
       'gen:ack:' || a.id || ':' || k, a.created_at + (k * 600 + random() * 3600) * interval '1 second'
  FROM midwatch.alerts a, pr, generate_series(1, 2) k
 WHERE a.project_id = pr.id AND a.status IN ('acknowledged', 'resolved', 'silenced')
   AND (k = 1 OR random() < 0.3);
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id, event_type,
       target_kind, target_id, idempotency_key, created_at)
SELECT a.project_id, x.kind, 'x', 'alert_resolved', 'alert', a.id,
       'gen:res:' || a.id, a.created_at + random() * interval '9 hours'
  FROM midwatch.alerts a, pr,
       LATERAL (SELECT CASE WHEN random() < 0.5 THEN 'system' ELSE 'user' END AS kind) x
 WHERE a.project_id = pr.id AND a.status = 'resolved';
EOF
}
