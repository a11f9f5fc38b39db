#!/bin/sh
# test_console_shown.sh - seed 001's telemetry in the console (issue 10),
# driven for real (midwatch in a private tmux server against a real
# PostgreSQL): a recommendation that comes into view in the Recommendations
# pane bumps recommendations.shown_count (first/last shown set) once, not
# at every redraw; one shown again within housekeeping.shown_interval (5 s)
# counts once; a hidden one (evidence gate) is never counted.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwshown
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture shown || { echo "Bail out! fixture failed"; exit 1; }
shown() { con_q "select string_agg(id || '=' || shown_count || ':' || (first_shown_at is not null)::text, ' ' order by id) from midwatch.recommendations where id in (1400, 1401, 1402)"; }
# shown_wait EXPECTED: wait (at most 10 s) until shown() says EXPECTED
shown_wait() {
	_i=0
	while [ "$(shown)" != "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	shown
}

t_eq "nothing counted before the console ran" "1400=0:false 1401=0:false 1402=0:false" "$(shown)"
con_start a 100 30 -- --project shown --as alice
con_wait a "Fixture roll back checkout-api" 20 >/dev/null
t_eq "the recommendations on screen are counted once, the hidden one not" \
    "1400=1:true 1401=0:false 1402=1:true" "$(shown_wait "1400=1:true 1401=0:false 1402=1:true")"
sleep 6
t_eq "redraws while they stay on screen count nothing more" \
    "1400=1:true 1401=0:false 1402=1:true" "$(shown)"
con_keys a j
selected_wait a "latency on payments-db" >/dev/null
con_gone a "Fixture roll back checkout-api" 5 >/dev/null
con_keys a k
con_wait a "Fixture roll back checkout-api" 5 >/dev/null
t_eq "coming back into view after the interval counts again" \
    "1400=2:true 1401=0:false 1402=2:true" "$(shown_wait "1400=2:true 1401=0:false 1402=2:true")"
con_keys a j
con_gone a "Fixture roll back checkout-api" 5 >/dev/null
con_keys a k
con_wait a "Fixture roll back checkout-api" 5 >/dev/null
sleep 1.5
t_eq "... but not again within the interval" "1400=2:true 1401=0:false 1402=2:true" "$(shown)"
t_eq "last_shown_at moved on, first_shown_at did not" "t" \
    "$(con_q "select last_shown_at > first_shown_at from midwatch.recommendations where id = 1400")"
con_keys a q
con_exited a 10 >/dev/null
t_done
