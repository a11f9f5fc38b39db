#!/bin/sh
# test_console_journal.sh - nothing an operator does is lost (issue 11): the
# console driven in tmux against a real PostgreSQL that is stopped under it.
# Actions taken while the database is away are shown pending (`acked*`,
# "N pending" in the status bar) and written to the journal
# ($XDG_STATE_HOME/midwatch/journal, one line each with its key); quitting
# (q, SIGHUP) and SIGKILL keep them there; once the server is back, the next
# console replays them in order under their own actors, and each is recorded
# exactly once, with the key made when the key was pressed; replaying a
# journal whose actions were recorded already records nothing; 70 held
# actions (more than 64) all settle, once each.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwjr
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture tuitest || { echo "Bail out! fixture failed"; exit 1; }
# 70 more alerts on incident 1101, to hold more than 64 actions at once.
con_q "insert into midwatch.alerts (id, project_id, run_id, incident_id, service_id,
         fingerprint, title, severity, status)
       select 2000 + g, p.id, 1000, 1101, 1001, 'fx-bulk-' || g,
              'Bulk alert ' || lpad(g::text, 2, '0'), 'low', 'active'
         from midwatch.projects p, generate_series(0, 69) g
        where p.slug = 'tuitest'" >/dev/null || { echo "Bail out! bulk alerts"; exit 1; }

JOURNAL=$TAP_TMP/state/midwatch/journal
events() {	# events TARGET_ID: "count|actors" of alert_acknowledged events
	con_q "select count(*) || '|' || coalesce(string_agg(actor_id, ',' order by id), '')
	         from midwatch.feedback_events
	        where event_type = 'alert_acknowledged' and target_id = $1"
}
# alert_only NAME TEXT: the alerts pane of console NAME shows only TEXT's alert
alert_only() {
	con_keys "$1" /
	con_keys "$1" -l "$2"
	con_keys "$1" Enter
	con_wait "$1" "Alerts \(1\)" 5 >/dev/null
}

# ---- three consoles, then the database goes away ------------------------------
for n in a b h; do
	case $n in a) who=alice ;; b) who=bob ;; h) who=hank ;; esac
	con_start $n 100 30 -- --project tuitest --as $who
	con_wait $n "Fixture error spike on checkout-api" 20 >/dev/null
	con_keys $n Tab Tab Tab
	con_wait $n "^─ Alerts \(5\)" 5 >/dev/null
done
alert_only a "high error"
alert_only b "double press"
alert_only h "hangup"
pgtest_halt
t_run "alice's console sees the database go" con_wait a "database unavailable" 10

con_keys a a
t_run "an action taken meanwhile shows pending (acked*)" \
    con_wait a "acked\* +crit +Fixture high error rate" 5
t_run "the status bar counts it pending" con_wait a "1 pending" 5
t_eq "the journal holds one line" "1" "$(wc -l <"$JOURNAL" | tr -d ' ')"
line=$(cat "$JOURNAL")
t_match "... with its idempotency key, made at the key press" \
    '"key":"console:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"' "$line"
t_match "... the action, the target and the actor" \
    '"actor":"alice","action":"alert_acknowledged","kind":"alert","id":1500' "$line"
key_a=$(printf '%s\n' "$line" | sed 's/.*"key":"\([^"]*\)".*/\1/')
t_eq "the journal is private (0600)" "600" "$(stat -c %a "$JOURNAL")"

con_keys a q
t_eq "q quits with status 0, the database still away" "0" "$(con_exited a 10)"
t_run "... saying what waits in the journal" con_wait a "1 action waits for the database in .*/journal" 5

con_keys b a
con_wait b "acked\* +med +Fixture double press" 5 >/dev/null
kill -9 "$(con_pid b)"
t_eq "bob's console is killed (SIGKILL) with its action pending" "137" "$(con_exited b 10)"

con_keys h a
con_wait h "acked\* +low +Fixture hangup" 5 >/dev/null
kill -HUP "$(con_pid h)"
t_eq "hank's console gets SIGHUP with its action pending" "0" "$(con_exited h 10)"
t_eq "the journal holds the three actions, in order" "1500 1502 1504" \
    "$(sed 's/.*"id":\([0-9]*\).*/\1/' "$JOURNAL" | tr '\n' ' ' | sed 's/ $//')"
cp "$JOURNAL" "$TAP_TMP/journal.saved"

