#!/bin/sh
# test_console_act.sh - acting on a recommendation from the console (issue
# 10, seed 001), driven for real in tmux against a real PostgreSQL and the
# local HTTP receiver: `!` on a recommendation asks what to do; "message
# CHANNEL TEXT" records one recommendation_action_requested event and its
# action run; once `midwatch notify` delivered it (the receiver got the
# text), the recommendation's view lists the run as succeeded; a bad answer
# records nothing and says why; a reminder fires on the message line once
# its time passed (and its row is marked); a read-only console does not act.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwact
con_setup
RECEIVER=$top_builddir/tests/net/receiver
LOG=$TAP_TMP/requests.log
echo 200 >"$TAP_TMP/mode"
"$RECEIVER" --port-file "$TAP_TMP/port" --log "$LOG" --mode-file "$TAP_TMP/mode" &
RPID=$!
trap 'kill $RPID 2>/dev/null; con_cleanup' EXIT INT TERM
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture act || { echo "Bail out! fixture failed"; exit 1; }
i=0
while [ ! -s "$TAP_TMP/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$TAP_TMP/port" 2>/dev/null)
[ -n "$PORT" ] || { echo "Bail out! the receiver did not start"; exit 1; }
"$MIDWATCH" --project act channels add webhook hook "http://127.0.0.1:$PORT/hook" \
    --set retry-base=1s >/dev/null || { echo "Bail out! channels add failed"; exit 1; }
runs() { con_q "select count(*) from midwatch.recommendation_action_runs"; }

con_start a 120 40 -- --project act --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
con_keys a Tab Tab
focus_wait a Recommendations >/dev/null
con_keys a g
selected_wait a "rollback +Fixture roll back" >/dev/null
t_run "the hint line offers ! act on a recommendation" con_wait a "! act" 5

# ---- a bad answer: nothing recorded ---------------------------------------------------------
mark_events
con_keys a !
t_run "! asks what to do" \
    con_wait a "Act on recommendation #1400 \(message CHANNEL \[text\] \| task CHANNEL" 5
con_keys a -l "message nochan hi"
con_keys a Enter
t_run "an unknown channel is refused, saying why" con_wait a "no channel named nochan" 10
con_keys a !
con_keys a -l "frob x"
con_keys a Enter
t_run "an unknown action is refused, saying why" \
    con_wait a "unknown action frob .*nothing requested" 5
sleep 0.5
t_eq "... nothing recorded" "|0" "$(new_events)|$(runs)"

# ---- message hook TEXT ------------------------------------------------------------------------
word="w$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
mark_events
con_keys a !
con_wait a "Act on recommendation #1400" 5 >/dev/null
con_keys a -l "message hook rolling back $word"
con_keys a Enter
t_events "one recommendation_action_requested event" \
    "recommendation_action_requested|alice|recommendation|1400"
t_eq "... and its run, pending, under the key press's key" "send_message|hook|pending|true" \
    "$(con_q "select r.action || '|' || r.channel || '|' || r.status || '|' || (r.idempotency_key like 'console:%') from midwatch.recommendation_action_runs r join midwatch.feedback_events e on e.id = r.feedback_event_id where r.recommendation_id = 1400")"
"$MIDWATCH" --project act notify >/dev/null 2>&1
t_eq "notify delivered it to the receiver with its text" "1" \
    "$(grep -c "^BODY .*\"summary\":\"rolling back $word\"" "$LOG")"
con_keys a Enter
t_run "the recommendation's view lists the action, succeeded" \
    con_wait a "#[0-9]+ send_message on hook: succeeded, attempt 1/10 \(alice" 10
t_run "... with its text" con_wait a "rolling back $word" 5

# ---- a reminder fires on the message line ---------------------------------------------------
con_keys a !
con_wait a "Act on recommendation #1400" 5 >/dev/null
con_keys a -l "reminder 10m look again $word"
con_keys a Enter
t_events "... a second event (the reminder)" \
    "recommendation_action_requested|alice|recommendation|1400 recommendation_action_requested|alice|recommendation|1400"
t_run "the view lists the reminder, pending, with its time" \
    con_wait a "set_reminder on log: pending, attempt 0/\?" 10
"$MIDWATCH" --project act notify >/dev/null 2>&1
t_eq "before its time it has not fired" "pending" \
    "$(con_q "select status from midwatch.recommendation_action_runs where action = 'set_reminder'")"
t_eq "... due in 10 minutes, on the database's clock" "t" \
    "$(con_q "select next_retry_at between now() + interval '9 min' and now() + interval '10 min' from midwatch.recommendation_action_runs where action = 'set_reminder'")"
# ten minutes pass (test_act.sh waits for a real reminder's time)
con_q "update midwatch.recommendation_action_runs set next_retry_at = now() where action = 'set_reminder'" >/dev/null
"$MIDWATCH" --project act notify >/dev/null 2>&1
t_run "once it fired, the message line says so" \
    con_wait a "Reminder: look again $word \(recommendation #1400\)" 10
t_run "... and the view marks it due" con_wait a "reminder due since" 5
con_keys a Escape
t_run "... and so does its row in the pane" \
    con_wait a "rollback +Fixture roll back checkout-api to v2.2 \[reminder due\]" 5

# ---- read-only --------------------------------------------------------------------------------
con_start b 120 40 -- --project act --as bob --readonly
con_wait b "Fixture error spike on checkout-api" 20 >/dev/null
con_keys b Tab Tab
focus_wait b Recommendations >/dev/null
con_keys b g
selected_wait b "rollback +Fixture roll back" >/dev/null
t_ok "$(con_screen b | grep -q "! act"; [ $? -ne 0 ]; echo $?)" \
    "a read-only console does not offer ! act"
before=$(runs)
con_keys b !
t_run "! in a read-only console refuses" con_wait b "read-only console" 5
t_eq "... and records nothing" "$before" "$(runs)"
t_done
