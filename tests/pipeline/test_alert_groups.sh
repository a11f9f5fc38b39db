#!/bin/sh
# test_alert_groups.sh - alerts grouped by incident (issue 10, "Alert
# noise"), against a real PostgreSQL, over generated faults: a random call
# chain of services (the edge calls the next, ... the last is the root), a
# fault at the root whose symptoms (p99 rising, errors) spread to every
# caller.  One page per incident group: only the head - the alert on the
# most upstream service - has a queued trigger, the members' are held
# ('inhibited') with the reason and listed in the head's payload; the
# grouping survives a re-run unchanged; a member more severe than its head
# pages anyway; acknowledging the head acknowledges its held members,
# resolving it resolves them, each a system feedback event; the console's
# Alerts pane folds the group into its head ("[+N]") and `f` unfolds and
# folds it again (midwatch in a private tmux server).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mw
con_setup
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
q() { pgtest_psql -c "$1"; }

# gen SEED [FROM TO]: a scenario as JSON Lines on stdout (minutes FROM to
# TO-1, default 0-119; the services with minute 0) and "N ROOT ONSET" in
# $TAP_TMP/truth: N services s0 -> s1 -> ... -> s(N-1) (the root), two hours
# of one-minute latency_p99_ms and error_ratio points with noise, and from
# a random minute on the root fails (errors, latency x4) and each caller k
# hops away follows k minutes later, milder.
gen() {
	awk -v seed="$1" -v from="${2:-0}" -v to="${3:-120}" -v truth="$TAP_TMP/truth" 'BEGIN {
		srand(seed); n = 3 + int(rand() * 4); onset = 75 + int(rand() * 15)
		base = 40 + int(rand() * 200)
		srand(seed + from)
		for (i = 0; i < n && from == 0; i++) {
			printf "{\"kind\":\"service\",\"name\":\"s%d-%d\"}\n", i, seed
			if (i > 0)
				printf "{\"kind\":\"dependency\",\"from\":\"s%d-%d\",\"to\":\"s%d-%d\"}\n", i - 1, seed, i, seed
		}
		for (m = from; m < to; m++)
			for (i = 0; i < n; i++) {
				hop = n - 1 - i
				bad = m >= onset + hop
				lat = base * (1 + i * 0.3) * (0.97 + rand() * 0.06)
				err = 0.004 + rand() * 0.004
				if (bad) { lat = lat * (4 - hop * 0.4); err = 0.25 - hop * 0.03 }
				ts = sprintf("2026-11-21T%02d:%02d:00Z", int(m / 60), m % 60)
				printf "{\"kind\":\"metric\",\"service\":\"s%d-%d\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.2f}\n", i, seed, ts, lat
				printf "{\"kind\":\"metric\",\"service\":\"s%d-%d\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.4f}\n", i, seed, ts, err
			}
		printf "%d s%d-%d %d\n", n, n - 1, seed, onset >truth
	}'
}

seed=${ALERT_GROUPS_SEED:-$(awk 'BEGIN { srand(); print int(rand() * 100000) }')}
echo "# seed $seed (ALERT_GROUPS_SEED=$seed to repeat)"

# the alerts of project $P, and the trigger notifications of its alerts
A="midwatch.alerts a join midwatch.projects p on p.id = a.project_id and p.slug = '\$P' left join midwatch.services s on s.id = a.service_id"
aq() { q "$(printf '%s' "$1" | sed "s/\\\$A/$(printf '%s' "$A" | sed "s/\\\$P/$P/")/g")"; }
M="midwatch.outbound_messages m join midwatch.alerts a on a.id = m.alert_id join midwatch.projects p on p.id = a.project_id"
mq() { q "$(printf '%s' "$1" | sed "s/\\\$M/$(printf '%s' "$M") and p.slug = '$P'/g")"; }
dump() {
	aq "select a.id, s.name, a.severity, a.status, a.incident_id, a.group_key, a.group_head_id, a.group_inhibited, a.group_reason from \$A order by a.id" | sed 's/^/# /'
}

# ---- one fault down a call chain: one page ------------------------------
P=default	# (stage_driver records feedback in the default project)
gen "$seed" >"$TAP_TMP/s.jsonl"
read -r n root onset <"$TAP_TMP/truth"
echo "# $n services, root $root, onset minute $onset"
"$MIDWATCH" --project "$P" ingest "$TAP_TMP/s.jsonl" >/dev/null 2>&1
t_run "the pipeline runs over the fault" "$MIDWATCH" --project "$P" run
dump
nalerts=$(aq "select count(*) from \$A")
t_ok "$([ "$nalerts" -ge 3 ]; echo $?)" "the fault raised several alerts ($nalerts)"
t_eq "they form one incident group" "1 $nalerts" \
    "$(aq "select count(distinct a.group_key) || ' ' || count(a.group_key) from \$A")"
