#!/bin/sh
# tests/bench/bench.sh - `make bench`: ingest, the pipeline and the console
# measured on a private PostgreSQL cluster (tests/lib/pgtest.sh), each
# against a reference taken in the same run where there is one, printed as
# one table and written to bench/results.json (under the current directory,
# the build directory for `make bench`).  Not a test: it never fails on
# numbers, only when it cannot measure (tests/bench/test_bench_small.sh
# checks it produces every row).  doc/performance.md explains the rows.
#   BENCH_SCALE  full (default): 1M ingest lines; 1,000 services x 4 metrics
#                x 24 h (5.76M points); 10,000 incidents and 100,000 alerts.
#                small: a minute or less, for CI.
#   BENCH_RUNS   runs of each measurement (default 3 full, 2 small)
#   BENCH_PARTS  which parts, of "ingest pipeline console" (default all)
#   BENCH_DIR    where results.json goes (default ./bench)
#   BENCH_SEED   the random data's seed (default 1)
#   BENCH_PIPE_SERVICES  the pipeline part's services (default 1000 full,
#                4 small): a quicker look at its per-stage times
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
. "$top_srcdir/tests/bench/bench_lib.sh"
. "$top_srcdir/tests/bench/bench_ingest.sh"
. "$top_srcdir/tests/bench/bench_pipeline.sh"
. "$top_srcdir/tests/bench/bench_console.sh"

BENCH_SCALE=${BENCH_SCALE:-full}
case $BENCH_SCALE in
full)
	INGEST_SERVICES=250 INGEST_MINUTES=1000
	PIPE_SERVICES=1000 PIPE_MINUTES=1440
	CON_INCIDENTS=10000 CON_ALERTS=100000 CON_MOVES=60
	runs=3
	;;
small)
	INGEST_SERVICES=10 INGEST_MINUTES=250
	PIPE_SERVICES=4 PIPE_MINUTES=1440
	CON_INCIDENTS=400 CON_ALERTS=4000 CON_MOVES=15
	runs=2
	;;
*)
	echo "bench: BENCH_SCALE must be full or small, not $BENCH_SCALE" >&2
	exit 2
	;;
esac
BENCH_RUNS=${BENCH_RUNS:-$runs}
PIPE_SERVICES=${BENCH_PIPE_SERVICES:-$PIPE_SERVICES}
BENCH_PARTS=${BENCH_PARTS:-ingest pipeline console}
BENCH_DIR=${BENCH_DIR:-$PWD/bench}
BENCH_SEED=${BENCH_SEED:-1}
INGEST_T0=1794787200	# 2026-11-16T00:00:00Z
LC_ALL=C
export LC_ALL

pgtest_start
W=$TAP_TMP
BENCH_ROWS=$W/rows.tsv
BENCH_NOTES=$W/notes
: >"$BENCH_ROWS"
: >"$BENCH_NOTES"
mkdir -p "$BENCH_DIR" || exit 1
started=$(bench_now)

for part in $BENCH_PARTS; do
	case $part in
	ingest|pipeline|console)
		"bench_$part" || bench_note "$part: could not be measured (see above)"
		;;
	*)
		echo "bench: unknown part $part (ingest, pipeline, console)" >&2
		exit 2
		;;
	esac
done

# ---- the table ---------------------------------------------------------------
{
	echo
	echo "midwatch bench, scale $BENCH_SCALE, $BENCH_RUNS runs each, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc 2>/dev/null || echo ?) CPUs"
	printf '%-58s %4s %10s %10s %-4s %6s  %s\n' measurement runs min median unit vs goal
	awk -F '\t' '{ printf "%-58s %4s %10s %10s %-4s %6s  %s\n", $2, $4, $5, $6, $3, $7, $8 }' \
	    "$BENCH_ROWS"
	echo
	echo "vs: the median relative to the reference row above it (ingest: throughput,"
	echo "pipeline: time); goals are the issue's, reported, never asserted."
	sed 's/^/note: /' "$BENCH_NOTES"
	echo "$(bench_since "$started" | awk '{ printf "%.0f", $1 }') s in all"
} | tee "$BENCH_DIR/table.txt"

# ---- results.json --------------------------------------------------------------
awk -F '\t' -v scale="$BENCH_SCALE" -v runs="$BENCH_RUNS" -v notes="$BENCH_NOTES" '
	function q(s) { gsub(/\\/, "\\\\\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	function num(s) { return s ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ ? s : "null" }
	BEGIN { printf "{\n  \"scale\": %s,\n  \"runs\": %d,\n  \"rows\": [", q(scale), runs }
	{
		printf "%s\n    {\"key\": %s, \"label\": %s, \"unit\": %s, \"runs\": %s, \"min\": %s, \"median\": %s, \"vs\": %s, \"goal\": %s}",
		    (NR > 1 ? "," : ""), q($1), q($2), q($3), num($4), num($5), num($6),
		    num($7), ($8 == "-" ? "null" : q($8))
	}
	END {
		printf "\n  ],\n  \"notes\": ["
		n = 0
		while ((getline l < notes) > 0)
			printf "%s\n    %s", (n++ ? "," : ""), q(l)
		printf "\n  ]\n}\n"
	}' "$BENCH_ROWS" >"$BENCH_DIR/results.json"
echo "results: $BENCH_DIR/results.json"
