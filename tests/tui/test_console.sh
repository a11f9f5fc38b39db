#!/bin/sh
# test_console.sh - the console driven for real: the midwatch binary in a
# private tmux server (send-keys, capture-pane) against a real PostgreSQL
# loaded with a fixed incident world.  Four panes follow the selection;
# a, c, d and n each write exactly one correct feedback event and show the
# new state; a second console sees the first one's acknowledgement within
# 2 s; resizes keep the screen intact; escape sequences in alert text are
# drawn harmlessly; q, SIGTERM and SIGHUP leave the terminal sane and the
# database consistent; --readonly cannot act; ASCII and NO_COLOR work.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwtui
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture tuitest || { echo "Bail out! fixture failed"; exit 1; }

ESC=$(printf '\033')
COLOR_RE="$ESC\\[[34][0-7]m\\|$ESC\\[[34]8;"

events() {	# events EVENT_TYPE TARGET_ID: "count|actor|payload" of such events
	con_q "select count(*) || '|' || coalesce(max(actor_id), '') || '|' ||
	       coalesce(max(payload::text), '')
	         from midwatch.feedback_events
	        where event_type = '$1' and target_id = $2"
}

# ---- the four panes --------------------------------------------------------
con_start a 80 24 -- --project tuitest --as alice
con_wait a "Fixture error spike on checkout-api" 20
s=$(con_screen a)
t_match "incidents pane lists the open incidents" "Fixture latency on payments-db" "$s"
t_match "the panes are titled" "Incidents \(2\)" "$s"
t_match "hypotheses pane shows the selected incident's hypotheses" \
    "1\. release .*0\.82" "$s"
t_match "evidence is grouped: supports" "supports +deployment +Fixture deploy v2\.3" "$s"
t_match "evidence is grouped: missing" "missing +config_change" "$s"
t_match "recommendations pane shows the publishable ones" \
    "new +rollback +Fixture roll back checkout-api" "$s"
t_match "alerts pane shows the incident's alerts" "Alerts \(5\) incident #1100" "$s"
t_match "with status and severity" "active +crit +Fixture high error rate" "$s"
t_ok "$(printf '%s' "$s" | grep -c 'Fixture suppressed flapping' | grep -qx 0; echo $?)" \
    "a suppressed incident is hidden by default"
t_ok "$(printf '%s' "$s" | grep -c 'Fixture hidden scale out' | grep -qx 0; echo $?)" \
    "an unpublishable recommendation is hidden by default"
t_match "the status bar names project, database, pipeline and operator" \
    "tuitest .*db mwtui .*pipeline .*alice" "$(echo "$s" | head -n 1)"
t_eq "the screen is 24 lines" "24" "$(echo "$s" | wc -l | tr -d ' ')"
t_match "the key hint line is at the bottom" "Enter open.*\? help" "$(echo "$s" | tail -n 1)"

# ---- navigation follows the selection ----------------------------------------
con_keys a j
t_run "moving to the next incident shows its hypotheses" \
    con_wait a "1\. db +payments-db .*Fixture database saturated" 5
t_run "and its evidence" con_wait a "supports +metric_anomaly +Fixture p99 400 ms" 5
t_ok "$(con_screen a | grep -c 'Fixture release v2.3' | grep -qx 0; echo $?)" \
    "the other incident's hypotheses are gone"
con_keys a k
con_wait a "1\. release" 5 >/dev/null
con_keys a H
t_run "toggle-hidden shows the suppressed incident" con_wait a "Fixture suppressed flapping" 5
t_run "and the gated recommendation" con_wait a "hidden: .*Fixture hidden scale out|Fixture hidden scale out" 5
con_keys a H
con_gone a "Fixture suppressed flapping" 5 >/dev/null

# Enter opens the incident view; Esc goes back.
con_keys a Enter
t_run "Enter opens the incident view with its timeline" con_wait a "Timeline \(UTC\)" 5
t_run "the view names the incident" con_wait a "Incident #1100 +checkout-api +critical" 5
con_keys a Escape
t_run "Esc goes back to the panes" con_wait a "Hypotheses & evidence" 5
# Enter on a hypothesis explains its rank.
con_keys a Tab
con_keys a Enter
t_run "a hypothesis view says why it is ranked there" \
    con_wait a "Fixture why: the deploy finished 2 minutes before" 5
con_keys a q
con_wait a "Hypotheses & evidence" 5 >/dev/null
# Enter on an evidence item shows its full summary and reference.
con_keys a j Enter
t_run "an evidence view shows the reference" con_wait a "Reference +d-23" 5
con_keys a Escape
con_wait a "Hypotheses & evidence" 5 >/dev/null
con_keys a k

