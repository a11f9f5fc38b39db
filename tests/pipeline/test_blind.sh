#!/bin/sh
# test_blind.sh - new error text anchors an incident only where its
# service's metrics cannot judge it (issue 8: short faults, any sampling
# step).  Three hours of steady metrics on edge -> coarse (scraped every
# five minutes) and steady (every minute), then:
#  - at 01:58 a deploy of coarse, and from 02:00:30 to 02:03:40 a burst of
#    a new error (a panic) on coarse: between two of its scrapes, so its
#    metrics never see the fault;
#  - from 02:40:30 to 02:43:40 the same kind of burst on steady, whose
#    metrics (one point a minute) stay normal: error text alone there.
# Checks: the burst on coarse opens an approved incident that starts at
# the burst and ranks coarse's release first; the burst on steady opens
# none (its metrics could judge it, and saw nothing).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb blind
q() { pgtest_psql -c "$1"; }

awk 'BEGIN {
	split("edge coarse steady", S, " ")
	for (i = 1; i <= 3; i++)
		printf "{\"kind\":\"service\",\"service\":\"%s\",\"tier\":\"app\"}\n", S[i]
	print "{\"kind\":\"dependency\",\"from\":\"edge\",\"to\":\"coarse\"}"
	print "{\"kind\":\"dependency\",\"from\":\"edge\",\"to\":\"steady\"}"
	for (m = 0; m < 180; m++) {
		ts = sprintf("2026-11-16T%02d:%02d:00Z", int(m / 60), m % 60)
		# errors seen all along (a new one is new against them)
		if (m % 10 == 0)
			printf "{\"kind\":\"error\",\"ts\":\"%s\",\"service\":\"edge\",\"message\":\"client closed request\",\"severity\":\"info\",\"error_type\":\"ClientAbort\"}\n", ts
		for (i = 1; i <= 3; i++) {
			s = S[i]
			if (s == "coarse" && m % 5 != 0) continue
			n = ((m * 7 + i * 3) % 5 - 2) / 2.0
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, 100 * (1 + 0.02 * n)
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", s, ts, 0.002 * (1 + 0.1 * n)
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.3f}\n", s, ts, 200 * (1 + 0.02 * n)
		}
	}
	print "{\"kind\":\"deploy\",\"id\":\"deploy-coarse-4\",\"service\":\"coarse\",\"started_at\":\"2026-11-16T01:58:00Z\",\"finished_at\":\"2026-11-16T01:59:00Z\"}"
	for (k = 0; k < 95; k++) {
		sec = 30 + 2 * k
		printf "{\"kind\":\"error\",\"ts\":\"2026-11-16T02:%02d:%02dZ\",\"service\":\"coarse\",\"message\":\"panic: runtime error: index out of range [%d]\",\"severity\":\"error\",\"error_type\":\"Panic\"}\n", int(sec / 60), sec % 60, k * 7
		printf "{\"kind\":\"error\",\"ts\":\"2026-11-16T02:%02d:%02dZ\",\"service\":\"steady\",\"message\":\"panic: nil map write in handler %d\",\"severity\":\"error\",\"error_type\":\"Panic\"}\n", 40 + int(sec / 60), sec % 60, k * 7
	}
}' >"$TAP_TMP/world.jsonl"
t_run "the world ingests" "$MIDWATCH" ingest "$TAP_TMP/world.jsonl"
"$MIDWATCH" project set incident.quiet_period 30d >/dev/null 2>&1
t_run "the pipeline runs" "$MIDWATCH" run

APPROVED="midwatch.incidents i join midwatch.incident_decisions d on d.incident_id = i.id and d.decision = 'approved'"
inc=$(q "select i.id from $APPROVED where i.window_start <= '2026-11-16T02:04:00Z' and i.window_end >= '2026-11-16T02:00:00Z'")
t_ok "$([ -n "$inc" ]; echo $?)" "the burst between coarse's scrapes opens an approved incident"
t_eq "... on coarse, from the burst's first error" "coarse|02:00:30" \
    "$(q "select v.name || '|' || to_char(i.window_start at time zone 'UTC', 'HH24:MI:SS') from midwatch.incidents i join midwatch.services v on v.id = i.service_id where i.id = ${inc:-0}")"
t_eq "... and ranks coarse's release first" "release|deploy-coarse-4" \
    "$(q "select hypothesis_type || '|' || ref from midwatch.hypotheses where incident_id = ${inc:-0} and rank = 1")"
t_eq "the burst on steady, whose metrics saw nothing, opens no approved incident" "0" \
    "$(q "select count(*) from $APPROVED where i.window_start <= '2026-11-16T02:44:00Z' and i.window_end >= '2026-11-16T02:40:00Z'")"
t_eq "... though its new error is a signal" "1" \
    "$(q "select count(*) from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name = 'steady' and s.signal_type = 'error_fingerprint_new'")"
t_done
