#!/bin/sh
# test_anchors.sh - noise never anchors an incident (issue 8).  A small
# world: front -> pay -> db, and other unrelated.  Three hours of steady
# one-minute metrics, then:
#  - from 01:40 front's latency flaps (5 minutes up, 5 down, four times);
#  - at 01:55 a risky deploy of pay, at 02:00 pay's errors rise for 25 min
#    (the fault), front's errors follow at 02:02;
#  - a decoy deploy of front at 01:30, before the flapping began;
#  - db's errors (scraped every five minutes) flip at 01:45 and 01:55;
#  - at 02:50 a single extreme latency spike on front, and at 02:58 an
#    unrelated steady fault on other (its own incident).
# Checks: the incident starts at pay's steady onset (02:00), not at the
# flapping (01:40) nor at db's flips (01:45: two isolated far-out points,
# a spike strong enough by quality, watched all the same); the flapping
# signal is cited but does not anchor; pay
# came first and its release ranks first; the spike is a watched signal
# that never becomes its own incident nor joins two incidents into one; a
# five-minute series (db: a latency rise over three scrapes at 02:30) is
# judged at its own step.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb anchors
q() { pgtest_psql -c "$1"; }

awk 'BEGIN {
	split("front pay db other", S, " ")
	for (i = 1; i <= 4; i++)
		printf "{\"kind\":\"service\",\"service\":\"%s\",\"tier\":\"%s\"}\n",
		    S[i], S[i] == "db" ? "database" : "app"
	print "{\"kind\":\"dependency\",\"from\":\"front\",\"to\":\"pay\"}"
	print "{\"kind\":\"dependency\",\"from\":\"pay\",\"to\":\"db\",\"dep_kind\":\"database\"}"
	for (m = 0; m < 200; m++) {
		ts = sprintf("2026-11-16T%02d:%02d:00Z", int(m / 60), m % 60)
		for (i = 1; i <= 4; i++) {
			s = S[i]
			n = ((m * 7 + i * 3) % 5 - 2) / 2.0
			r = 100 * (1 + 0.02 * n); e = 0.002 * (1 + 0.1 * n)
			l = 200 * (1 + 0.02 * n)
			if (s == "front" && m >= 100 && m < 140 && (int((m - 100) / 5) % 2) == 0)
				l = 700 + 5 * n			# flapping
			if (s == "pay" && m >= 120 && m < 145) { e = 0.2 + 0.005 * n; l = 900 }
			if (s == "front" && m >= 122 && m < 145) e = 0.08 + 0.002 * n
			if (s == "front" && m == 170) l = 5000		# one spike
			if (s == "other" && m >= 178 && m < 198) e = 0.3 + 0.005 * n
			if (s == "db" && m >= 150 && m < 165) l = 600	# 3 scrapes
			# the errors of db flip (every few minutes, seen at its
			# five-minute step as two isolated far-out points)
			if (s == "db" && (m == 105 || m == 115)) e = 0.15 + 0.005 * n
			# db is scraped every five minutes
			if (s == "db" && m % 5 != 0) continue
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, r
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", s, ts, e
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.3f}\n", s, ts, l
		}
	}
	print "{\"kind\":\"deploy\",\"id\":\"deploy-front-3\",\"service\":\"front\",\"started_at\":\"2026-11-16T01:30:00Z\",\"finished_at\":\"2026-11-16T01:31:00Z\"}"
	print "{\"kind\":\"deploy\",\"id\":\"deploy-pay-9\",\"service\":\"pay\",\"started_at\":\"2026-11-16T01:55:00Z\",\"finished_at\":\"2026-11-16T01:56:00Z\"}"
}' >"$TAP_TMP/world.jsonl"
t_run "the world ingests" "$MIDWATCH" ingest "$TAP_TMP/world.jsonl"
t_run "the pipeline runs" "$MIDWATCH" run

inc=$(q "select i.id from midwatch.incidents i join midwatch.incident_decisions d on d.incident_id = i.id and d.decision = 'approved' where i.window_start <= '2026-11-16T02:10:00Z' and i.window_end >= '2026-11-16T02:00:00Z'")
t_ok "$([ -n "$inc" ]; echo $?)" "the fault opens an approved incident"
t_eq "it starts at pay's steady onset, not at the flapping" "02:00" \
    "$(q "select to_char(window_start at time zone 'UTC', 'HH24:MI') from midwatch.incidents where id = ${inc:-0}")"
t_eq "the flapping latency of front is cited in it" "t" \
    "$(q "select count(*) > 0 from midwatch.evidence_artifacts where incident_id = ${inc:-0} and (metadata ->> 'flapping')::boolean")" 
t_eq "... but does not anchor (no rank in the order of who came first)" "0" \
    "$(q "select count(*) from midwatch.evidence_artifacts where incident_id = ${inc:-0} and (metadata ->> 'flapping')::boolean and (metadata ->> 'anchor')::boolean")"
t_eq "pay's anomaly is the first one" "pay" \
    "$(q "select min(metadata ->> 'service') from midwatch.evidence_artifacts where incident_id = ${inc:-0} and (metadata ->> 'onset_rank')::int = 1")"
t_eq "the release of pay ranks first" "release|deploy-pay-9" \
    "$(q "select hypothesis_type || '|' || ref from midwatch.hypotheses where incident_id = ${inc:-0} and rank = 1")"
t_eq "the decoy deploy of front, before the flapping, is not rank 1" "0" \
    "$(q "select count(*) from midwatch.hypotheses where incident_id = ${inc:-0} and rank = 1 and ref = 'deploy-front-3'")"

t_eq "the spike is a signal, too weak to anchor (quality below 0.3)" "true|true" \
    "$(q "select (quality_score < 0.3) || '|' || (details ->> 'spike') from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name = 'front' and s.onset_at = '2026-11-16T02:50:00Z'")"
t_eq "... which opens no approved incident of its own" "0" \
    "$(q "select count(*) from midwatch.incidents i join midwatch.incident_decisions d on d.incident_id = i.id and d.decision = 'approved' where i.window_start = '2026-11-16T02:50:00Z'")"
t_eq "the unrelated fault on other has an approved incident of its own" "1" \
    "$(q "select count(*) from midwatch.incidents i join midwatch.incident_decisions d on d.incident_id = i.id and d.decision = 'approved' join midwatch.services v on v.id = i.service_id where v.name = 'other'")"
t_eq "no approved incident holds signals of both pay and other" "0" \
    "$(q "select count(*) from (select s.incident_id from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name in ('pay', 'other') group by 1 having count(distinct v.name) = 2) x")"
t_eq "db's flips before the fault are one spike (two isolated points)" "01:45|true|2" \
    "$(q "select to_char(s.onset_at at time zone 'UTC', 'HH24:MI') || '|' || (s.details ->> 'spike') || '|' || (s.details ->> 'cycles') from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name = 'db' and s.signal_type = 'error_rate_spike'")"
t_eq "... watched, never an anchor (the incident starts at 02:00, above)" "0" \
    "$(q "select count(*) from midwatch.evidence_artifacts e where e.metadata ->> 'service' = 'db' and e.metadata ->> 'signal_type' = 'error_rate_spike' and (e.metadata ->> 'anchor')::boolean")"
t_eq "three five-minute scrapes of db are a signal judged at their step" "02:30|300" \
    "$(q "select to_char(onset_at at time zone 'UTC', 'HH24:MI') || '|' || (details ->> 'step_s')::float8::int from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name = 'db' and signal_type = 'latency_regression'")"
t_done
