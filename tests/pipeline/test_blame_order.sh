#!/bin/sh
# test_blame_order.sh - errors overrule the clock (issue 8: "who came
# first"): a service whose anomaly came first but whose own errors name
# another affected service does not get the "came first" credit, for its
# releases or as a dependency; its errors say the trouble is there.
# Three hours of steady metrics on edge -> front -> db (a database) and
# edge -> side -> db, then:
#  - a deploy of front 20 minutes before the fault;
#  - from 4-6 minutes before the fault (drawn at random; the seed is
#    printed) front's latency rises 3x and stays up;
#  - at the fault db's latency rises 8x and its CPU to 0.97; front and side
#    fail with a new error naming db ("could not acquire connection to db").
# Checks: the run opens an incident whose first signal is front's; no
# hypothesis credits front with the first anomaly; front's release is still
# a hypothesis, saying its errors blame a dependency.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb blame
q() { pgtest_psql -c "$1"; }

SEED=${BLAME_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# seed $SEED (BLAME_SEED=$SEED reproduces it)"

awk -v seed="$SEED" 'BEGIN {
	srand(seed)
	F = 140; lead = 4 + int(rand() * 3)
	split("edge front side db", S, " ")
	for (i = 1; i <= 4; i++)
		printf "{\"kind\":\"service\",\"service\":\"%s\",\"tier\":\"%s\"}\n", S[i], S[i] == "db" ? "database" : "app"
	print "{\"kind\":\"dependency\",\"from\":\"edge\",\"to\":\"front\"}"
	print "{\"kind\":\"dependency\",\"from\":\"edge\",\"to\":\"side\"}"
	print "{\"kind\":\"dependency\",\"from\":\"front\",\"to\":\"db\",\"dep_kind\":\"database\"}"
	print "{\"kind\":\"dependency\",\"from\":\"side\",\"to\":\"db\",\"dep_kind\":\"database\"}"
	for (i = 1; i <= 4; i++) {
		rate[S[i]] = 100 + rand() * 300; lat[S[i]] = 30 + rand() * 150
		cpu[S[i]] = 0.2 + rand() * 0.2
	}
	for (m = 0; m < 180; m++) {
		ts = sprintf("2026-11-16T%02d:%02d:00Z", int(m / 60), m % 60)
		if (m % 10 == 0)
			printf "{\"kind\":\"error\",\"ts\":\"%s\",\"service\":\"edge\",\"message\":\"client closed request\",\"severity\":\"info\",\"error_type\":\"ClientAbort\"}\n", ts
		for (i = 1; i <= 4; i++) {
			s = S[i]
			r = rate[s] * (1 + 0.03 * (rand() - 0.5))
			e = 0.002 * (1 + 0.2 * (rand() - 0.5))
			l = lat[s] * (1 + 0.03 * (rand() - 0.5))
			c = cpu[s] * (1 + 0.05 * (rand() - 0.5))
			if (s == "front" && m >= F - lead) l = 3 * lat[s] * (1 + 0.03 * (rand() - 0.5))
			if (m >= F && (s == "front" || s == "side")) e = 0.08 + 0.01 * rand()
			if (m >= F && s == "db") { l = 8 * lat[s]; c = 0.97 }
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, r
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", s, ts, e
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.3f}\n", s, ts, l
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"cpu_utilization\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, c
			if (m >= F && (s == "front" || s == "side"))
				for (k = 0; k < 5; k++)
					printf "{\"kind\":\"error\",\"ts\":\"2026-11-16T%02d:%02d:%02dZ\",\"service\":\"%s\",\"message\":\"could not acquire connection to db within 5000ms (waiting %d)\",\"severity\":\"error\",\"error_type\":\"PoolTimeout\"}\n", int(m / 60), m % 60, 10 * k + 5, s, int(rand() * 1000)
		}
	}
	printf "{\"kind\":\"deploy\",\"id\":\"deploy-front-7\",\"service\":\"front\",\"started_at\":\"2026-11-16T%02d:%02d:00Z\",\"finished_at\":\"2026-11-16T%02d:%02d:30Z\"}\n", int((F - 20) / 60), (F - 20) % 60, int((F - 20) / 60), (F - 20) % 60
}' >"$TAP_TMP/world.jsonl"
t_run "the world ingests" "$MIDWATCH" ingest "$TAP_TMP/world.jsonl"
"$MIDWATCH" project set incident.quiet_period 30d >/dev/null 2>&1
t_run "the pipeline runs" "$MIDWATCH" run

APPROVED="midwatch.incidents i join midwatch.incident_decisions d on d.incident_id = i.id and d.decision = 'approved'"
inc=$(q "select min(i.id) from $APPROVED where i.window_end >= '2026-11-16T02:20:00Z'")
t_ok "$([ -n "$inc" ]; echo $?)" "the fault opens an approved incident"
t_eq "front's own errors name db (a new error fingerprint naming it)" "t" \
    "$(q "select count(*) > 0 from midwatch.evidence_artifacts e join midwatch.services v on v.id = e.service_id where e.incident_id = ${inc:-0} and v.name = 'front' and e.kind = 'error_fingerprint' and e.metadata -> 'mentions' ? 'db'")"
t_eq "front's anomaly is the incident's first signal (it rose minutes before the others)" "front" \
    "$(q "select v.name from midwatch.signals s join midwatch.services v on v.id = s.service_id where s.incident_id = ${inc:-0} order by s.onset_at, v.name limit 1")"
t_eq "yet no hypothesis credits front with the first anomaly" "" \
    "$(q "select h.hypothesis_type from midwatch.hypotheses h where h.incident_id = ${inc:-0} and (h.score_details ->> 'explanation' like '%front showed the first anomaly%' or h.score_details ->> 'explanation' like '%front''s anomaly came first%' or h.score_details ->> 'explanation' like '%caller front shows the first anomaly%')")"
t_match "front's release says its own errors blame a dependency" \
    "front's own errors blame one of its dependencies" \
    "$(q "select h.score_details ->> 'explanation' from midwatch.hypotheses h where h.incident_id = ${inc:-0} and h.hypothesis_type = 'release' and h.ref = 'deploy-front-7'")"
t_done