head=$(aq "select a.group_head_id from \$A limit 1")
t_eq "its head is on the root service (the most upstream)" "$root" \
    "$(aq "select s.name from \$A where a.id = $head")"
t_eq "the head is the most severe alert of the root" "0" \
    "$(aq "select count(*) from \$A where s.name = '$root' and midwatch.severity_rank(a.severity) > (select midwatch.severity_rank(severity) from midwatch.alerts where id = $head)")"
t_eq "every alert points to the head" "$nalerts" \
    "$(aq "select count(*) from \$A where a.group_head_id = $head")"
t_eq "one page for the fault (trigger notifications not held)" "1" \
    "$(mq "select count(*) from \$M where m.event = 'trigger' and m.status <> 'inhibited'")"
t_eq "the page is the head's" "$head" \
    "$(mq "select string_agg(m.alert_id::text, ',') from \$M where m.event = 'trigger' and m.status <> 'inhibited'")"
t_eq "every member's notification is held" "$((nalerts - 1))" \
    "$(mq "select count(*) from \$M where m.status = 'inhibited' and a.id <> $head")"
inc=$(aq "select substr(a.group_key, 10) from \$A where a.id = $head")
t_eq "each member says why" "$((nalerts - 1))" \
    "$(aq "select count(*) from \$A where a.group_inhibited and a.group_reason = 'symptom of incident $inc, grouped under alert $head'")"
t_eq "the head's payload lists every member" "$((nalerts - 1)) $nalerts" \
    "$(mq "select jsonb_array_length(m.payload->'group'->'members') || ' ' || (m.payload->'group'->>'size') from \$M where a.id = $head and m.event = 'trigger'")"
t_eq "... with ids of the members" "$(aq "select string_agg(a.id::text, ',' order by a.id) from \$A where a.id <> $head")" \
    "$(mq "select string_agg(x->>'alert_id', ',' order by (x->>'alert_id')::bigint) from \$M, jsonb_array_elements(m.payload->'group'->'members') x where a.id = $head and m.event = 'trigger'")"
groups() { aq "select string_agg(a.id || ':' || coalesce(a.group_head_id::text, '-') || ':' || a.group_inhibited || ':' || coalesce(a.group_reason, '-'), ';' order by a.id) from \$A"; }
g1=$(groups)
# three more minutes of the same fault: a new run
more() {
	gen "$seed" "$1" "$2" >"$TAP_TMP/more.jsonl"
	"$MIDWATCH" --project "$P" ingest "$TAP_TMP/more.jsonl" >/dev/null 2>&1
	"$MIDWATCH" --project "$P" run >/dev/null 2>&1
}
more 120 123
t_eq "a later run over the same fault changes no group" "$g1" "$(groups)"
t_eq "... and its summary says so" "0" \
    "$(q "select r.summary->'alert'->'groups'->>'changed' from midwatch.pipeline_runs r join midwatch.projects p on p.id = r.project_id and p.slug = '$P' where r.status = 'completed' order by r.id desc limit 1")"
out=$("$MIDWATCH" --project "$P" alerts --json)
t_match "alerts --json names the head of each alert" "\"group_head_id\": $head" "$out"
t_match "... and the head's members" "\"group_members\": $((nalerts - 1))" "$out"

# the incident ends while its symptoms still fire: they page on their own
# (the operator resolves it; then the alert stage alone, as the gate would
# reopen an incident whose signals still fire)
DRIVER=$top_builddir/tests/model/stage_driver
t_match "the operator resolves the incident" "recorded" \
    "$("$DRIVER" feedback incident_resolved "$inc" bob '{"resolution": "mitigated"}' 2>&1)"
t_match "the alert stage runs" "^run " \
    "$("$DRIVER" --project "$P" --since 2026-11-21T02:03:00Z --at 2026-11-21T02:04:00Z alert 2>&1)"
dump
still=$(aq "select count(*) from \$A where a.incident_id = $inc and a.status <> 'resolved' and a.id <> $head")
t_ok "$([ "$still" -ge 1 ]; echo $?)" "members still fire after the incident ended ($still)"
t_eq "each that outlived its incident pages" "$still" \
    "$(mq "select count(distinct a.id) from \$M where a.incident_id = $inc and a.status <> 'resolved' and m.event = 'trigger' and m.status <> 'inhibited' and a.id <> $head")"
t_eq "... saying so" "$still" \
    "$(aq "select count(*) from \$A where a.incident_id = $inc and a.status <> 'resolved' and a.id <> $head and a.group_reason = 'outlived incident $inc: pages on its own' and not a.group_inhibited")"

