#!/bin/sh
# test_console_counts.sh - the status bar's counts come from the database
# (issue 13), not from the console's snapshot, which holds at most 1,000
# incidents and the newest 500 alerts: with more of both (random statuses,
# written with SQL, some under a run still running and so unpublished) the
# console shows exactly the open-or-triaged incidents and the active alerts
# that independent SQL counts; acknowledging one alert takes one off; rows
# added behind its back show after a reload (r).  The full snapshot follows
# the first frame's rows.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
LC_ALL=C.UTF-8; export LC_ALL
pgtest_start
pgtest_createdb mwcounts
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture cc || { echo "Bail out! fixture failed"; exit 1; }

# More incidents than the snapshot's cap (MODEL_MAX_INCIDENTS, 1000) and
# alerts than its newest-alerts cap (MODEL_MAX_ALERTS, 500), statuses at
# random; the generated incidents are low so the fixture's stay on top.
ni=$((2200 + $(od -An -N2 -tu2 /dev/urandom) % 400))
na=$((2500 + $(od -An -N2 -tu2 /dev/urandom) % 1500))
echo "# $ni incidents and $na alerts generated"
psql -X -q -v ON_ERROR_STOP=1 -v ni="$ni" -v na="$na" <<'SQL' || { echo "Bail out! generating failed"; exit 1; }
SELECT id AS p FROM midwatch.projects WHERE slug = 'cc' \gset
INSERT INTO midwatch.pipeline_runs (id, project_id, status, window_start, window_end,
                                    requested_by, started_at)
VALUES (999, :p, 'running', now() - interval '2 hours', now(), 'test', now());
INSERT INTO midwatch.incidents (id, project_id, run_id, dedupe_key, service_id, status,
                                trigger_type, severity, title, window_start,
                                window_end, confidence)
SELECT 100000 + g, :p, CASE WHEN g % 10 = 0 THEN 999 ELSE 1000 END, 'gen-' || g, 1001,
       (ARRAY['open', 'triaged', 'open', 'resolved', 'suppressed'])[1 + floor(random() * 5)::int],
       'latency_regression', 'low', 'Generated incident ' || g,
       now() - interval '5 hours' - g * interval '1 second',
       now() - interval '4 hours', 0.5
  FROM generate_series(1, :ni) g;
INSERT INTO midwatch.alerts (id, project_id, run_id, service_id, fingerprint, title,
                             severity, status, created_at)
SELECT 100000 + g, :p, CASE WHEN g % 10 = 0 THEN 999 ELSE 1000 END, 1001, 'gen-a' || g,
       'Generated alert ' || g, 'low',
       (ARRAY['active', 'acknowledged', 'resolved', 'silenced'])[1 + floor(random() * 4)::int],
       now() - interval '3 hours' - g * interval '1 second'
  FROM generate_series(1, :na) g;
SQL

# counts SQL, independent of src/model
c_open() {
	con_q "select count(*) from midwatch.incidents i join midwatch.projects p
	        on p.id = i.project_id where p.slug = 'cc' and i.published
	       and i.status in ('open', 'triaged')"
}
c_active() {
	con_q "select count(*) from midwatch.alerts a join midwatch.projects p
	        on p.id = a.project_id where p.slug = 'cc' and a.published
	       and a.status = 'active'"
}
open=$(c_open)
active=$(c_active)
[ "$open" -gt 1000 ]
t_ok $? "more open incidents ($open) than the snapshot holds"
[ "$active" -gt 500 ]
t_ok $? "more active alerts ($active) than the snapshot's newest"
[ "$(con_q "select count(*) from midwatch.alerts where not published")" -gt 0 ] &&
    [ "$(con_q "select count(*) from midwatch.incidents where not published")" -gt 0 ]
t_ok $? "some rows are unpublished (their run is running)"

con_start a 120 40 -- --project cc --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
t_run "the status bar shows the database's counts ($open open, $active alerts)" \
    con_wait a " $open open · $active alerts · " 10
t_nomatch "not the snapshot's capped count" " 1000 open · " "$(con_screen a)"
# the first frame's snapshot holds 40 incidents (the terminal's rows); the
# full one follows it
t_run "the full snapshot (1,000 incidents) follows the first frame's" \
    con_wait a "Incidents \\(1000\\)" 20

# ---- acknowledging one alert takes one off ------------------------------------------
n=0
while [ "$(focused a)" != Alerts ] && [ $n -lt 6 ]; do
	con_keys a Tab
	n=$((n + 1))
	sleep 0.2
done
focus_wait a Alerts >/dev/null
con_keys a /
con_keys a -l "high error"
con_keys a Enter
con_wait a "Alerts \(1\) .*/high error" 5 >/dev/null
con_keys a a
con_wait a "acked +crit +Fixture high error rate" 5 >/dev/null
t_eq "the alert is acknowledged in the database" acknowledged \
    "$(con_q "select status from midwatch.alerts where id = 1500")"
t_eq "the database counts one active alert fewer" "$((active - 1))" "$(c_active)"
t_run "the status bar counts one fewer ($((active - 1)) alerts)" \
    con_wait a " $open open · $((active - 1)) alerts · " 5
con_stable a "#1500: recorded" 5 >/dev/null
t_run "... and still after the next snapshot" \
    con_wait a " $open open · $((active - 1)) alerts · " 5

# ---- rows written behind its back show after r -------------------------------------
k=$((1 + $(od -An -N1 -tu1 /dev/urandom) % 9))
con_q "insert into midwatch.alerts (id, project_id, run_id, service_id, fingerprint, title,
        severity, status)
       select 200000 + g, p.id, 1000, 1001, 'late-' || g, 'Late alert ' || g, 'low', 'active'
         from midwatch.projects p, generate_series(1, $k) g where p.slug = 'cc'" >/dev/null
con_q "update midwatch.incidents set status = 'resolved'
        where id = (select min(id) from midwatch.incidents
                     where dedupe_key like 'gen-%' and status = 'open' and published)" >/dev/null
open2=$(c_open)
active2=$(c_active)
t_eq "the database counts $k more active alerts" "$((active - 1 + k))" "$active2"
con_keys a Escape
con_keys a r
t_run "after r the status bar shows them ($open2 open, $active2 alerts)" \
    con_wait a " $open2 open · $active2 alerts · " 10
t_done
