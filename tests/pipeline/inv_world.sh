# inv_world.sh - the small world of the investigate tests (sourced):
# web -> api -> pay -> payments-db, api -> cache; steady metrics for three
# hours from 2026-11-16T00:00Z; at 02:00 a deploy of pay (at 01:57, a risky
# timeout change) and a moderate rise of errors and latency on pay and its
# caller api that the pipeline's detectors do not open an incident for; a
# decoy deploy of web an hour before; at 02:40 a strong error spike on cache
# that they do.  inv_world FILE writes it as JSON Lines.
inv_world() {
# The world, one minute per point.  n is a deterministic wobble in -1..1.
awk 'BEGIN {
	split("web api pay payments-db cache", S, " ")
	tier["web"] = "edge"; tier["payments-db"] = "database"
	for (i = 1; i <= 5; i++)
		printf "{\"kind\":\"service\",\"service\":\"%s\",\"tier\":\"%s\"}\n",
		    S[i], (S[i] in tier) ? tier[S[i]] : "app"
	print "{\"kind\":\"dependency\",\"from\":\"web\",\"to\":\"api\"}"
	print "{\"kind\":\"dependency\",\"from\":\"api\",\"to\":\"pay\"}"
	print "{\"kind\":\"dependency\",\"from\":\"api\",\"to\":\"cache\"}"
	print "{\"kind\":\"dependency\",\"from\":\"pay\",\"to\":\"payments-db\",\"dep_kind\":\"database\"}"
	rate["web"] = 200; rate["api"] = 180; rate["pay"] = 60; rate["payments-db"] = 90; rate["cache"] = 300
	err["web"] = 0.002; err["api"] = 0.003; err["pay"] = 0.004; err["payments-db"] = 0.001; err["cache"] = 0.002
	lat["web"] = 250; lat["api"] = 200; lat["pay"] = 120; lat["payments-db"] = 15; lat["cache"] = 5
	cpu["web"] = 0.35; cpu["api"] = 0.4; cpu["pay"] = 0.3; cpu["payments-db"] = 0.45; cpu["cache"] = 0.2
	for (m = 0; m < 180; m++) {
		ts = sprintf("2026-11-16T%02d:%02d:00Z", int(m / 60), m % 60)
		for (i = 1; i <= 5; i++) {
			s = S[i]
			n = ((m * 7 + i * 3) % 5 - 2) / 2.0
			r = rate[s] * (1 + 0.03 * n); e = err[s] * (1 + 0.1 * n)
			l = lat[s] * (1 + 0.02 * n); c = cpu[s] * (1 + 0.03 * n)
			if (m >= 120 && m < 150) {	# moderate: below the detectors
				if (s == "pay") { e = 0.012 + 0.0005 * n; l = 158 + 2 * n }
				if (s == "api") { e = 0.009 + 0.0004 * n; l = 262 + 3 * n }
			}
			if (m >= 160 && m < 172 && s == "cache") { e = 0.25 + 0.01 * n; l = 60 }
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, r
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", s, ts, e
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.3f}\n", s, ts, l
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"cpu_utilization\",\"ts\":\"%s\",\"value\":%.4f}\n", s, ts, c
		}
	}
	print "{\"kind\":\"deploy\",\"id\":\"deploy-web-7\",\"service\":\"web\",\"started_at\":\"2026-11-16T01:00:00Z\",\"finished_at\":\"2026-11-16T01:03:00Z\"}"
	print "{\"kind\":\"deploy\",\"id\":\"deploy-pay-42\",\"service\":\"pay\",\"started_at\":\"2026-11-16T01:57:00Z\",\"finished_at\":\"2026-11-16T01:59:00Z\",\"commits\":[\"a1b2c3d\"]}"
	print "{\"kind\":\"commit\",\"sha\":\"a1b2c3d\",\"repo\":\"pay\",\"message\":\"retry the payment provider with a shorter timeout\",\"authored_at\":\"2026-11-16T01:30:00Z\",\"files\":[{\"path\":\"src/client/timeout.go\",\"lines_added\":12,\"lines_removed\":3}]}"
}' >"$1"
}
