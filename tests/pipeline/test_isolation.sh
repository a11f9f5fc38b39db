#!/bin/sh
# test_isolation.sh - the pipeline never stops watching (issue 7):
#  - the minimal wedge case (a burst split by a dip, whose feature rows
#    overlapped inside one INSERT) completes, and again incrementally;
#  - a unit that fails (the test hook MIDWATCH_TEST_FAIL_UNIT makes one
#    series, then one incident, fail with a real database error) is rolled
#    back alone: the rest of the run completes, the run is degraded
#    (skipped_units, summary, audit_entries), `run` exits 1, `status` says
#    degraded (exit 1), `incidents` says so on its first line, and the next
#    run proceeds and is healthy;
#  - a window that keeps failing is given up after 3 runs, the gap recorded,
#    and the next window is watched; `status` says failing (exit 2) while it
#    fails.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
con_setup

# ts N: the timestamp N minutes after 2026-11-16T00:00:00Z.
ts() {
	printf '2026-11-16T%02d:%02d:00Z' $(($1 / 60)) $(($1 % 60))
}
# metric SERVICE METRIC MINUTE VALUE
metric() {
	printf '{"kind":"metric","service":"%s","metric":"%s","ts":"%s","value":%s}\n' \
	    "$1" "$2" "$(ts "$3")" "$4"
}

# --- the minimal wedge case ----------------------------------------------------
pgtest_createdb wedge
{
	m=0
	while [ $m -lt 60 ]; do
		if [ $((m % 2)) -eq 0 ]; then v=9.9; else v=10.1; fi
		metric wedge queue_depth $m $v; m=$((m + 1))
	done
	for v in 100 100 100 100 100 100 10 10 10 10 100 100 100 100 100 100; do
		metric wedge queue_depth $m $v; m=$((m + 1))
	done
	while [ $m -lt 96 ]; do
		if [ $((m % 2)) -eq 0 ]; then v=9.9; else v=10.1; fi
		metric wedge queue_depth $m $v; m=$((m + 1))
	done
} >"$TAP_TMP/wedge.jsonl"
t_run "the wedge case ingests" "$MIDWATCH" ingest "$TAP_TMP/wedge.jsonl"
t_run "a run over a burst split by a dip completes" "$MIDWATCH" run --at "$(ts 70)"
t_run "... and the next, incremental run too" "$MIDWATCH" run
n=$(pgtest_psql -c "select count(*) || ':' || sum(skipped_units) from midwatch.pipeline_runs where status = 'completed'")
t_eq "both runs completed, nothing skipped" "2:0" "$n"
n=$(pgtest_psql -c "select count(*) > 0 from midwatch.signals where metric_name = 'queue_depth'")
t_eq "the bursts are signals" "t" "$n"
n=$(pgtest_psql -c "select count(*) = count(distinct ts) from midwatch.anomaly_features where feature_name = 'zscore'")
t_eq "each point has its features once" "t" "$n"
t_run "a recomputation of the whole window completes too" "$MIDWATCH" run --since "$(ts 0)"
out=$("$MIDWATCH" status); rc=$?
t_eq "status of a healthy pipeline exits 0" "0" "$rc"
t_match "... and says ok" "^pipeline ok" "$out"

