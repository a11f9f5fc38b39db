#!/bin/sh
# test_run_output.sh - nothing half-written is shown (issue 11): a
# `midwatch run` stalled in the evidence stage, its gate committed, and
# then killed with SIGKILL.  While it runs and after it died, `incidents
# --json`, `alerts --json` and `incidents` show none of its incidents (they
# are in the table, without hypotheses); a reader notices within seconds
# that its runner died (the pipeline lock is free) and `midwatch status`
# says so - `--readonly status` without writing, `status` marking the run
# failed; the next run completes and shows the incidents, each with its
# hypotheses.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw

q() { pgtest_psql -c "$1"; }
# jsql FILE SQL: SQL run with the JSON document in FILE as j (fed on stdin:
# the document may be larger than an argument can be).
jsql() {
	{ printf 'select %s from (select $j$' "$2"; cat "$1"; printf '$j$::json as j) x;\n'; } |
	    pgtest_psql
}
# listed FILE: how many incidents an `incidents --json` array lists, and
# how many of them have no hypothesis ("N M").
listed() {
	jsql "$1" "json_array_length(j) || ' ' ||
	    (select count(*) from json_array_elements(j) i
	      where json_array_length(i -> 'hypotheses') = 0)"
}

"$MIDWATCH" demo --emit "$TAP_TMP/d.jsonl" --seed 2 >/dev/null 2>&1
t_run "the demo day is ingested" "$MIDWATCH" ingest "$TAP_TMP/d.jsonl"
# The demo's incidents stay open (this test reads the open incidents'
# output; they resolve by themselves after a quiet period otherwise).
"$MIDWATCH" project set incident.quiet_period 30d >/dev/null 2>&1

# The evidence stage waits a minute on its first insert: the gate has
# committed the run's incidents by then.
q "CREATE FUNCTION midwatch.test_stall() RETURNS trigger LANGUAGE plpgsql AS
   \$\$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END \$\$;
   CREATE TRIGGER test_stall AFTER INSERT ON midwatch.evidence_artifacts
     FOR EACH STATEMENT EXECUTE FUNCTION midwatch.test_stall();" >/dev/null
"$MIDWATCH" run >"$TAP_TMP/run.out" 2>&1 &
runner=$!
pgtest_sleepers mw 1
t_eq "the run waits in the evidence stage" "running/evidence" \
    "$(q "select status || '/' || current_stage from midwatch.pipeline_runs")"
n=$(q "select count(*) from midwatch.incidents")
t_ok "$([ "$n" -gt 0 ]; echo $?)" "its gate committed incidents ($n in the table)"
t_eq "... none with a hypothesis yet" "0" "$(q "select count(*) from midwatch.hypotheses")"

"$MIDWATCH" incidents --json >"$TAP_TMP/during.json" 2>/dev/null
t_eq "incidents --json lists none of the running run's incidents" "0 0" \
    "$(listed "$TAP_TMP/during.json")"
t_match "... nor does incidents" "no open incidents|^$" \
    "$("$MIDWATCH" incidents 2>/dev/null | grep -v '^pipeline' | head -n 1)"
t_eq "the running run is not reaped while its runner lives" "running" \
    "$(q "select status from midwatch.pipeline_runs")"

kill -9 "$runner"
wait "$runner" 2>/dev/null
# The runner's session ends within a second or two of its death
# (client_connection_check_interval), and its lock with it.
pgtest_sleepers mw 0 10
t_ok $? "the killed runner's session ended by itself within 10 s"

out=$("$MIDWATCH" --readonly status 2>&1); rc=$?
t_eq "--readonly status exits 2 (failing) at once" "2" "$rc"
t_match "... saying the runner died" "runner died" "$out"
t_eq "... and writes nothing: the row is still running" "running" \
    "$(q "select status from midwatch.pipeline_runs")"
"$MIDWATCH" incidents --json >"$TAP_TMP/after.json" 2>"$TAP_TMP/after.err"
t_eq "incidents --json still lists none of the dead run's incidents" "0 0" \
    "$(listed "$TAP_TMP/after.json")"
t_match "... and says the pipeline is failing" "failing.*runner died" "$(cat "$TAP_TMP/after.err")"
t_eq "that reader marked the dead run failed" \
    "failed|true|true" "$(q "select status || '|' || (error like 'abandoned: runner died%during stage evidence') || '|' || (finished_at is not null) from midwatch.pipeline_runs")"
out=$("$MIDWATCH" status 2>&1); rc=$?
t_eq "status exits 2 (failing)" "2" "$rc"
t_match "... naming the dead run" "failed +.*abandoned: runner died" "$out"
t_eq "the dead run's incidents are in the table, not published" "0" \
    "$(q "select count(*) from midwatch.incidents where published")"

q "DROP TRIGGER test_stall ON midwatch.evidence_artifacts" >/dev/null
t_run "the next run completes" "$MIDWATCH" run
"$MIDWATCH" incidents --json >"$TAP_TMP/done.json" 2>/dev/null
set -- $(listed "$TAP_TMP/done.json")
t_ok "$([ "${1:-0}" -gt 0 ]; echo $?)" "then incidents --json lists the incidents (${1:-0})"
t_eq "... each with its hypotheses" "0" "${2:-x}"
t_eq "every row the runs wrote is published" "0" \
    "$(q "select (select count(*) from midwatch.incidents where not published)
              + (select count(*) from midwatch.hypotheses where not published)
              + (select count(*) from midwatch.evidence_artifacts where not published)
              + (select count(*) from midwatch.recommendations where not published)
              + (select count(*) from midwatch.alerts where not published)")"
out=$("$MIDWATCH" status 2>&1); rc=$?
t_eq "status is healthy again" "0" "$rc"

# A run killed after the alert stage: its alerts stay hidden, and appear
# with the next completed run over the same window.
pgtest_createdb mw2
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
MIDWATCH_TEST_DIE_AFTER_STAGE=alert "$MIDWATCH" run >/dev/null 2>&1
n=$(q "select count(*) from midwatch.alerts where run_id is not null")
t_ok "$([ "$n" -gt 0 ]; echo $?)" "a run that died after the alert stage left alerts ($n)"
"$MIDWATCH" alerts --all --json >"$TAP_TMP/alerts.json" 2>/dev/null
t_eq "alerts --json shows none of them (only the ingested ones)" "0" \
    "$(jsql "$TAP_TMP/alerts.json" "(select count(*) from json_array_elements(j) a
        join midwatch.alerts t on t.id = (a ->> 'id')::bigint where t.run_id is not null)")"
"$MIDWATCH" run >/dev/null 2>&1
t_eq "after the next run they all show" "$n" \
    "$(q "select count(*) from midwatch.alerts where published and run_id is not null")"
t_done
