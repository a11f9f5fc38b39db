#!/bin/sh
# test_console_triage.sh - triage in the console, key by key, driven for real
# (midwatch in a private tmux server against a real PostgreSQL): Space marks
# several alerts and `a` acknowledges them all; `s` silences for the
# duration typed (and refuses a bad one); `x`, `X`, `D`, `a` on a
# recommendation and `e` (resolve, then reopen) each ask where they should
# and write exactly one correct feedback event; triage keys in an open view
# act on the item it shows; `?` lists every action of the action table with
# its keys; `:` commands, `/` filter, g/G/PgUp/PgDn, Tab/Shift-Tab; Esc
# answers at once; the status bar and the age of acknowledgements; then
# `R` runs the pipeline with progress in the status bar while a second
# console on the same database says who holds the pipeline lock (a console,
# then a psql session holding the advisory lock).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwtri
con_setup

# Background psql sessions (a table lock, an advisory lock) read their
# statements from FIFOs kept open on fds 7 and 8; closing them ends the
# sessions.
tri_cleanup() {
	exec 7>&- 8>&-
	con_cleanup
}
trap tri_cleanup EXIT INT TERM

"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture triage || { echo "Bail out! fixture failed"; exit 1; }
# One more incident with forty alerts to move through (5001 newest first,
# 5040 oldest), 5040 acknowledged two hours ago by zed: a forgotten ack.
psql -X -q -v ON_ERROR_STOP=1 <<'EOF' || { echo "Bail out! extra rows failed"; exit 1; }
SELECT id AS p FROM midwatch.projects WHERE slug = 'triage' \gset
INSERT INTO midwatch.incidents (id, project_id, run_id, dedupe_key, service_id, status,
                                trigger_type, severity, title, window_start, window_end,
                                confidence)
VALUES (5000, :p, 1000, 'fx-5000', 1000, 'open', 'error_rate_spike', 'low',
        'Fixture bulk incident', now() - interval '90 minutes',
        now() - interval '80 minutes', 0.5);
INSERT INTO midwatch.incident_decisions (project_id, run_id, incident_id, decision,
                                         rationale, policy_version)
VALUES (:p, 1000, 5000, 'approved', 'many alerts', 'v1');
INSERT INTO midwatch.alerts (id, project_id, run_id, incident_id, service_id, fingerprint,
                             title, severity, status, created_at)
SELECT 5000 + g, :p, 1000, 5000, 1000, 'fx-bulk-' || g, 'Bulk alert ' || (5000 + g),
       'low', 'active', now() - g * interval '1 minute'
  FROM generate_series(1, 40) g;
UPDATE midwatch.alerts SET status = 'acknowledged', acknowledged_by = 'zed',
       acknowledged_at = now() - interval '2 hours'
 WHERE id = 5040;
EOF


# t_sql DESC SQL EXPECTED: waits (bounded) until SQL returns EXPECTED.
t_sql() {
	_i=0
	while [ "$_i" -lt 100 ] && [ "$(con_q "$2")" != "$3" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	t_eq "$1" "$3" "$(con_q "$2")"
}

# ---- the status bar --------------------------------------------------------------
con_start a 80 24 -- --project triage --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
s=$(con_screen a | head -n 1)
t_match "the status bar names the project, database and pipeline state" \
    "^ triage . db mwtri . pipeline idle" "$s"
t_match "and the last run with its age, at 80 columns" \
    "pipeline idle, (ran|run #1000) [0-9]+[smhd][0-9smh]* ago " "$s"
t_match "and the counts and the operator" "3 open . 44 alerts . alice$" "$s"

# ---- Tab and Shift-Tab cycle the panes ----------------------------------------------
t_run "the incidents pane has the focus at start" focus_wait a Incidents
con_keys a Tab
t_run "Tab: hypotheses" focus_wait a Hypotheses
con_keys a Tab
t_run "Tab: recommendations" focus_wait a Recommendations
con_keys a Tab
t_run "Tab: alerts" focus_wait a Alerts
con_keys a Tab
t_run "Tab: back to incidents" focus_wait a Incidents
con_keys a BTab
t_run "Shift-Tab: alerts" focus_wait a Alerts
con_keys a BTab
t_run "Shift-Tab: recommendations" focus_wait a Recommendations
con_keys a Tab

# ---- : goes to an incident; an old acknowledgement shows its age -----------------
con_keys a :
con_keys a -l "incident 5000"
con_keys a Enter
t_run ":incident ID selects it" \
    con_wait a "^─ Hypotheses & evidence \(0\) incident #5000" 5
t_run "and focuses the incidents pane" focus_wait a Incidents
t_run "the selected row is that incident" selected_wait a "^ #5000 "
con_keys a BTab
t_run "its alerts are listed" con_wait a "^─ Alerts \(40\) incident #5000" 5

# ---- g, G, PgDn, PgUp --------------------------------------------------------------
con_keys a G
t_run "G selects the last alert" selected_wait a "Bulk alert 5040"
t_run "an acknowledgement shows its age and who made it" \
    con_wait a "acked +low +Bulk alert 5040 .*ack 2h0[0-9]m ago zed" 5
con_keys a k
selected_wait a "Bulk alert 5039 " >/dev/null
con_tmux capture-pane -e -p -t a: >"$TAP_TMP/stale.esc"
t_ok "$(grep -a "ack 2h0[0-9]m ago zed" "$TAP_TMP/stale.esc" |
    grep -aq "${ESC}\[35m *ack 2h"; echo $?)" \
    "a forgotten acknowledgement stands out (the stale colour)"