# ---- c: confirm a hypothesis (and set it as root cause) ---------------------------
con_keys a c
t_run "c asks whether to set the root cause" con_wait a "Confirm hypothesis #1300\. Root cause too\? \[y/n" 5
con_keys a y
t_run "the hypothesis shows its new state" con_wait a "1\. release .*(ROOT CAUSE|confirmed)" 5
con_stable a "#1300: recorded" 5 >/dev/null	# the worker answered
t_eq "c wrote one hypothesis_confirmed event" '1|alice|{"root_cause": true}' \
    "$(events hypothesis_confirmed 1300)"
t_eq "the hypothesis is confirmed in the database" "confirmed" \
    "$(con_q "select status from midwatch.hypotheses where id = 1300")"

# ---- d: dismiss a recommendation (asks first) --------------------------------------
con_keys a Tab
con_wait a "─ Recommendations .*" 5 >/dev/null
con_keys a d
t_run "d asks for confirmation" con_wait a "Dismiss recommendation #1400\? \[y/N\]" 5
con_keys a n
t_run "answering no cancels" con_wait a "cancelled" 5
t_eq "a cancelled dismissal records nothing" "0||" "$(events recommendation_dismissed 1400)"
con_keys a d
con_wait a "Dismiss recommendation #1400" 5 >/dev/null
con_keys a y
t_run "the recommendation shows dismissed" con_wait a "dismiss[a-z]* +rollback +Fixture roll back" 5
con_stable a "#1400: recorded" 5 >/dev/null
t_eq "d wrote one recommendation_dismissed event" "1|alice|{}" \
    "$(events recommendation_dismissed 1400)"

# ---- n: a note on what is selected -------------------------------------------------
con_keys a n
t_run "n asks for the note" con_wait a "Note on recommendation #1400:" 5
con_keys a -l "rolled back by hand"
con_keys a Enter
t_run "the note is confirmed on screen" con_wait a "note on recommendation #1400: recorded" 5
t_eq "n wrote one human_note_added event" '1|alice|{"text": "rolled back by hand"}' \
    "$(events human_note_added 1400)"

# ---- a: acknowledge an alert -------------------------------------------------------
con_keys a Tab
con_keys a /
con_keys a -l "high error"
con_keys a Enter
t_run "/ filters the focused pane" con_wait a "Alerts \(1\) .*/high error" 5
con_keys a a
t_run "the alert shows acknowledged with its age and who" \
    con_wait a "acked +crit +Fixture high error rate .*ack [0-9]+s ago alice" 5
con_stable a "#1500: recorded" 5 >/dev/null
t_eq "a wrote one alert_acknowledged event" "1|alice|{}" "$(events alert_acknowledged 1500)"
t_eq "the alert is acknowledged in the database" "acknowledged|alice" \
    "$(con_q "select status || '|' || acknowledged_by from midwatch.alerts where id = 1500")"
con_keys a a
t_run "the same person acknowledging it again: already recorded, as the CLI says (one set of rules)" \
    con_wait a "acknowledge alert #1500: already recorded" 5
t_eq "... no second event, the status unchanged" "1|alice|{}|acknowledged" \
    "$(events alert_acknowledged 1500)|$(con_q "select status from midwatch.alerts where id = 1500")"
con_keys a Escape
con_wait a "Alerts \(5\)" 5 >/dev/null

# A double key press records once.
con_keys a /
con_keys a -l "double press"
con_keys a Enter
con_wait a "Alerts \(1\)" 5 >/dev/null
con_keys a a a
con_wait a "acked +med +Fixture double press" 5 >/dev/null
sleep 1
t_eq "a double key press records one event" "1" \
    "$(events alert_acknowledged 1502 | cut -d'|' -f1)"
con_keys a Escape
con_gone a "/double press" 5 >/dev/null

# ---- text from outside is drawn harmlessly ------------------------------------------
s=$(con_screen a)
t_match "an alert title with escape sequences is drawn as text" "Fixture evil title red" "$s"
t_ok "$(printf '%s' "$s" | grep -c 'pwned' | grep -qx 0; echo $?)" \
    "the OSC payload is not drawn"
t_ok "$(con_tmux display -p -t a: '#{pane_title}' | grep -c pwned | grep -qx 0; echo $?)" \
    "the terminal title was not changed"
con_keys a /
con_keys a -l "evil"
con_keys a Enter
con_keys a Enter
t_run "the alert's full message is shown" con_wait a "boom +then red end" 5
s=$(con_screen a)
t_ok "$(printf '%s' "$s" | grep -c 'pwned' | grep -qx 0; echo $?)" \
    "the message's escape sequences are neutralised"
