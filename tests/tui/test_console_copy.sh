#!/bin/sh
# test_console_copy.sh - `y` copies to the terminal's clipboard with OSC 52
# (issue 12), driven for real in tmux with set-clipboard on, where the
# sequence becomes a tmux paste buffer: the selected item's reference in
# the main screen (an incident, an alert), the incident's markdown report
# in its view, sanitised (no escape sequence from the data rides along).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwcopy
con_setup
con_tmux set -g set-clipboard on
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture copy || { echo "Bail out! fixture failed"; exit 1; }
inc=$(con_q "select i.id from midwatch.incidents i join midwatch.projects p on p.id = i.project_id where p.slug = 'copy' and i.title = 'Fixture error spike on checkout-api'")
# a report with a line that tries to retitle the terminal
con_q "insert into midwatch.incident_reports (project_id, incident_id, markdown)
  select project_id, id, E'# Incident $inc\n\nRoot cause: release v2.3 of checkout-api\n\n\033]0;owned\007Last line $inc\n'
    from midwatch.incidents where id = $inc
  on conflict (incident_id) do update set markdown = excluded.markdown" >/dev/null
buffer() { con_tmux show-buffer 2>/dev/null; }

con_start a 100 30 -- --project copy --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
t_eq "no buffer before anything is copied" "" "$(buffer)"
selected_wait a "Fixture error spike" >/dev/null
con_keys a y
t_run "y says what it copied" con_wait a "copied the reference \([0-9]+ bytes\) to the clipboard" 5
t_match "the buffer holds the selected incident's reference" \
    "^incident #$inc \[open, critical\] checkout-api: Fixture error spike on checkout-api \(midwatch report $inc\)$" "$(buffer)"

con_keys a Enter
con_wait a "Timeline|timeline" 10 >/dev/null
con_gone a "loading\.\.\." 10 >/dev/null	# the view's data (and report) came
con_keys a y
t_run "in the incident's view y copies its report" con_wait a "copied the report \([0-9]+ bytes\)" 5
out=$(buffer)
t_match "the report's text" "^Root cause: release v2.3 of checkout-api$" "$out"
t_match "with its last line" "Last line $inc" "$out"
t_eq "and no escape character" 0 "$(printf '%s' "$out" | grep -c "$ESC")"
con_keys a Escape

con_keys a Tab Tab Tab
focus_wait a Alerts >/dev/null
sel=$(selected a)
con_keys a y
con_wait a "copied the reference" 5 >/dev/null
t_match "on an alert: the alert's reference" "^alert #[0-9]+ \[(critical|high|medium|low|info), [a-z]+\] " "$(buffer)"
t_match "... of the selected one" "$(buffer | sed 's/^alert #[0-9]* \[[^]]*\] //' | cut -c1-20)" "$sel"
t_done