con_keys a g
t_run "g selects the first" selected_wait a "Bulk alert 5001 "
con_keys a PgDn
t_run "PgDn moves down a page" selected_wait a "Bulk alert 50(0[3-9]|[1-3][0-9]) "
t_eq "the page starts at the selected alert" "$(selected a)" "$(first_row a Alerts)"
con_keys a PgUp
t_run "PgUp moves back up a page" selected_wait a "Bulk alert 5001 "
con_keys a G Enter
t_run "Enter on the last alert opens it" con_wait a "^ Alert #5040 " 5
con_keys a Escape
con_wait a "^─ Alerts \(40\)" 5 >/dev/null
con_keys a g

# ---- Space marks several alerts, then a acknowledges them all --------------------------
mark_events
con_keys a Space Space Space
t_run "Space marks three alerts" con_wait a "^─ Alerts \(40\) incident #5000 \[3 marked\]" 5
t_match "the marked rows are flagged" "^●active +low +Bulk alert 5003" "$(con_screen a)"
con_keys a a
t_run "a acknowledges every marked alert" \
    con_wait a "acked +low +Bulk alert 5003 .*ack [0-9]+s ago alice" 5
s=$(con_screen a)
t_match "the first one shows acknowledged" "acked +low +Bulk alert 5001 .*ack [0-9]+s ago alice" "$s"
t_match "the second one too" "acked +low +Bulk alert 5002 .*ack [0-9]+s ago alice" "$s"
t_match "the fourth one is untouched" "^ active +low +Bulk alert 5004 " "$s"
t_events "one alert_acknowledged event per marked alert, by alice" \
    "alert_acknowledged|alice|alert|5001 alert_acknowledged|alice|alert|5002 alert_acknowledged|alice|alert|5003"
t_sql "all three are acknowledged in the database" \
    "select string_agg(status || ':' || acknowledged_by, ' ' order by id)
       from midwatch.alerts where id between 5001 and 5003" \
    "acknowledged:alice acknowledged:alice acknowledged:alice"