t_match "the screen was not cleared by the message" "Alert #1501" "$s"
con_keys a Escape Escape

# ---- a second console sees the first one's acknowledgement within 2 s ---------------
con_start b 80 24 -- --project tuitest --as bob
con_wait b "Fixture error spike on checkout-api" 20 >/dev/null
con_keys b Tab Tab Tab
t_run "the second console shows the alert unacknowledged" \
    con_wait b "active +med +Fixture seen by two" 5
con_keys a /
con_keys a -l "seen by two"
con_keys a Enter
con_wait a "Alerts \(1\)" 5 >/dev/null
con_keys a a
t_run "the second console sees the acknowledgement within 2 s" \
    con_wait b "acked +med +Fixture seen by two .*alice" 2
t_eq "one event for it" "1|alice|{}" "$(events alert_acknowledged 1503)"
con_keys a Escape

# ---- resizing ----------------------------------------------------------------------
con_tmux resize-window -t a: -x 200 -y 60
t_run "at 200x60 the panes sit side by side" \
    con_wait a "─ Incidents .*│─ Hypotheses & evidence" 5
t_run "the bottom line moves to the 60th line" con_lines a 60 10
s=$(con_screen a)
t_match "all four panes are there" "─ Recommendations .*│─ Alerts" "$s"
t_match "wide rows show whole titles" "ROOT CAUSE Fixture release v2\.3 broke checkout$" "$s"
con_tmux resize-window -t a: -x 50 -y 12
t_run "below the minimum a plain message says so" con_wait a "terminal too small" 5
con_tmux resize-window -t a: -x 80 -y 24
t_run "back at 80x24 the panes are stacked again" con_wait a "^─ Alerts" 5
t_run "and 24 lines" con_lines a 24 10
s=$(con_screen a)
t_match "with the incidents" "Fixture error spike on checkout-api" "$s"
t_ok "$(printf '%s' "$s" | grep -c 'terminal too small' | grep -qx 0; echo $?)" \
    "the small-terminal message is gone"
con_keys a C-l
t_run "Ctrl-L redraws" con_wait a "^─ Incidents" 5

# ---- quitting: q, SIGTERM ----------------------------------------------------------------
con_keys b q
t_eq "q quits with status 0" "0" "$(con_exited b 10)"
t_run "the terminal is back (shell output visible)" con_wait b "^EXIT=0" 5
t_eq "keypad mode off, cursor on, alternate screen left" "0 0 1 0" \
    "$(con_tmux display -p -t b: \
    '#{keypad_flag} #{keypad_cursor_flag} #{cursor_flag} #{alternate_on}')"
t_match "and sane (echo, icanon)" "[^-]icanon.*[^-]echo |[^-]echo .*[^-]icanon" \
    "$(cat "$TAP_TMP/stty.b")"

con_start c 80 24 -- --project tuitest --as carol
con_wait c "Fixture error spike" 20 >/dev/null
kill -TERM "$(con_pid c)"
t_eq "SIGTERM quits with status 0" "0" "$(con_exited c 10)"
t_match "and leaves the terminal sane" "[^-]icanon" "$(cat "$TAP_TMP/stty.c")"

con_start i 80 24 -- --project tuitest --as ivan
con_wait i "Fixture error spike" 20 >/dev/null
con_keys i C-c
t_eq "Ctrl-C (SIGINT) quits with status 0" "0" "$(con_exited i 10)"
t_match "and leaves the terminal sane" "[^-]icanon.*[^-]echo |[^-]echo .*[^-]icanon" \
    "$(cat "$TAP_TMP/stty.i")"

con_start k 80 24 -- --project tuitest --as kim
con_wait k "Fixture error spike" 20 >/dev/null
kill -SEGV "$(con_pid k)"
t_eq "a crash (SIGSEGV) dies of its signal" "139" "$(con_exited k 10)"
t_match "after restoring the terminal" "[^-]icanon.*[^-]echo |[^-]echo .*[^-]icanon" \
    "$(cat "$TAP_TMP/stty.k")"
t_run "the screen is given back after a crash" con_wait k "^EXIT=139" 5
t_eq "a crash leaves keypad mode off, the cursor on, the alternate screen left" \
    "0 0 1 0" "$(con_tmux display -p -t k: \
    '#{keypad_flag} #{keypad_cursor_flag} #{cursor_flag} #{alternate_on}')"

