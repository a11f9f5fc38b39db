#!/bin/sh
# test_stats.sh - the weekly view (issue 10, seed 004), against a real
# PostgreSQL.  Over a generated multi-day data set (random valid incidents,
# hypotheses, alerts and feedback spread over five weeks, with a random
# seed: STATS_SEED=N repeats one), every number `midwatch stats --json`
# prints, day and week, equals an independent SQL count written here; a
# recompute run killed half-way (kill -9 inside its transaction, through
# the test hook MIDWATCH_TEST_STATS_PAUSE) leaves 'failed' and the previous
# snapshots intact; a recompute is idempotent and audited; the pipeline
# runner recomputes the closed buckets that are due, and only those.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/lib/statsgen.sh"
pgtest_start
pgtest_createdb mw
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
MIDWATCH_ACTOR=carol; export MIDWATCH_ACTOR
q() { pgtest_psql -c "$1"; }

# expect PROJECT WINDOW: the numbers, computed independently of
# sql/018_stats.sql: buckets as dates (a week by its Monday, from isodow),
# per-alert facts by EXISTS and scalar subqueries, every bucket between the
# first and last data listed.  Lines slug|bucket|dimension|metric|value.
expect() {
	pgtest_psql -F '|' -v p="$1" -v w="$2" <<'EOF'
CREATE TEMP TABLE e_p AS SELECT id FROM midwatch.projects WHERE slug = :'p';
CREATE TEMP TABLE e_len AS SELECT CASE :'w' WHEN 'day' THEN 1 ELSE 7 END AS d;
CREATE FUNCTION pg_temp.bk(t timestamptz, d int) RETURNS date LANGUAGE sql AS
  $$ SELECT CASE d WHEN 1 THEN (t AT TIME ZONE 'UTC')::date
     ELSE (t AT TIME ZONE 'UTC')::date - (extract(isodow FROM t AT TIME ZONE 'UTC')::int - 1) END $$;
CREATE TEMP TABLE e_i AS
SELECT i.id, pg_temp.bk(i.window_start, e_len.d) AS b,
       coalesce((SELECT name FROM midwatch.services s WHERE s.id = i.service_id), '(none)') AS svc,
       (SELECT min(f.created_at) FROM midwatch.feedback_events f WHERE f.target_kind = 'incident'
         AND f.target_id = i.id AND f.event_type = 'incident_resolved') - i.created_at AS ttr
  FROM midwatch.incidents i, e_p, e_len
 WHERE i.project_id = e_p.id AND i.status <> 'suppressed'
   AND NOT EXISTS (SELECT 1 FROM midwatch.pipeline_runs r WHERE r.id = i.run_id AND r.status = 'failed');
CREATE TEMP TABLE e_a AS
SELECT a.id, a.status, pg_temp.bk(coalesce(a.last_fired_at, a.created_at), e_len.d) AS b,
       coalesce((SELECT name FROM midwatch.services s WHERE s.id = a.service_id), '(none)') AS svc,
       coalesce((SELECT name FROM midwatch.alert_rules r WHERE r.id = a.rule_id), '(external)') AS rule,
       EXISTS (SELECT 1 FROM midwatch.feedback_events f WHERE f.target_kind = 'alert'
         AND f.target_id = a.id AND f.event_type = 'alert_acknowledged') AS acked,
       EXISTS (SELECT 1 FROM midwatch.feedback_events f WHERE f.target_kind = 'alert'
         AND f.target_id = a.id AND f.event_type = 'alert_resolved' AND f.actor_type = 'system') AS auto,
       (SELECT min(f.created_at) FROM midwatch.feedback_events f WHERE f.target_kind = 'alert'
         AND f.target_id = a.id AND f.event_type = 'alert_acknowledged') - a.created_at AS tta,
       (SELECT min(f.created_at) FROM midwatch.feedback_events f WHERE f.target_kind = 'alert'
         AND f.target_id = a.id AND f.event_type = 'alert_resolved') - a.created_at AS ttr
  FROM midwatch.alerts a, e_p, e_len
 WHERE a.project_id = e_p.id
   AND NOT EXISTS (SELECT 1 FROM midwatch.pipeline_runs r WHERE r.id = a.run_id AND r.status = 'failed');
-- every bucket from the oldest to the newest row (recompute's default range)
CREATE TEMP TABLE e_b AS
SELECT generate_series(pg_temp.bk(lo, e_len.d)::timestamp, pg_temp.bk(hi, e_len.d)::timestamp,
       make_interval(days => e_len.d))::date AS b
  FROM e_len, (SELECT min(t) AS lo, max(t) AS hi FROM (
	SELECT window_start AS t FROM midwatch.incidents, e_p WHERE project_id = e_p.id
	UNION ALL SELECT coalesce(last_fired_at, created_at) FROM midwatch.alerts, e_p
	 WHERE project_id = e_p.id) x) m;
CREATE TEMP TABLE e_h AS
SELECT e_i.b, e_i.id,
       EXISTS (SELECT 1 FROM midwatch.hypotheses h WHERE h.incident_id = e_i.id AND h.status = 'confirmed') AS rev,
       (SELECT h.status FROM midwatch.hypotheses h WHERE h.incident_id = e_i.id ORDER BY h.rank, h.id LIMIT 1) = 'confirmed' AS top
  FROM e_i;
SELECT 'incident-volume', b, 'service', svc, 'incidents', count(*) FROM e_i GROUP BY b, svc
UNION ALL SELECT 'incident-volume', e_b.b, 'service', '*', 'incidents',
       (SELECT count(*) FROM e_i WHERE e_i.b = e_b.b) FROM e_b
UNION ALL SELECT 'alert-status-counts', b, 'status', status, 'alerts', count(*) FROM e_a GROUP BY b, status
UNION ALL SELECT 'alert-status-counts', e_b.b, 'status', '*', 'alerts',
       (SELECT count(*) FROM e_a WHERE e_a.b = e_b.b) FROM e_b
UNION ALL SELECT 'top-noisy-services', b, 'service', svc, 'alerts', count(*) FROM e_a GROUP BY b, svc
UNION ALL SELECT 'top-noisy-services', b, 'service', svc, 'alerts', 0 FROM e_i
       WHERE NOT EXISTS (SELECT 1 FROM e_a WHERE e_a.b = e_i.b AND e_a.svc = e_i.svc) GROUP BY b, svc
UNION ALL SELECT 'top-noisy-services', b, 'service', svc, 'alerts_per_day', count(*)::float8 / (SELECT d FROM e_len) FROM e_a GROUP BY b, svc
UNION ALL SELECT 'top-noisy-services', b, 'service', svc, 'alerts_per_day', 0 FROM e_i
       WHERE NOT EXISTS (SELECT 1 FROM e_a WHERE e_a.b = e_i.b AND e_a.svc = e_i.svc) GROUP BY b, svc
UNION ALL SELECT 'top-noisy-services', b, 'service', svc, 'acknowledged_share', avg(acked::int) FROM e_a GROUP BY b, svc
UNION ALL SELECT 'top-noisy-services', b, 'service', svc, 'auto_resolved_share', avg(auto::int) FROM e_a GROUP BY b, svc
UNION ALL SELECT 'top-noisy-services', x.b, 'service', x.svc, 'incidents',
       (SELECT count(*) FROM e_i WHERE e_i.b = x.b AND e_i.svc = x.svc)
  FROM (SELECT b, svc FROM e_a UNION SELECT b, svc FROM e_i) x
UNION ALL SELECT 'top-noisy-rules', b, 'rule', rule, 'alerts', count(*) FROM e_a GROUP BY b, rule
UNION ALL SELECT 'top-noisy-rules', b, 'rule', rule, 'alerts_per_day', count(*)::float8 / (SELECT d FROM e_len) FROM e_a GROUP BY b, rule
UNION ALL SELECT 'top-noisy-rules', b, 'rule', rule, 'acknowledged_share', avg(acked::int) FROM e_a GROUP BY b, rule
UNION ALL SELECT 'top-noisy-rules', b, 'rule', rule, 'auto_resolved_share', avg(auto::int) FROM e_a GROUP BY b, rule
UNION ALL SELECT 'response-times', e_b.b, 'target', 'alert', 'acknowledged',
       (SELECT count(*) FROM e_a WHERE e_a.b = e_b.b AND acked) FROM e_b
UNION ALL SELECT 'response-times', e_b.b, 'target', 'alert', 'resolved',
       (SELECT count(ttr) FROM e_a WHERE e_a.b = e_b.b) FROM e_b
UNION ALL SELECT 'response-times', b, 'target', 'alert', 'mean_seconds_to_ack',
       sum(extract(epoch FROM tta)) / count(tta) FROM e_a WHERE tta IS NOT NULL GROUP BY b
UNION ALL SELECT 'response-times', b, 'target', 'alert', 'mean_seconds_to_resolve',
       sum(extract(epoch FROM ttr)) / count(ttr) FROM e_a WHERE ttr IS NOT NULL GROUP BY b
UNION ALL SELECT 'response-times', e_b.b, 'target', 'incident', 'resolved',
       (SELECT count(ttr) FROM e_i WHERE e_i.b = e_b.b) FROM e_b
UNION ALL SELECT 'response-times', b, 'target', 'incident', 'mean_seconds_to_resolve',
       sum(extract(epoch FROM ttr)) / count(ttr) FROM e_i WHERE ttr IS NOT NULL GROUP BY b
UNION ALL SELECT 'hypothesis-precision', e_b.b, 'incidents', '*', 'reviewed',
       (SELECT count(*) FROM e_h WHERE e_h.b = e_b.b AND rev) FROM e_b
UNION ALL SELECT 'hypothesis-precision', e_b.b, 'incidents', '*', 'top_confirmed',
       (SELECT count(*) FROM e_h WHERE e_h.b = e_b.b AND rev AND top) FROM e_b
UNION ALL SELECT 'hypothesis-precision', b, 'incidents', '*', 'precision',
       avg((rev AND top)::int) FILTER (WHERE rev) FROM e_h GROUP BY b HAVING bool_or(rev);
EOF
}

# norm: slug|bucket|dimension|metric|value with the value to 6 decimals,
# sorted.
norm() { awk -F'|' '{ printf "%s|%s|%s|%s|%.6f\n", $1, $2, $3, $4, $5 }' | LC_ALL=C sort; }
# got PROJECT WINDOW: the same lines from `midwatch stats --json`.
got() {
	"$MIDWATCH" --project "$1" stats --window "$2" --json |
	    jq -r --arg dim x '.reports[] | .slug as $s | .dimension as $d | .buckets[] |
	        .bucket_start[0:10] as $b | .rows[] | .dimension_value as $v |
	        .metrics | to_entries[] | [$s, $b, $d, $v, .key, (.value | tostring)] | join("|")' |
	    awk -F'|' '{ print $1 "|" $2 "|" $4 "|" $5 "|" $6 }' | norm
}
expected() { expect "$1" "$2" | awk -F'|' '{ print $1 "|" $2 "|" $4 "|" $5 "|" $6 }' | norm; }
# compare DESC PROJECT WINDOW
compare() {
	got "$2" "$3" >"$TAP_TMP/got"
	expected "$2" "$3" >"$TAP_TMP/exp"
	if [ -s "$TAP_TMP/exp" ] && cmp -s "$TAP_TMP/got" "$TAP_TMP/exp"; then
		t_ok 0 "$1 ($(wc -l <"$TAP_TMP/exp") numbers)"
	else
		t_ok 1 "$1"
		diff "$TAP_TMP/exp" "$TAP_TMP/got" | head -20 | sed 's/^/# /'
	fi
}
snaps() { q "select md5(string_agg(concat_ws('|', report_slug, window_name, bucket_start, dimension_value, metric_name, metric_value, run_id), ',' order by report_slug, window_name, bucket_start, dimension_value, metric_name)) from midwatch.metric_snapshots m join midwatch.projects p on p.id = m.project_id where p.slug = '$1'"; }
values() { q "select md5(string_agg(concat_ws('|', report_slug, window_name, bucket_start, dimension_value, metric_name, metric_value), ',' order by report_slug, window_name, bucket_start, dimension_value, metric_name)) || ':' || count(*) from midwatch.metric_snapshots m join midwatch.projects p on p.id = m.project_id where p.slug = '$1'"; }
runs() { q "select string_agg(r.status, ',' order by r.id) from midwatch.pipeline_runs r join midwatch.projects p on p.id = r.project_id where p.slug = '$1' and r.kind = 'stats'"; }

statsgen st 260 700 >/dev/null || { echo "Bail out! generating the data failed"; exit 1; }

# ---- nothing computed yet ---------------------------------------------------------
out=$("$MIDWATCH" --project st stats 2>&1); rc=$?
t_eq "stats before any recompute exits 0" 0 "$rc"
t_match "and says nothing is computed" "nothing computed yet" "$out"

# ---- recompute: a run, audited; the numbers equal an independent count ---------------
out=$("$MIDWATCH" --project st stats recompute 2>&1); rc=$?
t_eq "stats recompute exits 0" 0 "$rc"
t_match "and names its run" "^stats run [0-9]+ completed: [0-9]+ snapshot rows$" "$out"
run1=$(echo "$out" | sed -n 's/^stats run \([0-9]*\) .*/\1/p')
t_eq "the run is a completed pipeline run of kind stats, by the actor" "stats|completed|carol" \
    "$(q "select kind || '|' || status || '|' || requested_by from midwatch.pipeline_runs where id = $run1")"
t_eq "every snapshot row carries its run_id" "0" \
    "$(q "select count(*) from midwatch.metric_snapshots m join midwatch.projects p on p.id = m.project_id where p.slug = 'st' and run_id is distinct from $run1")"
t_eq "an audit entry when it started and one when it completed" "stats.started,stats.completed" \
    "$(q "select string_agg(action, ',' order by id) from midwatch.audit_entries where target = 'pipeline_run:$run1'")"
compare "every day number of stats --json equals the independent SQL count" st day
compare "every week number of stats --json equals the independent SQL count" st week
t_eq "weeks start on Monday (UTC)" "1" \
    "$(q "select string_agg(distinct extract(isodow from bucket_start at time zone 'UTC')::text, ',') from midwatch.metric_snapshots where window_name = 'week'")"

# ---- the text tables ------------------------------------------------------------------
out=$("$MIDWATCH" --project st stats --window week --report alert-status-counts 2>&1)
wk=$(q "select to_char(max(bucket_start) at time zone 'UTC', 'YYYY-MM-DD') from midwatch.metric_snapshots where window_name = 'week'")
n=$(q "select metric_value::bigint from midwatch.metric_snapshots where window_name = 'week' and report_slug = 'alert-status-counts' and dimension_value = '*' and bucket_start = '$wk'")
t_match "the text table shows a week's alert total" "^  $wk \* +$n\$" "$out"
t_eq "--report shows that report only" "1" "$(echo "$out" | grep -c '(alert-status-counts')"
out=$("$MIDWATCH" --project st stats --report nosuch 2>&1); rc=$?
t_eq "an unknown report is an error" 1 "$rc"
t_match "that lists the reports" "no report nosuch .*incident-volume, alert-status-counts" "$out"
out=$("$MIDWATCH" --project st stats --window month 2>&1); rc=$?
t_eq "an unknown window is a usage error" 2 "$rc"
out=$("$MIDWATCH" --project st stats recompute --from yesterday 2>&1); rc=$?
t_eq "a bad --from is a usage error" 2 "$rc"
out=$("$MIDWATCH" --project st --readonly stats recompute 2>&1); rc=$?
t_match "--readonly refuses recompute" "refused: --readonly" "$out"
t_eq "... and started no run" "completed" "$(runs st)"
out=$("$MIDWATCH" --project st --readonly stats --report incident-volume 2>&1); rc=$?
t_eq "--readonly reads the stats" 0 "$rc"

# ---- idempotent -------------------------------------------------------------------------
v1=$(values st)
"$MIDWATCH" --project st stats recompute >/dev/null 2>&1
t_eq "a second recompute writes the same numbers" "$v1" "$(values st)"
t_eq "both runs completed" "completed,completed" "$(runs st)"

# ---- killed half-way: failed, the previous snapshots intact -----------------------------
before=$(snaps st)
# data that would change the numbers
pgtest_psql -c "update midwatch.alerts set status = 'resolved' where project_id = (select id from midwatch.projects where slug = 'st') and status = 'active'" >/dev/null
MIDWATCH_TEST_STATS_PAUSE=60 "$MIDWATCH" --project st stats recompute >"$TAP_TMP/kill.out" 2>&1 &
pid=$!
i=0
while ! grep -q "paused (test hook)" "$TAP_TMP/kill.out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "the recompute ran (and paused before its commit)" "running" \
    "$(q "select status from midwatch.pipeline_runs where kind = 'stats' order by id desc limit 1")"
kill -9 "$pid"
wait "$pid" 2>/dev/null
# its session ends once the server sees the client gone
i=0
while [ "$(q "select count(*) from pg_locks where locktype = 'advisory'")" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "the previous snapshots are intact" "$before" "$(snaps st)"
"$MIDWATCH" --project st stats --json >"$TAP_TMP/after.json" 2>&1
t_eq "the next reader shows the killed run failed" "failed|abandoned" \
    "$(jq -r '.last_run.status + "|" + (.last_run.error | split(":")[0])' "$TAP_TMP/after.json")"
t_eq "three runs: completed, completed, failed" "completed,completed,failed" "$(runs st)"
out=$("$MIDWATCH" --project st stats recompute 2>&1); rc=$?
t_eq "the next recompute completes" 0 "$rc"
compare "and its numbers equal the independent count of the changed data" st day
compare "week too" st week

# ---- the pipeline runner: closed buckets that are due, only those -----------------------
statsgen auto 40 400 >/dev/null
pts() { # pts DAY: a few metric points on that day
	for m in 0 1 2; do
		printf '{"kind":"metric","ts":"%sT00:0%d:00Z","service":"svc1","metric":"request_rate","value":10}\n' "$1" "$m"
	done
}
pts 2026-11-10 >"$TAP_TMP/p1.jsonl"
"$MIDWATCH" --project auto ingest "$TAP_TMP/p1.jsonl" >/dev/null 2>&1
"$MIDWATCH" --project auto run >/dev/null 2>&1
t_eq "a pipeline run recomputes the closed buckets (a stats run)" "completed" "$(runs auto)"
closed=$(q "select count(*) from midwatch.metric_snapshots m join midwatch.projects p on p.id = m.project_id where p.slug = 'auto' and bucket_start + case window_name when 'day' then interval '1 day' else interval '7 days' end > '2026-11-10T00:02:00Z'")
t_eq "and no bucket still open at its data time" "0" "$closed"
compare "the runner's day numbers equal the independent count" auto day
pts 2026-11-11 >"$TAP_TMP/p2.jsonl"
"$MIDWATCH" --project auto ingest "$TAP_TMP/p2.jsonl" >/dev/null 2>&1
"$MIDWATCH" --project auto run >/dev/null 2>&1
t_eq "a run with nothing changed in closed buckets starts no stats run" "completed" "$(runs auto)"
pgtest_psql -c "update midwatch.alerts set status = 'silenced' where id = (select min(a.id) from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'auto' and a.published and a.status <> 'silenced' and coalesce(a.last_fired_at, a.created_at) < '2026-11-02')" >/dev/null
pts 2026-11-12 >"$TAP_TMP/p3.jsonl"
"$MIDWATCH" --project auto ingest "$TAP_TMP/p3.jsonl" >/dev/null 2>&1
"$MIDWATCH" --project auto run >/dev/null 2>&1
t_eq "a changed alert makes the next run recompute its bucket" "completed,completed" "$(runs auto)"
t_eq "its day and its week only" "2" \
    "$(q "select summary->>'buckets' from midwatch.pipeline_runs where kind = 'stats' order by id desc limit 1")"
compare "and the numbers follow the change" auto week
t_done