t_run "one summary message for the three" con_wait a "acknowledge: 3 alerts recorded" 5
t_run "the marks are gone" con_gone a "\[3 marked\]" 5
t_run "the status bar counts the active alerts again" con_wait a "3 open . 41 alerts . alice" 5
con_tmux capture-pane -e -p -t a: >"$TAP_TMP/fresh.esc"
t_ok "$(grep -a "Bulk alert 5001" "$TAP_TMP/fresh.esc" | grep -aq "${ESC}\[33m *ack"; echo $?)" \
    "a fresh acknowledgement has the acknowledged colour, not the stale one"

# ---- s silences for the duration typed ------------------------------------------------
selected_wait a "Bulk alert 5004 " >/dev/null
mark_events
con_keys a s
t_run "s asks for how long, offering the default" \
    con_wait a "Silence alert #5004 for \(30m, 2h, 1h30m, 1d\) \[1h\]: *$" 5
con_keys a -l "soon"
con_keys a Enter
t_run "a bad duration is refused with a message" con_wait a "not a duration: 'soon'" 5
t_eq "and records nothing" "" "$(new_events)"
t_match "the alert is still active" "^ active +low +Bulk alert 5004 " "$(con_screen a)"
con_keys a s
con_wait a "Silence alert #5004" 5 >/dev/null
con_keys a -l "2h"
con_keys a Enter
t_run "2h silences it" con_wait a "silenced +low +Bulk alert 5004 .*until [0-9]{2}:[0-9]{2}" 5
t_events "one alert_silenced event" "alert_silenced|alice|alert|5004"
t_eq "for two hours" '{"seconds": 7200}' \
    "$(con_q "select payload::text from midwatch.feedback_events where id > $MARK")"
t_eq "silenced_until is about now + 2h" "t" \
    "$(con_q "select abs(extract(epoch from silenced_until - now()) - 7200) < 300
                from midwatch.alerts where id = 5004 and status = 'silenced'")"
until_hm=$(con_q "select to_char(silenced_until at time zone 'UTC', 'HH24:MI')
                    from midwatch.alerts where id = 5004")
t_run "the screen says until when" \
    con_wait a "silenced +low +Bulk alert 5004 .*until $until_hm " 5
con_keys a j
selected_wait a "Bulk alert 5005 " >/dev/null
mark_events
con_keys a s
con_wait a "Silence alert #5005" 5 >/dev/null
con_keys a Enter
t_events "an empty answer silences for the default" "alert_silenced|alice|alert|5005"
t_eq "of one hour" '{"seconds": 3600}' \
    "$(con_q "select payload::text from midwatch.feedback_events where id > $MARK")"
con_keys a j
selected_wait a "Bulk alert 5006 " >/dev/null
mark_events
con_keys a s
con_wait a "Silence alert #5006" 5 >/dev/null
con_keys a -l "45d"
con_keys a Enter
t_run "a silence longer than 30 days is refused" con_wait a "too long: '45d'" 5
t_eq "and records nothing" "" "$(new_events)"

# ---- x resolves after confirmation; n cancels ----------------------------------------
con_keys a x
t_run "x asks first" con_wait a "Resolve alert #5006\? \[y/N\]" 5
con_keys a n
t_run "n cancels" con_wait a "cancelled" 5
t_eq "a cancelled resolve records nothing" "" "$(new_events)"
t_match "the alert is still active" "^ active +low +Bulk alert 5006 " "$(con_screen a)"
con_keys a x
con_wait a "Resolve alert #5006\?" 5 >/dev/null
con_keys a y
t_run "y resolves it" con_wait a "resolved +low +Bulk alert 5006 " 5
t_events "one alert_resolved event" "alert_resolved|alice|alert|5006"
t_sql "resolved in the database" \
    "select status || ':' || resolved_by from midwatch.alerts where id = 5006" \
    "resolved:alice"

# ---- in an open view, triage keys act on the item the view shows ------------------------
con_keys a /
con_keys a -l "active"
con_keys a Enter
t_run "/ filters the alerts" con_wait a "^─ Alerts \(33\) incident #5000 /active" 5
con_keys a g Enter
t_run "the first active alert opens" con_wait a "^ Alert #5007 +low +active" 5
mark_events
con_keys a x
con_wait a "Resolve alert #5007\?" 5 >/dev/null
con_keys a y
t_run "x in the view resolves the alert shown" con_wait a "^ Alert #5007 +low +resolved" 5
t_events "one alert_resolved event for it" "alert_resolved|alice|alert|5007"
# #5007 left the filtered list: the pane now selects #5008, the view
# still shows #5007.
con_keys a a
t_run "a in the view is about the alert shown, resolved already" \
    con_wait a "alert 5007 is resolved" 5
t_eq "the pane's new selection was not acknowledged" "" \
    "$(con_q "select event_type from midwatch.feedback_events where id > $MARK
               and target_id = 5008")"
con_keys a Escape
t_run "Esc goes back to the filtered list, without it" \
    con_wait a "^─ Alerts \(32\) incident #5000 /active" 5
con_keys a Escape
t_run "Esc clears the filter" con_wait a "^─ Alerts \(40\) incident #5000 ─" 5

# ---- X rejects a hypothesis after confirmation ----------------------------------------------
con_keys a :
con_keys a -l "incident 1100"
con_keys a Enter
con_wait a "^─ Hypotheses & evidence \([0-9]+\) incident #1100" 5 >/dev/null
con_keys a Tab
focus_wait a Hypotheses >/dev/null
con_keys a G
selected_wait a "contradicts +deployment" >/dev/null
mark_events
con_keys a X
t_run "X on an evidence row asks about its hypothesis, saying what else it does" \
    con_wait a "Reject hypothesis #1301\? \(its recommendations are held back\) \[y/N\]" 5
con_keys a y
t_run "the hypothesis shows rejected" \
    con_wait a "2\. dependency .*rejected Fixture payments-db slow" 5
t_events "one hypothesis_rejected event" "hypothesis_rejected|alice|hypothesis|1301"
t_sql "rejected in the database" \
    "select status from midwatch.hypotheses where id = 1301" "rejected"

# ---- D marks a recommendation done; a acknowledges one ------------------------------------
con_keys a Tab
focus_wait a Recommendations >/dev/null
con_keys a g
selected_wait a "rollback +Fixture roll back" >/dev/null
mark_events
con_keys a D
t_run "D asks first" con_wait a "Mark done recommendation #1400\? \[y/N\]" 5
con_keys a y
t_run "the recommendation shows done" con_wait a "^ done +rollback +Fixture roll back" 5
t_events "one recommendation_done event" "recommendation_done|alice|recommendation|1400"
con_keys a j
selected_wait a "investigate +Fixture investigate" >/dev/null
mark_events
con_keys a a
t_run "a acknowledges the recommendation, with its age and who" \
    con_wait a "acked +investigate +Fixture investigate the deploy \(acked [0-9]+s ago by alice\)" 5
t_events "one recommendation_acknowledged event" \
    "recommendation_acknowledged|alice|recommendation|1402"
t_sql "both in the database" \
    "select string_agg(status || ':' || coalesce(acknowledged_by, '-'), ' ' order by id)
       from midwatch.recommendations where id in (1400, 1402)" \
    "done:- acknowledged:alice"

# ---- e resolves an incident (asks), e again reopens it -----------------------------------
con_keys a :
con_keys a -l "incident 1101"
con_keys a Enter
selected_wait a "^ #1101 " >/dev/null
mark_events
con_keys a e
t_run "e asks before resolving" con_wait a "Resolve incident #1101\? \[y/N\]" 5
con_keys a y
t_run "the incident shows resolved" con_wait a "^ #1101 resolved " 5
t_events "one incident_resolved event" "incident_resolved|alice|incident|1101"
t_run "the status bar counts one open incident less" con_wait a "2 open . " 5
mark_events
con_keys a e
t_run "e on a resolved incident asks to reopen it" \
    con_wait a "Reopen incident #1101\? \[y/N\]" 5
con_keys a y
t_run "the incident shows open again" con_wait a "^ #1101 open " 5
t_events "one incident_reopened event" "incident_reopened|alice|incident|1101"
t_sql "open in the database" "select status from midwatch.incidents where id = 1101" "open"

# ---- the command line and the filter ---------------------------------------------------------
con_keys a :
con_keys a -l "incident 1102"
con_keys a Enter
t_run ":incident shows a hidden (suppressed) incident it names" \
    con_wait a "^─ Hypotheses & evidence \(0\) incident #1102" 5
t_match "by showing the hidden ones" "^─ Incidents \(4\) \+hidden" "$(con_screen a)"
con_keys a H
con_wait a "^─ Incidents \(3\) ─" 5 >/dev/null
con_keys a :
con_keys a -l "frobnicate"
con_keys a Enter
t_run "an unknown command says so" con_wait a "unknown command 'frobnicate'" 5
con_keys a :
con_keys a -l "incident 999999"
con_keys a Enter
t_run "an unknown incident says so" con_wait a "incident #999999 is not in the data" 5

con_keys a /
con_keys a -l "latency"
t_run "/ filters the incidents as you type" con_wait a "^─ Incidents \(1\) /latency" 5
con_keys a Escape
t_run "Esc while typing restores the list" con_wait a "^─ Incidents \(3\) ─" 5
con_keys a /
con_keys a -l "latency"
con_keys a Enter
t_run "Enter keeps the filter" con_wait a "^─ Incidents \(1\) /latency" 5
t_match "only the matching incident is listed" "^ #1101 open " "$(con_screen a)"
t_ok "$(con_screen a | grep -c 'Fixture error spike' | grep -qx 0; echo $?)" \
    "the others are not"
con_keys a Escape
t_run "Esc clears it" con_wait a "^─ Incidents \(3\) ─" 5

# ---- ? lists every action of the action table, with its keys ---------------------------------
con_tmux resize-window -t a: -x 100 -y 60
con_lines a 60 10 >/dev/null
con_keys a :
con_keys a -l "bind v ack"
con_keys a Enter
con_wait a "v runs ack" 5 >/dev/null
con_keys a "?"
t_run "? shows the help" con_wait a "^─ Help \(q or Esc closes\)" 5
help=$(con_screen a)
missing=""
for act in $(sed -n 's/^[[:space:]]*ACTION_INFO([A-Z_]*, "\([a-z-]*\)".*/\1/p' \
    "$top_srcdir/include/midwatch/tui.h"); do
	keys=$(awk -v a="$act" '$1 == "bind" && $3 == a { printf "%s%s", n++ ? ", " : "", $2 }' \
	    "$top_srcdir/doc/midwatch.keys")
	[ "$act" = ack ] && keys="$keys, v"
	line=$(printf '   %-14s %-17s' "$keys" "$act")
	printf '%s\n' "$help" | grep -Fq -- "$line" || missing="$missing $act"
done
t_eq "every action is listed with the keys bound to it" "" "$missing"
t_match "the commands are listed" ":incident ID +select incident ID" "$help"
con_keys a Escape
con_gone a "^─ Help" 5 >/dev/null
con_keys a :
con_keys a -l "unbind v"
con_keys a Enter
con_wait a "v unbound" 5 >/dev/null

# Esc answers at once (ESCDELAY is short): the best of three tries.  With
# the console's 25 ms this measures about 30 ms, and up to ~350 ms on a
# machine busy with other builds;
# with ncurses' default (1000 ms) it measures over 600 ms.
best=99999
for try in 1 2 3; do
	con_keys a "?"
	con_wait a "^─ Help \(q or Esc closes\)" 5 >/dev/null
	t0=$(date +%s%N)
	con_keys a Escape
	i=0
	while con_screen a | grep -q "^─ Help (q or Esc closes)" && [ "$i" -lt 300 ]; do
		i=$((i + 1))
	done
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt "$best" ] && best=$ms
done
t_ok "$([ "$best" -lt 550 ]; echo $?)" "Esc closes the help at once (${best} ms)"
con_tmux resize-window -t a: -x 80 -y 24
con_lines a 24 10 >/dev/null
con_keys a Q
t_eq "the console quits cleanly" "0" "$(con_exited a 10)"

# ---- R: the pipeline runs inside, one console at a time ----------------------------------------
pgtest_createdb mwtrip
"$MIDWATCH" demo --emit "$TAP_TMP/demo.jsonl" --seed 1 >"$TAP_TMP/emit.log" 2>&1 ||
    { echo "Bail out! demo --emit failed"; exit 1; }
"$MIDWATCH" ingest "$TAP_TMP/demo.jsonl" >"$TAP_TMP/ingest.log" 2>&1 ||
    { echo "Bail out! ingest failed"; sed 's/^/# /' "$TAP_TMP/ingest.log"; exit 1; }
t_eq "the demo data is ingested, not yet processed" "0" \
    "$(con_q "select count(*) from midwatch.pipeline_runs")"

# A psql session holds a SHARE lock on a table the detect stage writes, so
# the run stays in its first stage until the test lets it go.
mkfifo "$TAP_TMP/tbl.fifo" "$TAP_TMP/adv.fifo"
psql -X -q -At <"$TAP_TMP/tbl.fifo" >"$TAP_TMP/tbl.out" 2>&1 &
exec 7>"$TAP_TMP/tbl.fifo"
echo "BEGIN; LOCK TABLE midwatch.anomaly_features IN SHARE MODE; SELECT 'locked';" >&7
i=0
while ! grep -q locked "$TAP_TMP/tbl.out" && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "$(grep -q locked "$TAP_TMP/tbl.out"; echo $?)" "a session holds the table lock"

con_start pa 80 24 -- --as alice
con_start pb 80 24 -- --as bob
con_wait pa "^─ Incidents \(0\)" 20 >/dev/null
con_wait pb "^─ Incidents \(0\)" 20 >/dev/null
con_keys pa R
t_run "R runs the pipeline: the status bar shows the stage and progress" \
    con_wait pa "^ default .*pipeline running [a-z]+ [0-9]+/[0-9]+" 30
t_eq "one run, requested by the console's operator" "running|console:alice" \
    "$(con_q "select string_agg(status || '|' || requested_by, ' ')
                from midwatch.pipeline_runs")"
con_keys pa "?"
t_run "the keyboard does not wait for the run" con_wait pa "^─ Help" 5
con_keys pa Escape
con_wait pa "^─ Incidents" 5 >/dev/null
con_keys pb R
t_run "R in a second console says who holds the pipeline" \
    con_wait pb "pipeline is locked by console:alice \(run [0-9]+" 15
t_match "its status bar too" "pipeline held by console:alice \(run [0-9]+\)" \
    "$(con_screen pb | head -n 1)"
t_eq "and it runs nothing" "1" "$(con_q "select count(*) from midwatch.pipeline_runs")"

echo "COMMIT;" >&7
exec 7>&-
t_run "the run completes: the status bar shows it" \
    con_wait pa "^ default .*pipeline idle, (ran|run #[0-9]+) [0-9]+[smhd][0-9smh]* ago" 90
t_run "its incidents appear" con_wait pa "^─ Incidents \([1-9][0-9]*\)" 10
t_eq "the run is completed in the database" "completed|console:alice" \
    "$(con_q "select string_agg(status || '|' || requested_by, ' ')
                from midwatch.pipeline_runs")"
t_match "the console's runner delivered what the run queued (the log channel)" \
    "^[1-9][0-9]*$" \
    "$(con_q "select count(*) from midwatch.outbound_messages where status = 'sent'")"
t_run "the second console sees the new results within seconds" \
    con_wait pb "^─ Incidents \([1-9][0-9]*\)" 5
t_run "and no longer says the pipeline is held" con_wait pb "^ default .*pipeline idle" 5

# A psql session holds the pipeline's advisory lock: R says which session.
proj=$(con_q "select id from midwatch.projects where slug = 'default'")
key=$(con_q "select x'6d77000000000002'::bigint + $proj")
psql -X -q -At <"$TAP_TMP/adv.fifo" >"$TAP_TMP/adv.out" 2>&1 &
exec 8>"$TAP_TMP/adv.fifo"
echo "SELECT pg_advisory_lock($key); SELECT 'pid=' || pg_backend_pid();" >&8
i=0
while ! grep -q "^pid=" "$TAP_TMP/adv.out" && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
holder=$(sed -n 's/^pid=//p' "$TAP_TMP/adv.out")
t_match "a psql session holds the pipeline lock" "^[0-9]+$" "$holder"
con_keys pb R
t_run "R says the pipeline is locked by that session" \
    con_wait pb "pipeline is locked by another session \(pid $holder\)" 15
t_match "so does the status bar, in short" "pipeline held by pid $holder[,]? " \
    "$(con_screen pb | head -n 1)"
t_eq "no run was started" "1" "$(con_q "select count(*) from midwatch.pipeline_runs")"
echo "SELECT pg_advisory_unlock($key); SELECT 'unlocked';" >&8
exec 8>&-
i=0
while ! grep -q "^unlocked" "$TAP_TMP/adv.out" && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
con_keys pb R
t_run "once it is released R runs again (nothing new to do)" \
    con_wait pb "^ default .*pipeline idle" 30

con_keys pa Q
con_keys pb Q
t_eq "the first console quits cleanly" "0" "$(con_exited pa 10)"
t_eq "the second console quits cleanly" "0" "$(con_exited pb 10)"
t_done
