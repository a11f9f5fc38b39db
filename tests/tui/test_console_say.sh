#!/bin/sh
# test_console_say.sh - issue 12 in the console, driven for real (midwatch
# in a private tmux server against a real PostgreSQL).  The important thing
# first: alerts critical first, then newest (as `midwatch alerts` and
# `incidents --json`); `o`/`O` sort a pane by another column and back,
# keeping the selection; the hypotheses count counts hypotheses, at any
# size; the wide layout gives the width to the pane whose text needs it.
# Say what happened: R with nothing new says so; messages go after a few
# seconds, or when the operator moves on; side effects are said (`a` on a
# silenced alert, rejecting a hypothesis); `u` undoes a silence (one
# alert_unsilenced event); a silence's duration is read as the CLI's
# --for; a read-only console offers only the keys that work.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwsay
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture say || { echo "Bail out! fixture failed"; exit 1; }
# An evidence line longer than half of a 250-column screen (151 columns
# with its role and kind), a half the old even split cut it to.
con_q "update midwatch.evidence_artifacts set summary = 'Fixture deploy v2.3 of checkout-api 2m before onset, 12 of 12 pods in 40 s, error ratio 0.01 to 0.25 END-OF-SUMMARY'
  where id = 1200" >/dev/null
# jsql FILE SQL: one value of SQL with :'j' bound to the JSON text in FILE.
jsql() {
	{ printf '\\set j `cat %s`\n' "$1"; printf '%s;\n' "$2"; } |
	    psql -X -q -At -v ON_ERROR_STOP=1
}
ev_count() { con_q "select count(*) from midwatch.feedback_events where event_type = '$1' and target_id = $2"; }
hint() { con_screen "$1" | tail -n 1; }

# ---- the important thing first ----------------------------------------------------
con_start a 80 24 -- --project say --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
t_eq "alerts are listed critical first (the fixture's newest is low)" \
    " active   crit Fixture high error rate" "$(first_row a Alerts | sed 's/  *[0-9]*[smh]$//')"
t_match "... the last one is the low one" "low +Fixture hangup" \
    "$(con_screen a | sed -n '/^─ Alerts /,$p' | sed -n '6p')"
"$MIDWATCH" --project say alerts --json >"$TAP_TMP/alerts.json"
t_eq "midwatch alerts agrees" "critical,high,medium,medium,low" \
    "$(jsql "$TAP_TMP/alerts.json" "select string_agg(a->>'severity', ',' order by n)
       from jsonb_array_elements(:'j'::jsonb) with ordinality x(a, n)")"
"$MIDWATCH" --project say incidents --json >"$TAP_TMP/inc.json"
t_eq "so does incidents --json, for the incident's alerts" "critical,high,medium,medium,low" \
    "$(jsql "$TAP_TMP/inc.json" "select string_agg(a->>'severity', ',' order by n)
       from jsonb_array_elements(:'j'::jsonb) i,
            jsonb_array_elements(i->'alerts') with ordinality x(a, n)
      where (i->>'id')::int = 1100")"
t_match "the hypotheses count counts hypotheses, not lines" \
    "^─ Hypotheses & evidence \(2\) incident #1100" "$(con_screen a)"

con_keys a Tab Tab Tab
focus_wait a Alerts >/dev/null
con_keys a j j
selected_wait a "Fixture seen by two" >/dev/null
con_keys a o
t_run "o sorts the alerts by the next column (age), saying so in the title" \
    con_wait a "^─ Alerts \(5\) incident #1100 by age" 5
t_run "... and on the message line" con_wait a "^alerts sorted by age" 5
t_run "... the selection stays on the same alert" selected_wait a "Fixture seen by two"
con_keys a o
t_run "o again: by status" con_wait a "^─ Alerts \(5\) incident #1100 by status" 5
con_keys a o o
t_run "... and round to the default (critical first), the title plain again" \
    con_wait a "^─ Alerts \(5\) incident #1100 ─" 5
con_keys a O
t_run "O reverses the order" con_wait a "^─ Alerts \(5\) incident #1100 by severity, reversed" 5
t_match "... the low one first" "low +Fixture hangup" "$(first_row a Alerts)"
con_keys a O
con_wait a "^─ Alerts \(5\) incident #1100 ─" 5 >/dev/null
con_keys a BTab BTab
focus_wait a Hypotheses >/dev/null
con_keys a o
t_run "the hypotheses sort by confidence" con_wait a "^─ Hypotheses & evidence \(2\) incident #1100 by confidence" 5
con_keys a O
t_run "... reversed: the least confident first, its evidence under it" \
    con_wait a "^ *2\. dependency" 5
t_match "... its evidence under it" "contradicts +deployment" \
    "$(con_screen a | sed -n '/^─ Hypotheses/,/^─ Recommendations/p' | sed -n '3p')"
con_keys a O o o o
con_wait a "^─ Hypotheses & evidence \(2\) incident #1100 ─" 5 >/dev/null

# The count stays the number of hypotheses on a small screen (the evidence of
# the unselected ones is folded away there).
con_start small 80 16 -- --project say --as alice
con_wait small "Fixture error spike" 20 >/dev/null
t_match "at 80x16 the hypotheses count is still 2" "^─ Hypotheses & evidence \(2\) incident #1100" \
    "$(con_screen small)"
con_keys small Q

