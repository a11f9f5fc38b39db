#!/bin/sh
# test_investigate_shapes.sh - `midwatch investigate --at TS` (issue 8) on
# the shapes a fault takes besides "a level that stays up": a short but
# extreme CPU fault (a few minutes of a 15-minute window), a slow memory
# leak that reached the limit before the moment, a lone far-out point of a
# series scraped every 5 minutes (a spike: cited, never the main service),
# a neighbour's error ratio flapping on and off (flapping, never an
# anchor), and an external dependency whose only caller is saturated (the
# caller speaks for itself, not the dependency).  Each world is generated
# with random noise, random levels and a random moment (the seed is
# printed); what must hold holds for every draw.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start

SEED=${SHAPES_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# seed $SEED (SHAPES_SEED=$SEED reproduces it)"

# world SHAPE FILE: three hours from 00:00 of a steady world
#   gw (edge) -> batch, gw -> indexer; indexer -> kyc (external),
#   indexer -> report, indexer -> cart
# with one-minute points (report every five minutes), and SHAPE on top:
#   short  batch's CPU rises to 0.93-0.99 for 3-5 minutes from the moment
#   leak   indexer's memory climbs from 0.55 to the limit over 100 minutes
#          before the moment and goes on; cart's error ratio flaps on and
#          off every 3-4 minutes from the moment; report's first point from
#          the moment on is 4-6x its latency
# The moment M (minute of the day) is printed first.
world() {
	awk -v seed="$SEED" -v shape="$1" 'BEGIN {
	srand(seed + (shape == "leak"))
	M = 130 + int(rand() * 20)
	print M > "/dev/stderr"
	split("gw batch indexer report cart", S, " ")
	print "{\"kind\":\"service\",\"service\":\"gw\",\"tier\":\"edge\"}"
	for (i = 2; i <= 5; i++)
		printf "{\"kind\":\"service\",\"service\":\"%s\",\"tier\":\"app\"}\n", S[i]
	for (i = 2; i <= 5; i++)
		printf "{\"kind\":\"dependency\",\"from\":\"%s\",\"to\":\"%s\"}\n", i <= 3 ? "gw" : "indexer", S[i]
	print "{\"kind\":\"dependency\",\"from\":\"indexer\",\"to\":\"kyc\",\"dep_kind\":\"external\"}"
	for (i = 1; i <= 5; i++) {
		rate[S[i]] = 100 + rand() * 400; err[S[i]] = 0.002 + rand() * 0.004
		lat[S[i]] = 40 + rand() * 200; cpu[S[i]] = 0.2 + rand() * 0.2
		mem[S[i]] = 0.4 + rand() * 0.15
	}
	dur = 3 + int(rand() * 3); peak = 0.93 + rand() * 0.06
	flap = 3 + int(rand() * 2); spikex = 4 + rand() * 2
	for (m = 0; m < 180; m++) {
		ts = sprintf("2026-11-16T%02d:%02d:00Z", int(m / 60), m % 60)
		for (i = 1; i <= 5; i++) {
			s = S[i]
			if (s == "report" && m % 5 != 0)
				continue
			r = rate[s] * (1 + 0.04 * (rand() - 0.5))
			e = err[s] * (1 + 0.2 * (rand() - 0.5))
			l = lat[s] * (1 + 0.04 * (rand() - 0.5))
			c = cpu[s] * (1 + 0.06 * (rand() - 0.5))
			u = mem[s] + 0.01 * (rand() - 0.5)
			if (shape == "short" && s == "batch" && m >= M && m < M + dur)
				c = peak - 0.03 * rand() * (m == M || m == M + dur - 1)
			if (shape == "leak" && s == "indexer" && m >= M - 100)
				u = 0.55 + 0.4 * (m - M + 100) / 115 + 0.01 * (rand() - 0.5)
			if (shape == "leak" && s == "cart" && m >= M && int((m - M) / flap) % 2 == 0)
				e = 0.04 + 0.004 * rand()
			if (shape == "leak" && s == "report" && m == M + (5 - M % 5) % 5)
				l = lat[s] * spikex
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, r
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", s, ts, e
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.3f}\n", s, ts, l
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"cpu_utilization\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, c
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"memory_utilization\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, u
		}
	}
}' >"$2"
}
at() { printf '2026-11-16T%02d:%02d:00Z' $(($1 / 60)) $(($1 % 60)); }

# --- a short, extreme CPU fault -------------------------------------------------
pgtest_createdb shapes_short >/dev/null
m=$(world short "$TAP_TMP/short.jsonl" 2>&1 >/dev/null)
t_run "the short-fault world ingests" "$MIDWATCH" ingest "$TAP_TMP/short.jsonl"
"$MIDWATCH" investigate --at "$(at "$m")" --json >"$TAP_TMP/short.json" 2>"$TAP_TMP/short.err"; rc=$?
t_eq "investigate at the short fault exits 0" "0" "$rc"
t_eq "... ranks batch's saturation first (a few minutes of a 15-minute window)" \
    "infra:batch" "$(jq -r '.hypotheses[0] | "\(.type):\(.service)"' "$TAP_TMP/short.json")"
t_eq "... its signal is a saturation of batch, judged on its extreme minutes" \
    "batch:saturation:1" \
    "$(pgtest_psql -c "select v.name || ':' || s.signal_type || ':' || count(*) from midwatch.signals s join midwatch.services v on v.id = s.service_id where s.details ->> 'source' = 'investigate' group by v.name, s.signal_type")"

t_eq "... of full coverage (quality above the watch level)" "t" \
    "$(pgtest_psql -c "select bool_and(quality_score >= 0.5) from midwatch.signals")"

# --- a slow leak, a flapping neighbour, a spike ---------------------------------
pgtest_createdb shapes_leak >/dev/null
m=$(world leak "$TAP_TMP/leak.jsonl" 2>&1 >/dev/null)
t_run "the leak world ingests" "$MIDWATCH" ingest "$TAP_TMP/leak.jsonl"
"$MIDWATCH" investigate --at "$(at "$m")" --json >"$TAP_TMP/leak.json" 2>"$TAP_TMP/leak.err"; rc=$?
t_eq "investigate at the leak exits 0" "0" "$rc"
t_eq "... ranks indexer's saturation first (risen to the limit before the moment)" \
    "infra:indexer" "$(jq -r '.hypotheses[0] | "\(.type):\(.service)"' "$TAP_TMP/leak.json")"
t_eq "... the incident is indexer's, not the spike's or the flapping one's" "indexer" \
    "$(jq -r .service "$TAP_TMP/leak.json")"
t_eq "no hypothesis blames kyc: its caller is only saturated" "" \
    "$(jq -r '.hypotheses[] | select(.type == "dependency") | .ref' "$TAP_TMP/leak.json" | grep -x kyc)"
t_eq "report's lone far-out point is cited as a spike, of low severity" \
    "report:latency_regression:true:low" \
    "$(pgtest_psql -c "select string_agg(v.name || ':' || s.signal_type || ':' || coalesce(s.details ->> 'spike', 'false') || ':' || s.severity, ',') from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name = 'report'")"
t_eq "cart's error ratio, on and off, is cited as flapping, of low severity" \
    "cart:error_rate_spike:true:low" \
    "$(pgtest_psql -c "select string_agg(v.name || ':' || s.signal_type || ':' || (s.details ->> 'flapping') || ':' || s.severity, ',') from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name = 'cart'")"

t_done
