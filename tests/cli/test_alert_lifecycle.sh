#!/bin/sh
# test_alert_lifecycle.sh - alerts close by themselves (issue 10), against a
# real PostgreSQL: a rule's alert resolves once its condition stayed clear
# for the rule's hold-down (data time), not before; a condition that flaps
# inside the hold-down keeps its one alert open; each automatic resolution
# is a system feedback event with the reason; a condition that comes back
# after the cooldown re-activates the alert.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
M() { "$MIDWATCH" --project life "$@"; }
q() { pgtest_psql -c "$1"; }

# minutes M1..M2-1 (from 00:00) of one-minute error_ratio points of SVC;
# the value is 0.2 where BAD(m) holds (an awk expression), else 0.01
points() {
	awk -v s="$1" -v m1="$2" -v m2="$3" "BEGIN {
		for (m = m1; m < m2; m++) {
			v = ($4) ? 0.2 : 0.01
			printf \"{\\\"kind\\\":\\\"metric\\\",\\\"service\\\":\\\"%s\\\",\\\"metric\\\":\\\"error_ratio\\\",\\\"ts\\\":\\\"2026-11-20T%02d:%02d:00Z\\\",\\\"value\\\":%s}\\n\", s, int(m / 60), m % 60, v
		}
	}"
}
feed() { cat >"$TAP_TMP/in.jsonl"; M ingest "$TAP_TMP/in.jsonl" >/dev/null 2>&1 && M run >/dev/null 2>&1; }
# the rule's alerts of one service (each service has its own fingerprint)
A="midwatch.alerts a join midwatch.alert_rules r on r.id = a.rule_id and r.name = 'steady' join midwatch.services s on s.id = a.service_id"
st() { q "select string_agg(a.status, ',' order by a.id) from $A where s.name = '$1'"; }
sysev() { q "select count(*) from midwatch.feedback_events e join $A on a.id = e.target_id and e.target_kind = 'alert' where s.name = '$1' and e.actor_type = 'system' and e.event_type = 'alert_resolved'"; }

"$MIDWATCH" project create life >/dev/null 2>&1
t_run "a threshold rule with a 15 minute hold-down" M rules add steady --metric error_ratio \
    --op '>' --value 0.05 --hold-down 15m --cooldown 5m --severity high

# steady: bad from 00:30 to 00:54, then clear to 00:59 (5 minutes clear)
# pay: bad one minute in every ten
{ points checkout 0 60 'm >= 30 && m < 55'; points pay 0 60 'm % 10 == 3'; } | feed
t_eq "the breach fires one alert" "active" "$(st checkout)"
t_eq "the flapping service one alert" "active" "$(st pay)"

# 10 more clear minutes: 15 in all, < hold-down of the breach's end + 15m? the
# breach last fired 00:54; the window ends 01:09 -> exactly 15 minutes
{ points checkout 60 68 '0'; points pay 60 68 'm % 10 == 3'; } | feed
t_eq "clear for less than the hold-down: still active" "active" "$(st checkout)"
t_eq "... and no system event yet" 0 "$(sysev checkout)"

{ points checkout 68 90 '0'; points pay 68 90 'm % 10 == 3'; } | feed
t_eq "clear for longer than the hold-down: resolved" "resolved" "$(st checkout)"
t_eq "by midwatch, from the pipeline" "midwatch|pipeline" \
    "$(q "select a.resolved_by || '|' || a.status_source from $A where s.name = 'checkout'")"
t_eq "one system feedback event" 1 "$(sysev checkout)"
t_match "whose reason names the hold-down and the rule" \
    "condition clear for 900 s \(hold-down of rule steady\)" \
    "$(q "select e.payload->>'reason' from midwatch.feedback_events e join $A on a.id = e.target_id where e.event_type = 'alert_resolved' and e.actor_type = 'system'")"
t_eq "the flapping condition kept its one alert open" "active" "$(st pay)"
t_eq "... with no system event" 0 "$(sysev pay)"
ev=$(q "select count(*) from midwatch.feedback_events where actor_type = 'system'")
M run >/dev/null 2>&1
t_eq "a run over nothing new resolves nothing more" "$ev" \
    "$(q "select count(*) from midwatch.feedback_events where actor_type = 'system'")"
# (the checkout incident resolved in that run too, and its incident alert
# with it: issue 10's incident lifecycle; so count the run's events)
t_eq "the run summary counts the resolutions" \
    "$(q "select count(*) from midwatch.feedback_events where event_type = 'alert_resolved' and actor_type = 'system' and payload->>'run_id' = (select max(id)::text from midwatch.pipeline_runs where status = 'completed')")" \
    "$(q "select summary->'alert'->>'resolved' from midwatch.pipeline_runs where status = 'completed' order by id desc limit 1")"

# the condition comes back after the cooldown: the same alert, active again
{ points checkout 90 100 'm >= 92'; points pay 90 100 'm % 10 == 3'; } | feed
t_eq "a breach after the cooldown re-activates the alert" "active" "$(st checkout)"
{ points checkout 100 130 '0'; points pay 100 130 'm % 10 == 3'; } | feed
t_eq "and it resolves again after the hold-down" "resolved" "$(st checkout)"
t_eq "two system events in its history" 2 "$(sysev checkout)"

# the operator's view: alerts list shows the resolution
out=$(M alerts --json --all 2>&1)
t_match "alerts --json --all lists it resolved" '"status": "resolved"' "$out"
t_done