# --- reduced cases the property test found ------------------------------------
# Each once made a run fail or skip units: values whose sums overflow, negative
# rates and revenues, names cut inside a character, data before 1970.  Every
# run over them must complete with nothing skipped.
for f in "$top_srcdir"/tests/pipeline/cases/*.jsonl; do
	name=$(basename "$f" .jsonl)
	db=$(echo "c_$name" | tr -- '-' '_')
	pgtest_createdb "$db"
	"$MIDWATCH" ingest "$f" >/dev/null 2>&1
	case $name in
	report-overflow) at=2021-09-29T04:00:00Z ;;
	run-at-before-1970) at=1969-07-20T20:01:00Z ;;
	*) at="" ;;
	esac
	[ -n "$at" ] && "$MIDWATCH" run --at "$at" >"$TAP_TMP/case.out" 2>&1
	"$MIDWATCH" run >>"$TAP_TMP/case.out" 2>&1
	n=$(pgtest_psql -c "select count(*) || ':' || count(*) filter (where status = 'completed' and skipped_units = 0) from midwatch.pipeline_runs")
	case $n in
	0:0|*[!0-9:]*) ok=1 ;;
	*) [ "${n%%:*}" = "${n##*:}" ]; ok=$? ;;
	esac
	t_ok $ok "case $name: every run completes, nothing skipped ($n)"
	[ $ok -eq 0 ] || sed 's/^/# /' "$TAP_TMP/case.out"
done

# --- one series fails ------------------------------------------------------------
# Three services with an error spike; the series of "bravo" fails on purpose.
pgtest_createdb isolate
day() { # day FROM TO: request and error series of three services, a spike
	m=$1
	while [ $m -lt $2 ]; do
		for s in alpha bravo charlie; do
			if [ $m -ge 200 ] && [ $m -lt 215 ]; then e=0.2; else
				e=0.00$((m % 3 + 1)); fi
			metric $s error_ratio $m $e
			metric $s request_rate $m $((100 + m % 5))
		done
		m=$((m + 1))
	done
}
day 0 240 >"$TAP_TMP/a.jsonl"
day 240 300 >"$TAP_TMP/b.jsonl"
"$MIDWATCH" ingest "$TAP_TMP/a.jsonl" >/dev/null 2>&1
out=$(MIDWATCH_TEST_FAIL_UNIT='detect:series:bravo/error_ratio' "$MIDWATCH" run 2>&1); rc=$?
t_eq "a run that skipped a series exits 1" "1" "$rc"
t_match "... and says so" "completed degraded: 1 unit skipped" "$out"
t_match "... naming the series and the reason" "detect series bravo/error_ratio: division by zero" "$out"
n=$(pgtest_psql -c "select status || ':' || skipped_units || ':' || (summary -> 'skipped' -> 0 ->> 'id') from midwatch.pipeline_runs")
t_eq "the run completed with the unit recorded" "completed:1:bravo/error_ratio" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.audit_entries where action = 'pipeline.unit_skipped' and details ->> 'id' = 'bravo/error_ratio'")
t_eq "an audit entry names the skipped unit" "1" "$n"
n=$(pgtest_psql -c "select string_agg(distinct v.name, ',' order by v.name) from midwatch.signals s join midwatch.services v on v.id = s.service_id where s.metric_name = 'error_ratio'")
t_eq "the other series were judged" "alpha,charlie" "$n"
n=$(pgtest_psql -c "select count(*) > 0 from midwatch.incidents")
t_eq "... and the rest of the pipeline ran on them" "t" "$n"
out=$("$MIDWATCH" status); rc=$?
t_eq "status of a degraded pipeline exits 1" "1" "$rc"
t_match "... and says what was skipped" "^degraded: 1 series skipped \(series bravo/error_ratio: division by zero" "$out"
out=$("$MIDWATCH" status --json); rc=$?
t_match "status --json says degraded" '"state": "degraded"' "$out"
t_match "... with the skipped unit" '"id": "bravo/error_ratio"' "$out"
out=$("$MIDWATCH" incidents 2>/dev/null | head -n 1)
t_match "incidents says the pipeline is degraded on its first line" "^degraded: 1 series skipped" "$out"
out=$("$MIDWATCH" incidents --json 2>"$TAP_TMP/err"); rc=$?
t_eq "incidents --json still exits 0" "0" "$rc"
t_match "... keeps its array shape" '^\[' "$out"
t_match "... and says the state on stderr" "degraded: 1 series skipped" "$(cat "$TAP_TMP/err")"
con_start deg 120 30 -- --as tester
t_run "the console's status bar says degraded" con_wait deg "^ default .* degraded: 1 series skipped \(series bravo/error_ratio" 20
t_match "... in the alert colour" "^(.\[[0-9;]*m)*.\[41m default" "$(con_tmux capture-pane -e -p -t deg: | head -n 1)"
con_keys deg q

# One incident fails in the hypothesize stage.
pgtest_createdb isolate2
"$MIDWATCH" ingest "$TAP_TMP/a.jsonl" >/dev/null 2>&1
out=$(MIDWATCH_TEST_FAIL_UNIT='hypothesize:incident:*' "$MIDWATCH" run 2>&1); rc=$?
t_eq "a run whose hypothesize stage skipped incidents exits 1" "1" "$rc"
n=$(pgtest_psql -c "select status || ':' || (skipped_units > 0) from midwatch.pipeline_runs")
t_eq "... and completed" "completed:true" "$n"
n=$(pgtest_psql -c "select (select count(*) from midwatch.hypotheses) || ':' || (summary -> 'alert' ->> 'rules') || ':' || (summary -> 'skipped' @> '[{\"stage\": \"report\", \"reason\": \"left as it was: stage hypothesize skipped it\"}]') from midwatch.pipeline_runs")
t_eq "no hypotheses were written, the later stages ran and left those incidents as they were" "0:7:true" "$n"

# The next run proceeds, healthy.
pgtest_psql -d isolate -c "select 1" >/dev/null
PGDATABASE=isolate
"$MIDWATCH" ingest "$TAP_TMP/b.jsonl" >/dev/null 2>&1
t_run "the next run proceeds" "$MIDWATCH" run
out=$("$MIDWATCH" status); rc=$?
t_eq "... and status is healthy again" "0" "$rc"
sleep 2
out=$("$MIDWATCH" status --max-age 1s); rc=$?
t_eq "no run completed within --max-age: status exits 2" "2" "$rc"
t_match "... saying since when" "^pipeline failing: no run completed since [0-9]{2}:[0-9]{2} UTC" "$out"

# --- a window that keeps failing ------------------------------------------------
pgtest_createdb giveup
"$MIDWATCH" ingest "$TAP_TMP/a.jsonl" >/dev/null 2>&1
# The detect stage's rebuild is not a unit: refusing it fails the whole run.
pgtest_psql <<'EOF'
CREATE FUNCTION midwatch.test_refuse() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
CREATE TRIGGER test_refuse BEFORE DELETE ON midwatch.signals
  FOR EACH STATEMENT EXECUTE FUNCTION midwatch.test_refuse();
EOF
"$MIDWATCH" run >/dev/null 2>&1; rc=$?
t_eq "a run whose stage fails exits 1" "1" "$rc"
out=$("$MIDWATCH" status); rc=$?
t_eq "status of a failing pipeline exits 2" "2" "$rc"
t_match "... and says since when and why" "^pipeline failing since [0-9]{2}:[0-9]{2} UTC \(stage detect: refused by the test" "$out"
out=$("$MIDWATCH" incidents 2>/dev/null | head -n 1)
t_match "incidents says the pipeline is failing" "^pipeline failing since" "$out"
con_start fail 120 30 -- --as tester
t_run "the console's status bar says failing" con_wait fail "pipeline failing since [0-9]{2}:[0-9]{2} UTC \(stage detect: refused" 20
con_keys fail q
"$MIDWATCH" run >/dev/null 2>&1
"$MIDWATCH" run >/dev/null 2>&1
n=$(pgtest_psql -c "select string_agg(status, ',' order by id) from midwatch.pipeline_runs")
t_eq "three tries of the same window fail" "failed,failed,failed" "$n"
"$MIDWATCH" run >/dev/null 2>&1; rc=$?
n=$(pgtest_psql -c "select string_agg(status, ',' order by id) from midwatch.pipeline_runs")
t_eq "the fourth gives the window up (no newer data: nothing more to do)" "failed,failed,failed,skipped" "$n"
t_eq "... and exits 0" "0" "$rc"
n=$(pgtest_psql -c "select (summary -> 'gap' ->> 'tries') || ':' || (error like 'window given up after 3 failed runs: stage detect: refused by the test%') from midwatch.pipeline_runs where status = 'skipped'")
t_eq "the gap is recorded with the tries and the error" "3:true" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.audit_entries where action = 'pipeline.window_skipped' and details ? 'from'")
t_eq "... and audited" "1" "$n"
out=$("$MIDWATCH" status); rc=$?
t_eq "status says degraded after a gap" "1" "$rc"
t_match "... naming the window" "degraded: window .* given up \(stage detect: refused by the test" "$out"
pgtest_psql -c "drop trigger test_refuse on midwatch.signals"
"$MIDWATCH" ingest "$TAP_TMP/b.jsonl" >/dev/null 2>&1
t_run "the next window is watched" "$MIDWATCH" run
n=$(pgtest_psql -c "select status || ':' || (window_start = (select window_end from midwatch.pipeline_runs where status = 'skipped')) from midwatch.pipeline_runs order by id desc limit 1")
t_eq "... from the end of the gap" "completed:true" "$n"
out=$("$MIDWATCH" status); rc=$?
t_eq "status is healthy again" "0" "$rc"

# A lost database does not count towards giving a window up.
pgtest_createdb lost
"$MIDWATCH" ingest "$TAP_TMP/a.jsonl" >/dev/null 2>&1
proj=$(pgtest_psql -c "select id from midwatch.projects where slug = 'default'")
for i in 1 2 3; do
	pgtest_psql -c "insert into midwatch.pipeline_runs (project_id, status, window_start, window_end, error) values ($proj, 'failed', '2026-11-16T00:00:00Z', '2026-11-16T03:59:00Z', 'stage gate: database connection lost: server closed the connection')"
done
t_run "a run after three lost connections runs the window" "$MIDWATCH" run
n=$(pgtest_psql -c "select string_agg(status, ',' order by id) from midwatch.pipeline_runs")
t_eq "... without giving it up" "failed,failed,failed,completed" "$n"
t_done