# ---- a member more severe than its head pages; ack and resolve the head --
seed2=$((seed + 1))
P=h$seed2
"$MIDWATCH" project create "$P" >/dev/null 2>&1
"$MIDWATCH" --project "$P" rules disable 'critical incident opened' >/dev/null 2>&1
"$MIDWATCH" --project "$P" rules disable 'incident opened' >/dev/null 2>&1
t_run "a critical rule on health checks" "$MIDWATCH" --project "$P" rules add edge-down \
    --source health --op == --value down --for 2m --severity critical --channel log
gen "$seed2" >"$TAP_TMP/s2.jsonl"
read -r n root onset <"$TAP_TMP/truth"
# the edge's health checks: down from the fault's onset on
awk -v seed="$seed2" -v onset="$onset" -v n="$n" 'BEGIN {
	for (m = 0; m < 120; m++)
		printf "{\"kind\":\"health\",\"service\":\"s0-%d\",\"ts\":\"2026-11-21T%02d:%02d:00Z\",\"status\":\"%s\"}\n", seed, int(m / 60), m % 60, (m >= onset + n) ? "down" : "healthy"
}' >>"$TAP_TMP/s2.jsonl"
"$MIDWATCH" --project "$P" ingest "$TAP_TMP/s2.jsonl" >/dev/null 2>&1
t_run "the pipeline runs over the second fault" "$MIDWATCH" --project "$P" run
dump
head=$(aq "select a.group_head_id from \$A where a.group_head_id = a.id limit 1")
crit=$(aq "select a.id from \$A where a.severity = 'critical' and a.title like '%health%'")
t_ok "$([ -n "$head" ] && [ -n "$crit" ] && [ "$head" != "$crit" ]; echo $?)" "the edge's critical alert ($crit) is a member, not the head ($head)"
t_eq "it pages: more severe than the head" "false|1" \
    "$(mq "select bool_or(a.group_inhibited) || '|' || count(*) from \$M where a.id = $crit and m.event = 'trigger' and m.status <> 'inhibited'")"
t_match "... and says so" "more severe \(critical\) than its group head, alert $head" \
    "$(aq "select a.group_reason from \$A where a.id = $crit")"
t_eq "two pages for this fault: the head and the more severe member" "2" \
    "$(mq "select count(*) from \$M where m.event = 'trigger' and m.status <> 'inhibited'")"
# the console: the group folded into its head, f unfolds and folds it
members=$(aq "select count(*) from \$A where a.group_head_id = $head and a.id <> $head")
con_start c 100 40 -- --project "$P" --as alice
con_wait c "Incidents" >/dev/null
con_keys c A Tab Tab Tab
t_run "the Alerts pane shows the group as its head with its members' count" \
    con_wait c "\\[\\+$members\\] "
t_eq "... and none of its members" "0" "$(con_screen c | grep -E -c '(└|[`]-) ')"
con_keys c g f
t_run "f unfolds it: the members under the head" con_wait c "\\[-$members\\] "
shown=$(con_screen c | grep -E -c '(└|[`]-) ')
t_ok "$([ "$shown" -ge 1 ]; echo $?)" "... indented ($shown shown)"
con_keys c f
t_run "f again folds it" con_wait c "\\[\\+$members\\] "
t_eq "... the members gone" "0" "$(con_screen c | grep -E -c '(└|[`]-) ')"
con_keys c Q

# (members resolved in the run that raised them are held too: not acked)
all=$(aq "select count(*) from \$A where a.group_head_id = $head and a.group_inhibited")
held=$(aq "select count(*) from \$A where a.group_head_id = $head and a.group_inhibited and a.status = 'active'")
t_ok "$([ "$held" -ge 1 ]; echo $?)" "the head holds active members ($held of $all)"
t_run "acknowledging the head" "$MIDWATCH" --project "$P" --as alice ack "$head"
t_eq "acknowledges every member it holds" "$held" \
    "$(aq "select count(*) from \$A where a.group_head_id = $head and a.group_inhibited and a.status = 'acknowledged' and a.acknowledged_by = 'alice'")"
t_eq "each a system event naming the head" "$held" \
    "$(q "select count(*) from midwatch.feedback_events where actor_type = 'system' and event_type = 'alert_acknowledged' and (payload->>'group_head_id')::bigint = $head")"
t_eq "the member that pages on its own is left to the operator" "active" \
    "$(aq "select a.status from \$A where a.id = $crit")"
t_run "resolving the head" "$MIDWATCH" --project "$P" --as alice resolve "$head"
t_eq "resolves every member it holds" "$all" \
    "$(aq "select count(*) from \$A where a.group_head_id = $head and a.group_inhibited and a.status = 'resolved'")"
t_eq "each a system event" "$held" \
    "$(q "select count(*) from midwatch.feedback_events where actor_type = 'system' and event_type = 'alert_resolved' and (payload->>'group_head_id')::bigint = $head")"
t_done
