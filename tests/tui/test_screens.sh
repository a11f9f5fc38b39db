#!/bin/sh
# test_screens.sh - screen tests in the style of tig's (issue 12): the
# console at 80x24, TZ=UTC, C.UTF-8, its clock pinned, on a fixed world
# (the demo's seed 1, one run); scripted keys, and after each step the whole
# screen compared with tests/tui/screens/NAME.screen: the main screen (every
# pane), help, each detail view (incident, further down it, hypothesis,
# evidence item, recommendation, alert), the screen after acknowledging an
# alert (pane, status bar and message line) and its group unfolded, and the
# main screen in ASCII without colours.  Each step waits until the screen
# shows its marker and is still; no sleeps.  A difference fails with a
# unified diff; UPDATE_SCREENS=1 rewrites the files (tests/tui/README).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
. "$top_srcdir/tests/tui/screen_lib.sh"
scr_emit	# the demo's scenario is written while the cluster starts
pgtest_start
pgtest_createdb mwscreens
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
scr_world

scr_start m -- --as dora
scr_check m main "^─ Alerts \([0-9]+\) incident #" 30

con_keys m '?'
scr_check m help "^─ Help "

# ---- the detail views ------------------------------------------------------------
con_keys m q Enter
scr_check m incident "^ Incident #"
con_keys m PageDown
scr_check m incident_more "^─ Detail "

con_keys m q Tab
focus_wait m Hypotheses >/dev/null
con_keys m Enter
scr_check m hypothesis "^ Hypothesis #"

con_keys m q j Enter
scr_check m evidence "^ Evidence #"

con_keys m q Tab
focus_wait m Recommendations >/dev/null
con_keys m Enter
scr_check m recommendation "^ Recommendation #"

con_keys m q Tab
focus_wait m Alerts >/dev/null
con_keys m Enter
scr_check m alert "^ Alert #"

# ---- an action: acknowledge the alert the Alerts pane selects -----------------------
# The screen to compare is the confirmed one: the event is in the database,
# and the status bar counts what the database now says (the optimistic
# state before it counts only the overrides).
con_keys m q
con_gone m "^─ Detail " 5 >/dev/null
acked() {
	[ "$(con_q "select count(*) from midwatch.feedback_events
		where event_type = 'alert_acknowledged' and actor_id = 'dora'")" -gt 0 ]
}
con_keys m a
con_until 100 acked
open=$(con_q "select count(*) from midwatch.incidents where status = 'open'")
active=$(con_q "select count(*) from midwatch.alerts where status = 'active'")
scr_check m ack "$open open · $active alerts
^acknowledge alert #[0-9]+: recorded"
con_keys m f
scr_check m ack_unfolded "\[-[0-9]+\]"
con_keys m Q
t_eq "the console quits cleanly" 0 "$(con_exited m 10)"

# ---- without UTF-8 and colours ------------------------------------------------------
scr_start plain LANG=C LC_ALL=C NO_COLOR=1 -- --as dora
scr_check plain main_ascii "^- Alerts \([0-9]+\) incident #" 30
con_keys plain Q
t_done
