#!/bin/sh
# test_bench_small.sh - `make bench` cannot rot: the benchmark at
# BENCH_SCALE=small (random data from a random seed) prints its table and
# writes bench/results.json, and every row is there - ingest and its \copy
# reference, the full and next-minute runs with each stage's time and the
# read-all reference, the console's key latencies (from the console's own
# latency log), first frame, reloads and peak RSS - each with numeric
# min and median, and nothing it had to note as not measured.  Speed is
# never asserted.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
LC_ALL=C.UTF-8
export LC_ALL
pgtest_start
pgtest_createdb mwbenchcheck
out=$TAP_TMP/bench
mkdir -p "$out"
seed=$(( $(od -An -N2 -tu2 /dev/urandom) % 1000 + 1 ))
echo "# BENCH_SCALE=small BENCH_SEED=$seed"
# bench.sh starts a cluster of its own (PG* point it there)
(unset PGHOST PGPORT PGDATABASE
 BENCH_SCALE=small BENCH_SEED=$seed BENCH_DIR=$out TAP_TMP="" \
	sh "$top_srcdir/tests/bench/bench.sh" >"$out/stdout" 2>"$out/stderr")
t_eq "make bench exits 0" 0 "$?"
sed 's/^/# /' "$out/stdout"
grep -q "^midwatch bench, scale small" "$out/table.txt" &&
    grep -q "^midwatch bench, scale small" "$out/stdout"
t_ok $? "the table is printed and kept in bench/table.txt"

# results.json is JSON (PostgreSQL parses it) with every row
json=$(cat "$out/results.json" 2>/dev/null)
q() { # q SQL [PSQL ARGS]: SQL with :'j' the JSON (-c does not interpolate)
	_sql=$1
	shift
	printf '%s;\n' "$_sql" | pgtest_psql -v j="$json" "$@"
}
t_eq "results.json parses" "small" "$(q "SELECT :'j'::jsonb ->> 'scale'")"
keys="ingest.copy_ref ingest.midwatch ingest.rss pipeline.read_all pipeline.full_run
pipeline.full_stage.detect pipeline.full_stage.alert pipeline.next_run
pipeline.next_stage.detect pipeline.rss console.jk_p50 console.jk_p99
console.enter_p50 console.keys_p99 console.keys_max console.first_frame
console.reload console.rss"
for k in $keys; do
	t_eq "row $k: numeric min <= median, runs >= 1" "t" \
	    "$(q "SELECT coalesce(bool_and(jsonb_typeof(r -> 'min') = 'number'
	             AND jsonb_typeof(r -> 'median') = 'number'
	             AND (r ->> 'min')::float8 <= (r ->> 'median')::float8
	             AND (r ->> 'runs')::int >= 1), false)
	        FROM jsonb_array_elements(:'j'::jsonb -> 'rows') r
	       WHERE r ->> 'key' = '$k'")"
done
for k in ingest.midwatch pipeline.full_run pipeline.next_run; do
	t_eq "row $k has its ratio to the reference" number \
	    "$(q "SELECT jsonb_typeof(r -> 'vs') FROM jsonb_array_elements(:'j'::jsonb -> 'rows') r
	       WHERE r ->> 'key' = '$k'")"
done
t_eq "nothing noted as not measured" "0" \
    "$(q "SELECT jsonb_array_length(:'j'::jsonb -> 'notes')")"
grep '^note:' "$out/table.txt" | sed 's/^/# /'
# 2 runs x (15 j, 15 k, 5 x Enter Esc j, 3 r); q ends it unlogged
t_eq "the console logged a latency for each key sent" 96 \
    "$(cat "$out/stdout" | sed -n 's/.*any key -> frame p99 (\([0-9]*\) keys).*/\1/p')"

# every row of the JSON is a line of the table with the same numbers
q "SELECT r ->> 'label', r ->> 'min', r ->> 'median'
     FROM jsonb_array_elements(:'j'::jsonb -> 'rows') r" -F '	' >"$TAP_TMP/rows"
n=0 bad=0
while IFS='	' read -r label min median; do
	n=$((n + 1))
	line=$(awk -v l="$label" 'index($0, l) == 1 { print; exit }' "$out/table.txt")
	rest=${line#"$label"}
	echo "$rest" | awk -v a="$min" -v b="$median" \
	    '$2 + 0 == a + 0 && $3 + 0 == b + 0 { ok = 1 } END { exit !ok }' || {
		bad=$((bad + 1))
		echo "# table line for '$label' is '$line' (json: $min $median)"
	}
done <"$TAP_TMP/rows"
[ "$n" -ge 18 ] && [ "$bad" -eq 0 ]
t_ok $? "each of the $n rows is in the table with its min and median"
t_done
