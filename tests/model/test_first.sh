#!/bin/sh
# test_first.sh - the console's first snapshot (model_load_first, issue 13):
# over incidents with hypotheses, cited evidence, recommendations and
# alerts written with SQL, its incidents are the first ones of the full
# snapshot (model_load) in the same order, each with the same children;
# of the newest alerts as many as its bound, those of no loaded incident;
# with the full snapshot's bounds it is the full snapshot.  The alerts are
# in the snapshot's order; model_load_two (two connections) loads the same
# snapshot, and fails cleanly when its second connection is lost.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
DRIVER=$top_builddir/tests/model/stage_driver
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
pgtest_psql -f "$top_srcdir/tests/model/fixture.sql" >/dev/null ||
	{ echo "Bail out! fixture failed"; exit 1; }

# 60 more incidents in random statuses and severities, two hypotheses each
# (one citing evidence), a recommendation, and 600 alerts, most of them
# attached to one of the incidents.
pgtest_psql -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "Bail out! data failed"; exit 1; }
SELECT id AS p FROM midwatch.projects WHERE slug = 'default' \gset
SELECT min(id) AS s0 FROM midwatch.services WHERE project_id = :p \gset
INSERT INTO midwatch.incidents (id, project_id, dedupe_key, service_id, status,
                                trigger_type, severity, title, window_start,
                                window_end, confidence)
SELECT 5000 + g, :p, 'first-' || g, :s0,
       (ARRAY['open', 'triaged', 'resolved', 'suppressed'])[1 + floor(random() * 4)::int],
       'latency_regression',
       (ARRAY['critical', 'high', 'medium', 'low'])[1 + floor(random() * 4)::int],
       'First incident ' || g, now() - interval '5 hours' + g * interval '1 minute',
       now() - interval '4 hours', random()
  FROM generate_series(1, 60) g;
INSERT INTO midwatch.incident_decisions (project_id, incident_id, decision,
                                         rationale, policy_version)
SELECT :p, 5000 + g, 'approved', 'test', 'v1' FROM generate_series(1, 60) g;
INSERT INTO midwatch.evidence_artifacts (id, project_id, incident_id, dedupe_key,
                                         kind, source, ref, service_id, summary,
                                         confidence, observed_at)
SELECT 5000 + g, :p, 5000 + g, 'first-d-' || g, 'deployment', 'deployment_events',
       'd-' || g, :s0, 'deploy d-' || g, random(), now() - interval '5 hours'
  FROM generate_series(1, 60) g;
INSERT INTO midwatch.hypotheses (id, project_id, incident_id, dedupe_key, rank,
                                 hypothesis_type, service_id, title, confidence,
                                 score_details)
SELECT 10000 + 2 * g + k, :p, 5000 + g, 'first-h-' || k || '-' || g, 1 + k,
       (ARRAY['release', 'dependency'])[1 + k], :s0, 'hypothesis ' || k, random(),
       '{"why": "test"}'
  FROM generate_series(1, 60) g, generate_series(0, 1) k;
INSERT INTO midwatch.hypothesis_evidence (project_id, hypothesis_id, evidence_id,
                                          role, weight)
SELECT :p, 10000 + 2 * g, 5000 + g, 'supports', random()
  FROM generate_series(1, 60) g;
INSERT INTO midwatch.recommendations (id, project_id, incident_id, hypothesis_id,
                                      dedupe_key, template_key, type, title,
                                      evidence_count, gate_status, publishable)
SELECT 5000 + g, :p, 5000 + g, 10000 + 2 * g, 'first-r-' || g, 'rollback',
       'rollback', 'roll back d-' || g, 1, 'passed', true
  FROM generate_series(1, 60) g;
INSERT INTO midwatch.alerts (id, project_id, incident_id, service_id, fingerprint,
                             title, severity, status, created_at)
SELECT 50000 + g, :p, CASE WHEN g % 5 < 4 THEN 5001 + g % 60 END, :s0,
       'first-a' || g, 'alert ' || g,
       (ARRAY['critical', 'high', 'medium', 'low'])[1 + floor(random() * 4)::int],
       'active', now() - interval '3 hours' + g * interval '1 second'
  FROM generate_series(1, 600) g;
SQL

"$DRIVER" snapshot >"$TAP_TMP/full" 2>"$TAP_TMP/err"
t_ok $? "the full snapshot loads"
n=$(grep -c '^[0-9]' "$TAP_TMP/full")
[ "$n" -gt 60 ]
t_ok $? "it holds the incidents ($n)"