# ---- SIGHUP with an action in flight -----------------------------------------------------
con_keys a /
con_keys a -l "hangup"
con_keys a Enter
con_wait a "Alerts \(1\)" 5 >/dev/null
con_keys a a
kill -HUP "$(con_pid a)"
t_eq "SIGHUP quits with status 0" "0" "$(con_exited a 10)"
t_match "and leaves the terminal sane" "[^-]icanon.*[^-]echo |[^-]echo .*[^-]icanon" \
    "$(cat "$TAP_TMP/stty.a")"
t_run "the screen is given back" con_wait a "^EXIT=0" 5
n=$(con_q "select count(*) from midwatch.feedback_events
            where event_type = 'alert_acknowledged' and target_id = 1504")
st=$(con_q "select status from midwatch.alerts where id = 1504")
case "$n:$st" in
0:active|1:acknowledged) ok=0 ;;
*) ok=1 ;;
esac
t_ok "$ok" "the action in flight is committed whole or not at all ($n event, $st)"

# ---- the SSH connection drops: the terminal goes away with an action in flight ----
con_start h 80 24 -- --project tuitest --as hank
con_wait h "Fixture error spike" 20 >/dev/null
hpid=$(con_pid h)
con_keys h Tab Tab Tab
con_wait h "^─ Alerts \(5\)" 5 >/dev/null
con_keys h /
con_keys h -l "evil"
con_keys h Enter
con_wait h "Alerts \(1\)" 5 >/dev/null
con_keys h a
con_tmux kill-session -t h
i=0
while kill -0 "$hpid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_ok "$(kill -0 "$hpid" 2>/dev/null; [ $? -ne 0 ]; echo $?)" \
    "when its terminal is gone the console exits"
n=$(con_q "select count(*) from midwatch.feedback_events
            where event_type = 'alert_acknowledged' and target_id = 1501")
st=$(con_q "select status from midwatch.alerts where id = 1501")
case "$n:$st" in
0:active|1:acknowledged) ok=0 ;;
*) ok=1 ;;
esac
t_ok "$ok" "its action in flight is committed whole or not at all ($n event, $st)"

# ---- read-only --------------------------------------------------------------------------
con_start r 80 24 -- --project tuitest --as rita --readonly
con_wait r "Fixture error spike" 20 >/dev/null
t_match "a read-only console says so" "rita \[read-only\]" "$(con_screen r | head -n 1)"
con_keys r Tab Tab Tab a
t_run "and refuses to act" con_wait r "read-only console" 5
t_eq "nothing recorded by it" "0" \
    "$(con_q "select count(*) from midwatch.feedback_events where actor_id = 'rita'")"
con_tmux capture-pane -e -p -t r: >"$TAP_TMP/color.esc"
t_ok "$(grep -q "$COLOR_RE" "$TAP_TMP/color.esc"; echo $?)" \
    "with a colour terminal the console draws in colour"
con_keys r Q
t_eq "Q quits" "0" "$(con_exited r 10)"

# ---- without UTF-8 and without colour ---------------------------------------------------------
printf 'pipeline-interval = 0\nbind z help\nunbind ?\ncolor title bold underline\n' \
    >"$TAP_TMP/alt.conf"
con_start m 80 24 LANG=C LC_ALL=C NO_COLOR=1 -- --project tuitest --as mono \
    --config "$TAP_TMP/alt.conf"
t_run "a console without UTF-8 starts" con_wait m "Fixture error spike" 20
s=$(con_screen m)
t_match "ASCII pane borders without UTF-8" "^- Incidents \(2\) -----" "$s"
t_match "ASCII confidence bars" "1\. release +checkout-api +######" "$s"
t_ok "$(printf '%s' "$s" | LC_ALL=C grep -c '[^ -~]' | grep -qx 0; echo $?)" \
    "only ASCII on the screen"
con_tmux capture-pane -e -p -t m: >"$TAP_TMP/mono.esc"
t_ok "$(grep -c "$COLOR_RE" "$TAP_TMP/mono.esc" | grep -qx 0; echo $?)" \
    "NO_COLOR: no colours drawn"
con_keys m z
t_run "a key bound in the configuration file works" con_wait m "^- Help \(q or Esc closes\)" 5
con_keys m q "?"
t_run "an unbound key says so" con_wait m "\? is not bound" 5
con_keys m Q
t_eq "the ASCII console quits cleanly" "0" "$(con_exited m 10)"

# A broken configuration stops the console before the screen changes.
printf 'bind j no-such-action\n' >"$TAP_TMP/bad.conf"
out=$("$MIDWATCH" --config "$TAP_TMP/bad.conf" --project tuitest console 2>&1 </dev/null); rc=$?
t_eq "a bad configuration exits 1" "1" "$rc"
t_match "naming the file and line" "bad\.conf:1: unknown action 'no-such-action'" "$out"

t_done
