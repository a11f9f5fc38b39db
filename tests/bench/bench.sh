#!/bin/sh
# tests/bench/bench.sh - `make bench`: speed and memory of ingest and the
# pipeline, measured against a reference in the same run (psql \copy of the
# same points into a plain table), printed as a table.  Not a test: it never
# fails on numbers.
#   BENCH_POINTS   metric lines to ingest (default 1000000)
#   BENCH_SERVICES services they are spread over (default 200)
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start >/dev/null
pgtest_createdb bench
N=${BENCH_POINTS:-1000000}
W=$TAP_TMP
services=${BENCH_SERVICES:-200}
per=$((N / services))

# The same points as JSON Lines (for midwatch) and CSV (for \copy).
awk -v n="$per" -v s="$services" 'BEGIN {
	t0 = 1794787200   # 2026-11-16T00:00:00Z
	for (i = 0; i < s; i++)
		for (j = 0; j < n; j++) {
			t = t0 + j * 60
			v = 100 + (i * 7 + j * 13) % 50
			ts = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
			printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"svc-%03d\",\"metric\":\"request_rate\",\"value\":%d}\n", ts, i, v > "/dev/stdout"
			printf "%s,svc-%03d,request_rate,%d\n", ts, i, v > "/dev/stderr"
		}
}' >"$W/points.jsonl" 2>"$W/points.csv"
lines=$(wc -l <"$W/points.jsonl")

now() { date +%s.%N; }
rss() { # peak RSS in MiB of a command, or n/a
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$W/rss" "$@" >"$W/out" 2>&1
		rc=$?; echo "$(($(cat "$W/rss") / 1024))" >"$W/rss.mb"; return $rc
	fi
	"$@" >"$W/out" 2>&1; rc=$?; echo "n/a" >"$W/rss.mb"; return $rc
}

"$MIDWATCH" migrate >/dev/null 2>&1
psql -X -q -c "create table ref_points (ts timestamptz, service text, metric text, value double precision)" >/dev/null

t=$(now); psql -X -q -c "\\copy ref_points from '$W/points.csv' csv" >/dev/null; ref=$(echo "$(now) - $t" | bc)

t=$(now); rss "$MIDWATCH" ingest "$W/points.jsonl"; rc1=$?; ing=$(echo "$(now) - $t" | bc); ing_rss=$(cat "$W/rss.mb")
t=$(now); rss "$MIDWATCH" ingest "$W/points.jsonl"; rc2=$?; re=$(echo "$(now) - $t" | bc); re_rss=$(cat "$W/rss.mb")

# The pipeline over those points (one series per service).
t=$(now); rss "$MIDWATCH" run; rc5=$?; brun=$(echo "$(now) - $t" | bc); brss=$(cat "$W/rss.mb")

# The pipeline over the demo scenario.
pgtest_createdb bench_demo >/dev/null
"$MIDWATCH" demo --emit "$W/demo.jsonl" --truth "$W/truth.json" --seed 1 >/dev/null 2>&1
dl=$(wc -l <"$W/demo.jsonl")
t=$(now); rss "$MIDWATCH" ingest "$W/demo.jsonl"; rc3=$?; dingest=$(echo "$(now) - $t" | bc); drss=$(cat "$W/rss.mb")
t=$(now); rss "$MIDWATCH" run; rc4=$?; drun=$(echo "$(now) - $t" | bc); rrss=$(cat "$W/rss.mb")

rate() { echo "scale=0; $1 / $2" | bc 2>/dev/null || echo "-"; }
printf '\n%-34s %10s %9s %11s %8s %8s\n' "benchmark" "rows" "seconds" "rows/s" "vs ref" "RSS MiB"
printf '%-34s %10s %9s %11s %8s %8s\n' "----------------------------------" "----------" "---------" "-----------" "--------" "--------"
printf '%-34s %10d %9.2f %11s %8s %8s\n' "psql \\copy (reference)" "$lines" "$ref" "$(rate "$lines" "$ref")" "1.00" "-"
printf '%-34s %10d %9.2f %11s %8.2f %8s\n' "midwatch ingest metrics (rc=$rc1)" "$lines" "$ing" "$(rate "$lines" "$ing")" "$(echo "scale=2; $ing / $ref" | bc)" "$ing_rss"
printf '%-34s %10d %9.2f %11s %8.2f %8s\n' "midwatch ingest again, no-op (rc=$rc2)" "$lines" "$re" "$(rate "$lines" "$re")" "$(echo "scale=2; $re / $ref" | bc)" "$re_rss"
printf '%-34s %10d %9.2f %11s %8s %8s\n' "pipeline run over them (rc=$rc5)" "$lines" "$brun" "$(rate "$lines" "$brun")" "-" "$brss"
printf '%-34s %10d %9.2f %11s %8s %8s\n' "demo scenario ingest (rc=$rc3)" "$dl" "$dingest" "$(rate "$dl" "$dingest")" "-" "$drss"
printf '%-34s %10d %9.2f %11s %8s %8s\n' "pipeline run over the demo (rc=$rc4)" "$dl" "$drun" "$(rate "$dl" "$drun")" "-" "$rrss"
echo
echo "vs ref: time relative to psql \\copy of the same points in the same run."