"$DRIVER" snapshot 10 20 >"$TAP_TMP/first" 2>"$TAP_TMP/err"
t_ok $? "the first snapshot loads"
t_eq "its incidents are the full snapshot's first 10, with the same children" \
    "$(grep '^[0-9]' "$TAP_TMP/full" | head -n 10)" \
    "$(grep '^[0-9]' "$TAP_TMP/first")"
grep -q '^[0-9].* a=[0-9]' "$TAP_TMP/first"
t_ok $? "some of them have alerts"
[ "$(sed -n 's/^others //p' "$TAP_TMP/first")" -le 20 ]
t_ok $? "at most 20 other alerts"

[ "$(sed -n 's/^others //p' "$TAP_TMP/full")" -gt 20 ]
t_ok $? "the full snapshot holds more other alerts"

# The snapshot's alerts are in `midwatch alerts`' order (most severe,
# newest, highest id first; the client sorts them): 60 more alerts with
# created_at ties and severities NULL-ranked by severity_rank ('info' is
# ranked; none of them is unknown: the CHECK refuses that).
pgtest_psql -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "Bail out! ties failed"; exit 1; }
SELECT id AS p FROM midwatch.projects WHERE slug = 'default' \gset
SELECT min(id) AS s0 FROM midwatch.services WHERE project_id = :p \gset
INSERT INTO midwatch.alerts (id, project_id, incident_id, service_id, fingerprint,
                             title, severity, status, created_at)
SELECT 60000 + g, :p, CASE WHEN g % 2 = 0 THEN 5001 + g % 60 END, :s0,
       'tie-a' || g, 'tie ' || g,
       (ARRAY['critical', 'high', 'medium', 'low', 'info'])[1 + floor(random() * 5)::int],
       'active', date_trunc('minute', now()) - (g % 3) * interval '1 minute'
  FROM generate_series(1, 60) g;
SQL
"$DRIVER" snapshot >"$TAP_TMP/full" 2>"$TAP_TMP/err"
t_ok $? "the full snapshot loads again"
want=$(pgtest_psql -c "
    WITH shown AS (SELECT unnest(string_to_array('$(sed -n 's/^alerts //p' "$TAP_TMP/full")', ','))::bigint AS id)
    SELECT string_agg(a.id::text, ',' ORDER BY midwatch.severity_rank(a.severity) DESC NULLS LAST,
                      a.created_at DESC, a.id DESC)
      FROM midwatch.alerts a JOIN shown USING (id)")
t_eq "its alerts are in the order of severity, then newest, then id" \
    "$want" "$(sed -n 's/^alerts //p' "$TAP_TMP/full")"
t_eq "and it holds the tied ones" "60" \
    "$(sed -n 's/^alerts //p' "$TAP_TMP/full" | tr ',' '\n' | grep -c '^600[0-9][0-9]$')"
first_inc=$(grep '^[0-9].* a=[0-9]*,[0-9]' "$TAP_TMP/full" | head -n 1)
ids=$(echo "$first_inc" | sed 's/.* a=//')
t_eq "an incident's alerts are in the same order" \
    "$(pgtest_psql -c "SELECT string_agg(id::text, ',' ORDER BY midwatch.severity_rank(severity) DESC NULLS LAST, created_at DESC, id DESC) FROM midwatch.alerts WHERE id = ANY ('{$ids}'::bigint[])")" \
    "$ids"

# model_load_two: the same snapshot with half of it read on a second
# connection; with that connection's backend ended, an error, no crash.
"$DRIVER" snapshot two >"$TAP_TMP/two" 2>"$TAP_TMP/err"
t_ok $? "the snapshot over two connections loads"
t_eq "it is the same snapshot" "$(cat "$TAP_TMP/full")" "$(cat "$TAP_TMP/two")"
"$DRIVER" snapshot two lost >"$TAP_TMP/lost" 2>"$TAP_TMP/err"
t_eq "with the second connection lost it fails (exit 1)" "1" "$?"
t_match "and says what failed" "stage_driver: snapshot: .*(terminat|server closed|connection)" \
    "$(cat "$TAP_TMP/err")"

# model.h's MODEL_MAX_INCIDENTS and MODEL_MAX_ALERTS
"$DRIVER" snapshot 1000 500 >"$TAP_TMP/big" 2>"$TAP_TMP/err"
t_ok $? "a first snapshot with the full snapshot's bounds loads"
t_eq "it is the full snapshot" "$(cat "$TAP_TMP/full")" "$(cat "$TAP_TMP/big")"
t_done
