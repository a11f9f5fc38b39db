#!/bin/sh
# test_console_demo.sh - the console on the bundled demo scenario
# (`midwatch demo --no-tui --seed 1`): the incidents pane lists the demo's
# open incidents and those resolved recently (incidents resolve by
# themselves since issue 10: by the end of the demo day they have), dimmed
# after the open ones; navigating shows each incident's hypotheses, the
# incident view draws its timeline and charts and says how it was
# resolved; then the database goes away and comes back: the console says so,
# keeps its data, reconnects by itself, and an action made afterwards
# (reopening the incident that resolved by itself) is recorded once.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwdemo
con_setup
if ! "$MIDWATCH" demo --no-tui --seed 1 >"$TAP_TMP/demo.log" 2>&1; then
	echo "Bail out! midwatch demo --no-tui failed"
	sed 's/^/# /' "$TAP_TMP/demo.log"
	exit 1
fi

# The incidents the console shows by default: open or triaged, or resolved
# in the last day (console.recent_resolved), approved.
ids=$(con_q "select i.id from midwatch.incidents i
	      where (i.status in ('open', 'triaged') or (i.status = 'resolved'
	             and i.resolved_at > now() - interval '1 day'))
	        and (select d.decision from midwatch.incident_decisions d
	              where d.project_id = i.project_id and d.incident_id = i.id
	              order by d.decided_at desc limit 1) = 'approved'
	      order by i.id")
t_ok "$([ -n "$ids" ]; echo $?)" "the demo has open or recently resolved incidents"
nres=$(con_q "select count(*) from midwatch.incidents where resolved_by = 'midwatch'")

con_start d 200 60 -- --as dora
t_run "the console starts on the demo data" con_wait d "Incidents \([1-9][0-9]*\)" 20
s=$(con_screen d)
missing=""
for id in $ids; do
	printf '%s\n' "$s" | grep -Eq "^ #$id +(open|triaged|resolved) " || missing="$missing #$id"
done
t_eq "every open or recently resolved demo incident is listed" "" "$missing"
if [ "$nres" -gt 0 ]; then
	t_match "the title counts those that resolved by themselves" \
	    "Incidents \([0-9]+\) $nres resolved in the last 1d" "$s"
else
	t_ok 0 "(no incident resolved by itself on this demo)"
fi

# The second incident: its rank-1 hypothesis appears when it is selected.
second=$(printf '%s\n' "$s" | sed -n 4p | sed -E 's/^ #([0-9]+) .*/\1/')
t_match "there is a second incident" "^[0-9]+$" "$second"
hyp=$(con_q "select left(title, 20) from midwatch.hypotheses
	      where incident_id = ${second:-0} and rank = 1")
con_keys d j
t_run "selecting it shows its hypotheses" con_wait d "Hypotheses & evidence \([0-9]+\) incident #$second" 5
t_match "starting with its best one" "1\. .*$(printf '%s' "$hyp" | sed 's/[].[*^$()+?{}|\\]/\\&/g')" \
    "$(con_screen d)"
t_match "with the evidence it cites" "(supports|contradicts|missing) +[a-z_]+ " "$(con_screen d)"

con_keys d Enter
t_run "the incident view draws the timeline" con_wait d "Timeline \(UTC\)" 5
t_run "with markers on a time axis" con_wait d "├─+.*┤" 10
t_run "and a chart of an anomalous series, its scale in the metric's unit" \
    con_wait d "^ +[0-9.]+(%| ms| req/s) +[▁▂▃▄▅▆▇█ ]{8,}" 10
t_run "over its baseline band" con_wait d "^ +band +[░▲▼ ]{8,}" 10
if [ "$(con_q "select resolved_by from midwatch.incidents where id = ${second:-0}")" = midwatch ]; then
	t_run "and how it resolved" con_wait d "Resolution Resolved by midwatch: all [0-9]+ signals? cleared" 5
else
	t_ok 0 "(the second incident did not resolve by itself)"
fi
con_keys d Escape

# ---- the database goes away and comes back ------------------------------------------
con_wait d "db mwdemo" 5 >/dev/null
pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -m fast -w stop >/dev/null 2>&1
t_run "the console says the database is down" con_wait d "DB DOWN" 10
t_match "and keeps showing what it had" "^ #$second " "$(con_screen d)"
pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -l "$PGTEST_DIR/log" -w \
    -o "-c listen_addresses='' -k $PGTEST_DIR -c fsync=off" start >/dev/null 2>&1
t_run "it reconnects by itself" con_wait d "database connection restored|db mwdemo" 40
con_wait d "db mwdemo" 10 >/dev/null
# (it resolved by itself, its alert and rollback with it: the operator
# reopens it)
st=$(con_q "select status from midwatch.incidents where id = ${second:-0}")
con_keys d e
if [ "$st" = resolved ]; then
	t_run "e on a resolved incident asks to reopen it" con_wait d "[Rr]eopen incident #$second" 5
	con_keys d y
	t_run "an action after the reconnect shows" con_wait d "^ #$second +open" 5
	con_stable d "#$second: recorded" 5 >/dev/null	# the worker answered
	t_eq "and is recorded once" "1" "$(con_q "select count(*) from midwatch.feedback_events
		where event_type = 'incident_reopened' and target_id = ${second:-0}
		  and actor_id = 'dora'")"
	# the project keeps resolved incidents listed for one second only
	"$MIDWATCH" project set console.recent_resolved 1s >/dev/null 2>&1
	sleep 1.5
	con_keys d r
	t_run "a project's shorter console.recent_resolved lists only the open one" \
	    con_wait d "Incidents \(1\) " 10
	con_keys d H
	t_run "H lists the older resolved ones again" \
	    con_wait d "Incidents \([0-9]+\) \+hidden" 5
	t_eq "... after the open one" "yes" "$(con_screen d | awk -v id="#$second" '
	    $1 == id && $2 == "open" { o = NR }
	    $2 == "resolved" && !r { r = NR }
	    END { print (o && r && o < r) ? "yes" : "no" }')"
else
	t_run "e on an open incident asks to resolve it" con_wait d "[Rr]esolve incident #$second" 5
	con_keys d y
	t_run "an action after the reconnect shows" con_wait d "^ #$second +resolved" 5
	con_stable d "#$second: recorded" 5 >/dev/null
	t_eq "and is recorded once" "1" "$(con_q "select count(*) from midwatch.feedback_events
		where event_type = 'incident_resolved' and target_id = ${second:-0}
		  and actor_id = 'dora'")"
fi
con_keys d Q
t_eq "the console quits cleanly" "0" "$(con_exited d 10)"
t_done
