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

# A run killed after its last stage (report), before it completed: every
# reader and every action takes its rows for rows that do not exist.
pgtest_createdb mw3
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
"$MIDWATCH" project set incident.quiet_period 30d >/dev/null 2>&1
MIDWATCH_TEST_DIE_AFTER_STAGE=report "$MIDWATCH" run >/dev/null 2>&1
inc=$(q "select i.id from midwatch.incidents i join midwatch.incident_reports r
          on r.project_id = i.project_id and r.incident_id = i.id
         where not i.published and i.status in ('open', 'triaged')
         order by i.id limit 1")
t_ok "$([ -n "$inc" ]; echo $?)" "the killed run wrote an open incident and its report (${inc:-none})"
# what a command says of an unknown id (999999999), with the id replaced
unknown() {
	"$MIDWATCH" "$@" 999999999 2>&1 | sed 's/999999999/ID/'
}
# what it says of the id $2 (the command, then the id)
said() {
	c=$1 id=$2
	shift 2
	"$MIDWATCH" $c "$id" "$@" 2>&1 | sed "s/$id/ID/"
}
out=$("$MIDWATCH" report "$inc" 2>&1); rc=$?
t_eq "report of its incident exits 1" "1" "$rc"
t_eq "... saying there is no such incident" "$(unknown report)" \
    "$(echo "$out" | sed "s/$inc/ID/")"
"$MIDWATCH" project list --json >"$TAP_TMP/projects.json" 2>/dev/null
t_eq "project list counts none of its incidents open" "0" \
    "$(jsql "$TAP_TMP/projects.json" "(select (p ->> 'open_incidents')
        from json_array_elements(j) p where p ->> 'slug' = 'default')")"
n=$(q "select count(*) from midwatch.alerts where published
        and status in ('active', 'acknowledged')")
t_ok "$([ "$(q "select count(*) from midwatch.alerts where not published
        and status in ('active', 'acknowledged')")" -gt 0 ]; echo $?)" \
    "the killed run raised alerts"
t_eq "... and only the published alerts active ($n)" "$n" \
    "$(jsql "$TAP_TMP/projects.json" "(select (p ->> 'active_alerts')
        from json_array_elements(j) p where p ->> 'slug' = 'default')")"
# The console's timeline of an incident with the run's alerts
ainc=$(q "select incident_id from midwatch.alerts where not published
           and incident_id is not null order by id limit 1")
timeline() {
	{ printf 'SELECT count(*) FILTER (WHERE kind = %s) FROM (\n' "'alert'"
	  grep -v '^--' "$top_srcdir/sql/queries/model/timeline.sql" |
	      sed "s/\$1/$(q "select id from midwatch.projects where slug = 'default'")/g
	           s/\$2/$1/g; s/\$3/200/g; s/\$4/$2/g"
	  printf ') x;\n'; } | pgtest_psql 2>&1 | tail -n 1
}
t_ok "$([ "$(timeline "$ainc" false)" -gt 0 ]; echo $?)" \
    "the report stage's timeline of incident $ainc has the run's alerts"
t_eq "the console's timeline (published only) has none" "0" \
    "$(timeline "$ainc" true)"
# Acting on the run's rows fails as on an unknown id.
events=$(q "select count(*) from midwatch.feedback_events")
alert=$(q "select id from midwatch.alerts where not published
            and status = 'active' order by id limit 1")
hyp=$(q "select id from midwatch.hypotheses where not published order by id limit 1")
rec=$(q "select id from midwatch.recommendations where not published order by id limit 1")
ev=$(q "select id from midwatch.evidence_artifacts where not published order by id limit 1")
t_eq "ack of its alert fails as of an unknown id" "$(unknown ack)" "$(said ack "$alert")"
t_eq "confirm of its hypothesis too" "$(unknown confirm)" "$(said confirm "$hyp")"
t_eq "dismiss of its recommendation too" "$(unknown dismiss)" "$(said dismiss "$rec")"
for k in incident:$inc hypothesis:$hyp recommendation:$rec alert:$alert evidence:$ev; do
	t_eq "a note on its ${k%%:*} too" "$("$MIDWATCH" note "${k%%:*}" 999999999 x 2>&1 | sed 's/999999999/ID/')" \
	    "$("$MIDWATCH" note "${k%%:*}" "${k#*:}" x 2>&1 | sed "s/${k#*:}/ID/")"
done
t_eq "... and nothing was recorded" "$events|active" \
    "$(q "select (select count(*) from midwatch.feedback_events) || '|' ||
              (select status from midwatch.alerts where id = $alert)")"
"$MIDWATCH" investigate --at "$(q "select midwatch.rfc3339(window_start)
    from midwatch.incidents where id = $inc")" --json >"$TAP_TMP/inv.json" 2>/dev/null
t_eq "investigate at one of its incidents succeeds" "0" "$?"
got=$(jsql "$TAP_TMP/inv.json" "case json_typeof(j) when 'array'
    then j -> 0 ->> 'id' else j ->> 'id' end")
t_ok "$([ -n "$got" ] && [ "$got" != "$inc" ]; echo $?)" \
    "... answering with another incident ($got), not the unpublished one"

"$MIDWATCH" run >/dev/null 2>&1
t_eq "after the next run its incident is one" "0" \
    "$(q "select count(*) from midwatch.incidents where id = $inc and not published")"
t_run "... its report prints" "$MIDWATCH" report "$inc"
t_run "... and its alert can be acknowledged" "$MIDWATCH" ack "$alert"
t_done
