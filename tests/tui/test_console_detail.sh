#!/bin/sh
# test_console_detail.sh - an incident's view keeps its timeline on the
# incident (issue 12): a note written ten days later does not stretch the
# axis over days (the axis's times stay those of the incident's window,
# its events keep their columns); it is listed after the others with its
# date, off the axis.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwdetail
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture detail || { echo "Bail out! fixture failed"; exit 1; }
inc=$(con_q "select i.id from midwatch.incidents i join midwatch.projects p on p.id = i.project_id where p.slug = 'detail' and i.title = 'Fixture error spike on checkout-api'")
end=$(con_q "select to_char(window_end at time zone 'UTC', 'HH24:MI') from midwatch.incidents where id = $inc")
later=$(con_q "select to_char((window_end + interval '10 days') at time zone 'UTC', 'YYYY-MM-DD') from midwatch.incidents where id = $inc")
con_q "insert into midwatch.feedback_events (project_id, actor_type, actor_id, event_type, target_kind, target_id, incident_id, payload, idempotency_key, created_at)
  select project_id, 'user', 'bob', 'human_note_added', 'incident', id, id, '{\"text\": \"postmortem written\"}', 'late-note', window_end + interval '10 days'
    from midwatch.incidents where id = $inc" >/dev/null

con_start a 100 40 -- --project detail --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
selected_wait a "Fixture error spike" >/dev/null
con_keys a Enter
t_run "the incident's view opens with its timeline" con_wait a "Timeline" 10
t_run "the late note is listed off the axis" con_wait a "off the axis \(1, with their dates\)" 10
screen=$(con_screen a)
t_match "with its date and text" "$later""T[0-9:]+Z +N +note +note by bob on incident $inc: postmortem written" "$screen"
marks=$(printf '%s\n' "$screen" | grep -B1 "├" | head -n 1)
col=$(printf '%s\n' "$marks" | awk '{ print index($0, "A") }')
t_ok "$([ "$col" -gt 50 ]; echo $?)" "the alerts keep their place at the right of the axis (column $col), not squeezed left by the late note"
t_eq "the late note has no mark on the axis" 0 "$(printf '%s\n' "$marks" | grep -c N)"
alerts=$(printf '%s\n' "$screen" | grep -c "^ *[0-9:]\{8\}  A  alert")
t_eq "the incident's own events keep their times" 5 "$alerts"
t_done
