#!/bin/sh
# test_alert_investigate.sh - every external alert that no incident covers is
# investigated after a pipeline run (issue 8).  The investigate world
# (inv_world.sh: a moderate fault on pay at 02:00 the detectors do not open
# an incident for) with four alerts:
#  - a critical alert on pay at 02:01: investigated, an incident opened at
#    its moment with the deploy of pay ranked first;
#  - a critical alert on web at 00:30, when nothing is abnormal: investigated,
#    nothing opened (an alert alone is not an incident);
#  - a warning on cache at 01:00: below investigate.alert_severity, left;
#  - a critical alert on api that flaps (fires and resolves six times): left;
# and each alert is investigated once, however often the pipeline runs.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/pipeline/inv_world.sh"
pgtest_start
pgtest_createdb alerts
q() { pgtest_psql -c "$1"; }

alert() {	# ts fingerprint status service severity
	printf '{"kind":"alert","ts":"%s","fingerprint":"%s","status":"%s","labels":{"alertname":"Test%s","service":"%s","severity":"%s"},"source":"alertmanager"}\n' \
	    "$1" "$2" "$3" "$2" "$4" "$5"
}

inv_world "$TAP_TMP/world.jsonl"
{
	alert 2026-11-16T02:01:00Z a-pay firing pay critical
	alert 2026-11-16T02:25:00Z a-pay resolved pay critical
	alert 2026-11-16T00:30:00Z a-web firing web critical
	alert 2026-11-16T00:50:00Z a-web resolved web critical
	alert 2026-11-16T01:00:00Z a-cache firing cache warning
	alert 2026-11-16T01:20:00Z a-cache resolved cache warning
	for m in 10 18 26 34 42 50; do
		alert "2026-11-16T00:$m:00Z" a-api firing api critical
		alert "2026-11-16T00:$((m + 3)):00Z" a-api resolved api critical
	done
} >>"$TAP_TMP/world.jsonl"
t_run "the world and its alerts ingest" "$MIDWATCH" ingest "$TAP_TMP/world.jsonl"

out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "the pipeline runs" "0" "$rc"
t_match "it says what it investigated" "investigate +alerts 2, opened 1" "$out"

runs=$(q "SELECT string_agg(split_part(requested_by, ':', 3) || ' ' || status,
    ',' ORDER BY requested_by) FROM midwatch.pipeline_runs
    WHERE kind = 'investigate'")
t_eq "the critical alerts of pay and web were investigated, as runs of their own" \
    "a-pay completed,a-web completed" "$runs"

inc=$(q "SELECT count(*) || ' ' || min(v.name) || ' ' ||
    to_char(min(i.window_start) AT TIME ZONE 'UTC', 'HH24:MI') || ' ' ||
    bool_and(midwatch.incident_approved(i.project_id, i.id))
    FROM midwatch.incidents i JOIN midwatch.services v ON v.id = i.service_id
    WHERE i.trigger_type = 'investigation'")
t_eq "one incident opened, at the pay alert's moment, approved" \
    "1 pay 02:01 true" "$inc"
top=$(q "SELECT h.hypothesis_type || '/' || v.name || '/' || h.ref
    FROM midwatch.hypotheses h JOIN midwatch.incidents i ON i.id = h.incident_id
    JOIN midwatch.services v ON v.id = h.service_id
    WHERE i.trigger_type = 'investigation' AND h.rank = 1")
t_eq "... ranking the deploy of pay first" "release/pay/deploy-pay-42" "$top"
n=$(q "SELECT count(*) FROM midwatch.incidents
    WHERE trigger_type = 'investigation' AND window_start < '2026-11-16T01:00Z'")
t_eq "nothing opened for the web alert (nothing abnormal then)" "0" "$n"

# A later run over the same window investigates nothing again.
out=$("$MIDWATCH" run --since 2026-11-16T00:00:00Z 2>&1); rc=$?
t_eq "recomputing the window runs" "0" "$rc"
n=$(q "SELECT count(*) FROM midwatch.pipeline_runs WHERE kind = 'investigate'")
t_eq "... and investigates no alert twice" "2" "$n"
n=$(q "SELECT count(*) FROM midwatch.incidents WHERE trigger_type = 'investigation'")
t_eq "... nor opens a second incident" "1" "$n"

t_done