# ---- the database is back: the next console replays them -------------------------
pgtest_resume || { echo "Bail out! the server did not come back"; exit 1; }
t_eq "nothing was recorded while the database was away" "0|" "$(events 1500)"
con_start c 100 30 -- --project tuitest --as carol
con_wait c "Fixture error spike on checkout-api" 20 >/dev/null
i=0
while [ -s "$JOURNAL" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "$([ ! -s "$JOURNAL" ]; echo $?)" "the next console replays the journal and empties it"
t_eq "alice's action is recorded once, as alice" "1|alice" "$(events 1500)"
t_eq "bob's (killed) once, as bob" "1|bob" "$(events 1502)"
t_eq "hank's (SIGHUP) once, as hank" "1|hank" "$(events 1504)"
t_eq "in the order they were taken" "1500,1502,1504" \
    "$(con_q "select string_agg(target_id::text, ',' order by id) from midwatch.feedback_events
              where event_type = 'alert_acknowledged' and target_id in (1500, 1502, 1504)")"
t_eq "under the key made at the key press" "$key_a" \
    "$(con_q "select idempotency_key from midwatch.feedback_events where target_id = 1500")"
t_eq "the alerts are acknowledged" "acknowledged|acknowledged|acknowledged" \
    "$(con_q "select string_agg(status, '|' order by id) from midwatch.alerts where id in (1500, 1502, 1504)")"
con_keys c Tab Tab Tab
t_run "the console shows them acknowledged, none pending" \
    con_wait c "acked +crit +Fixture high error rate" 10
t_ok "$(con_screen c | grep -Eq 'pending|acked\*'; [ $? -ne 0 ]; echo $?)" \
    "... with no pending marker left"

# ---- a replay of what was recorded already records nothing -------------------------
cp "$TAP_TMP/journal.saved" "$JOURNAL"
con_start d 100 30 -- --project tuitest --as dora
con_wait d "Fixture error spike on checkout-api" 20 >/dev/null
i=0
while [ -s "$JOURNAL" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "$([ ! -s "$JOURNAL" ]; echo $?)" "a journal of recorded actions is replayed and emptied"
t_eq "... recording nothing more" "1|alice 1|bob 1|hank" \
    "$(events 1500) $(events 1502) $(events 1504)"
con_keys d q
con_exited d 10 >/dev/null
con_keys c q
con_exited c 10 >/dev/null

# ---- more than 64 actions held at once --------------------------------------------------
con_start e 100 40 -- --project tuitest --as erin
con_wait e "Fixture error spike on checkout-api" 20 >/dev/null
con_keys e j
con_wait e "1\. db +payments-db" 5 >/dev/null
con_keys e Tab Tab Tab
con_keys e /
con_keys e -l "Bulk alert"
con_keys e Enter
t_run "the 70 bulk alerts are listed" con_wait e "Alerts \(70\)" 5
pgtest_halt
con_wait e "database unavailable" 10 >/dev/null
i=0
while [ $i -lt 70 ]; do con_keys e Space; i=$((i + 1)); done
con_wait e "\[70 marked\]" 10 >/dev/null
con_keys e a
t_run "70 actions are pending" con_wait e "70 pending" 10
t_eq "... each in the journal" "70" "$(wc -l <"$JOURNAL" | tr -d ' ')"
order=$(sed 's/.*"id":\([0-9]*\).*/\1/' "$JOURNAL" | tr '\n' ',' | sed 's/,$//')
sleep 2
pgtest_resume || { echo "Bail out! the server did not come back"; exit 1; }
t_run "once the database is back all 70 settle (no pending left)" \
    con_gone e "[0-9]+ pending" 60
t_eq "each recorded exactly once" "70|70" \
    "$(con_q "select count(*) || '|' || count(distinct target_id) from midwatch.feedback_events
              where event_type = 'alert_acknowledged' and target_id between 2000 and 2069")"
t_eq "in the order they were taken" "$order" \
    "$(con_q "select string_agg(target_id::text, ',' order by id) from midwatch.feedback_events
              where event_type = 'alert_acknowledged' and target_id between 2000 and 2069")"
t_eq "all 70 alerts are acknowledged" "70" \
    "$(con_q "select count(*) from midwatch.alerts where id between 2000 and 2069 and status = 'acknowledged'")"
t_ok "$([ ! -s "$JOURNAL" ]; echo $?)" "and the journal is empty"
t_run "the screen shows them acknowledged" con_wait e "acked +low +Bulk alert 00" 10
con_keys e q
t_eq "the console quits" "0" "$(con_exited e 10)"
t_done
