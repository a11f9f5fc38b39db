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
# resolving it resolves them, each a system feedback event.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
q() { pgtest_psql -c "$1"; }

# gen SEED PROJECT: a scenario as JSON Lines on stdout and "N ROOT" in
# $TAP_TMP/truth: N services s0 -> s1 -> ... -> s(N-1) (the root), two hours
# of one-minute latency_p99_ms and error_ratio points with noise, and from
# a random minute on the root fails (errors, latency x4) and each caller k
# hops away follows k minutes later, milder.
gen() {
	awk -v seed="$1" -v truth="$TAP_TMP/truth" 'BEGIN {
		srand(seed); n = 3 + int(rand() * 4); onset = 75 + int(rand() * 15)
		base = 40 + int(rand() * 200)
		for (i = 0; i < n; i++) {
			printf "{\"kind\":\"service\",\"name\":\"s%d-%d\"}\n", i, seed
			if (i > 0)
				printf "{\"kind\":\"dependency\",\"from\":\"s%d-%d\",\"to\":\"s%d-%d\"}\n", i - 1, seed, i, seed
		}
		for (m = 0; m < 120; m++)
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
P=g$seed
"$MIDWATCH" project create "$P" >/dev/null 2>&1
gen "$seed" >"$TAP_TMP/s.jsonl"
read -r n root onset <"$TAP_TMP/truth"
"$MIDWATCH" --project "$P" ingest "$TAP_TMP/s.jsonl" >/dev/null 2>&1
t_run "the pipeline runs over the fault" "$MIDWATCH" --project "$P" run
q "select a.id, s.name, a.severity, a.status, a.incident_id, a.group_key, a.group_head_id, a.group_inhibited, a.group_reason, a.title from midwatch.alerts a left join midwatch.services s on s.id = a.service_id order by a.id" | sed 's/^/# /'
q "select m.id, m.alert_id, m.status, m.event, m.channel from midwatch.outbound_messages m order by id" | sed 's/^/# /'
q "select * from midwatch.service_dependencies" | sed "s/^/# /"
q "select id, service_id, status, window_start, window_end, trigger_type from midwatch.incidents" | sed 's/^/# /'
t_done