# The wide layout: the incidents column takes what its lines need, the
# hypotheses column the rest, so the long evidence line is whole.
con_start wide 250 40 -- --project say --as alice
con_wait wide "Fixture error spike" 20 >/dev/null
rule=$(con_screen wide | sed -n '3p' | awk -F'│' '{print length($1)}')
t_ok "$([ "$rule" -lt 120 ] && [ "$rule" -ge 60 ]; echo $?)" \
    "at 250 columns the incidents column is narrower than half ($rule)"
t_match "... and the long evidence line is shown whole" "END-OF-SUMMARY" "$(con_screen wide)"
con_keys wide Q

# ---- say what happened -----------------------------------------------------------------
con_keys a R
t_run "R with nothing new says so, as midwatch run does" \
    con_wait a "^pipeline run: nothing new since the last run" 10
t_run "... and the message goes after a few seconds" con_gone a "^pipeline run:" 10
t_run "... giving the hint line back" con_wait a "^ Tab pane .*\? help" 3
con_keys a o
con_wait a "^hypotheses sorted by confidence" 5 >/dev/null
con_keys a j
t_run "a message goes as soon as the operator moves on" con_gone a "^hypotheses sorted" 2
con_keys a o o o
con_wait a "^─ Hypotheses & evidence \(2\) incident #1100 ─" 5 >/dev/null

# Silence, then its undo.
con_keys a Tab Tab
focus_wait a Alerts >/dev/null
con_keys a G
selected_wait a "Fixture hangup" >/dev/null
t_match "the hint line offers s for an alert that is not silenced" " s silence " "$(hint a)"
con_keys a s
con_wait a "Silence alert #1504 for \(30m, 2h, 1h30m, 1d\) \[1h\]:" 5 >/dev/null
con_keys a -l "31d"
con_keys a Enter
t_run "a silence too long is refused with the CLI's words" \
    con_wait a "too long: '31d' \(at most 30d\); nothing silenced" 5
con_keys a s
con_wait a "Silence alert #1504" 5 >/dev/null
con_keys a -l "1h30m"
con_keys a Enter
t_run "1h30m is taken, and the message says how to undo it" \
    con_wait a "silence alert #1504: recorded \(u undoes it\)" 5
t_eq "... ninety minutes" 5400 \
    "$(con_q "select payload->>'seconds' from midwatch.feedback_events where event_type = 'alert_silenced' and target_id = 1504")"
t_run "the alert shows silenced" con_wait a "silenced +low +Fixture hangup" 5
t_run "the hint line now offers u to unsilence it" con_wait a " u unsilence " 8
con_keys a u
t_run "u unsilences it, saying what that does" \
    con_wait a "unsilence alert #1504: recorded; it alerts again" 5
t_run "... the alert is active again" con_wait a "active +low +Fixture hangup" 5
t_eq "... one alert_unsilenced event" 1 "$(ev_count alert_unsilenced 1504)"
t_eq "... and the alert is active in the database" "active" \
    "$(con_q "select status from midwatch.alerts where id = 1504")"
con_keys a u
t_run "u on an alert that is not silenced is refused, with the CLI's words" \
    con_wait a "alert 1504 is not silenced" 5
t_eq "... recording nothing" 1 "$(ev_count alert_unsilenced 1504)"

# a on a silenced alert: the silence ends, and the console says so.
con_keys a s
con_wait a "Silence alert #1504" 5 >/dev/null
con_keys a Enter
con_wait a "silenced +low +Fixture hangup" 5 >/dev/null
con_keys a a
t_run "a on a silenced alert says its silence ends" \
    con_wait a "acknowledge alert #1504: recorded; its silence ends" 5
t_eq "... acknowledged, the silence gone" "acknowledged|true" \
    "$(con_q "select status || '|' || (silenced_until is null) from midwatch.alerts where id = 1504")"

# Rejecting a hypothesis says its recommendations are held back.
con_keys a BTab BTab
focus_wait a Hypotheses >/dev/null
con_keys a g
con_keys a X
t_run "X asks, saying what else it does" \
    con_wait a "Reject hypothesis #1300\? \(its recommendations are held back\) \[y/N\]" 5
con_keys a y
t_run "... and says it when recorded" \
    con_wait a "reject hypothesis #1300: recorded; its recommendations are held back" 5
t_run "... they leave the recommendations pane" con_wait a "^─ Recommendations \(0\)" 5
con_keys a Q
t_eq "the console quits cleanly" 0 "$(con_exited a 10)"

# ---- read-only: the hint line offers only what works ------------------------------------
con_start ro 100 24 -- --project say --as rita --readonly
con_wait ro "rita \[read-only\]" 20 >/dev/null
h=$(hint ro)
t_match "a read-only console says so on the hint line" "\(read-only\)" "$h"
t_match "... and offers looking" "Tab pane +Enter open .*/ filter .*o sort .*\? help" "$h"
t_ok "$(echo "$h" | grep -Eq " (e resolve|n note|R run) "; [ $? -ne 0 ]; echo $?)" \
    "... no triage key, no note, no run on the incidents pane"
con_keys ro Tab Tab Tab
focus_wait ro Alerts >/dev/null
h=$(hint ro)
t_ok "$(echo "$h" | grep -Eq " (a ack|x resolve|s silence|Space mark) "; [ $? -ne 0 ]; echo $?)" \
    "... nor on the alerts pane ($h)"
con_keys ro Q
t_eq "the read-only console quits cleanly" 0 "$(con_exited ro 10)"
t_done
