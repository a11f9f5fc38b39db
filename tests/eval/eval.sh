#!/bin/sh
# tests/eval/eval.sh - `make eval`: how well the pipeline detects and
# diagnoses faults in scenarios it was never tuned on.  For each seed,
# tests/eval/scengen writes a random scenario (topology, telemetry, changes,
# errors, injected faults and confounders) and its ground truth; the
# scenario is ingested into a database of its own in a throwaway cluster,
# `midwatch run` runs once over it, and `midwatch incidents --json --all` is
# scored against the truth by tests/eval/score.sql.  Prints the overall and
# per-fault-kind table (tests/eval/report.sql) and writes per-scenario and
# per-fault tables to $EVAL_OUT.  A measurement, not a test: it never fails
# on numbers, only when it cannot measure.  Every seed is treated alike.
# Alert noise: the alerts the run raised and the pages (trigger
# notifications not held as a group's symptoms) are counted per scenario.
#
# Then, for every fault, `midwatch investigate --at <its true onset> --json`
# (issue 8), scored the same way by tests/eval/score_investigate.sql: once
# in the scenario's database after the pipeline's incidents were read and
# scored ("after": a moment an incident covers returns that incident), and
# once alone in a copy of the database made right after ingest, where the
# pipeline never ran ("alone": what investigate finds when the detectors
# saw nothing).
#
#   EVAL_SEEDS   number of scenarios (default 100), seeds EVAL_FIRST..
#   EVAL_FIRST   first seed (default 1)
#   EVAL_JOBS    scenarios processed at once (default 2)
#   EVAL_OUT     where the tables go (default $top_builddir/eval-results)
#   EVAL_KEEP    1: keep each scenario's files (JSONL, truth, outputs)
#   EVAL_SOURCE  a label for what is measured (default: the git commit)
#   EVAL_INVESTIGATE  0: skip the investigations (default 1)
#   MIDWATCH, MIDWATCH_SQL_DIR, SCENGEN: the programs (make eval sets them;
#                point MIDWATCH elsewhere to measure another build)
set -u
. "$top_srcdir/tests/lib/pgtest.sh"

SEEDS=${EVAL_SEEDS:-100}
FIRST=${EVAL_FIRST:-1}
JOBS=${EVAL_JOBS:-2}
OUT=${EVAL_OUT:-$top_builddir/eval-results}
KEEP=${EVAL_KEEP:-0}
INVESTIGATE=${EVAL_INVESTIGATE:-1}
TAB=$(printf '\t')
SCENGEN=${SCENGEN:-$top_builddir/tests/eval/scengen}
MIDWATCH=${MIDWATCH:-$top_builddir/midwatch}
export MIDWATCH_SQL_DIR=${MIDWATCH_SQL_DIR:-$top_srcdir/sql}

for x in "$SCENGEN" "$MIDWATCH"; do
	[ -x "$x" ] || { echo "eval: $x is not built (run make eval)" >&2; exit 1; }
done
case $SEEDS$FIRST$JOBS in *[!0-9]*) echo "eval: EVAL_SEEDS, EVAL_FIRST, EVAL_JOBS must be numbers" >&2; exit 2 ;; esac
[ "$JOBS" -ge 1 ] || JOBS=1
mkdir -p "$OUT" || exit 1
rm -rf "$OUT/work"
mkdir -p "$OUT/work" "$OUT/scenarios" || exit 1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

pgtest_start >/dev/null

# Investigates every fault of scenario $seed (files in $w) at its true
# onset in database $1 and scores the answers: $OUT/work/inv-MODE-SEED.tsv.
eval_investigate() {
	_db=$1 _mode=$2
	PGDATABASE=$_db psql -X -q -At -F "$TAB" -v truthfile="$w/truth.json" \
	    >"$w/onsets.tsv" 2>"$w/onsets.err" <<'EOF'
\set truth `cat :'truthfile'`
SELECT x->>'id', x->>'onset' FROM jsonb_array_elements((:'truth')::jsonb->'faults') x
ORDER BY (x->>'onset')::timestamptz;
EOF
	{
		printf '['
		_sep=
		while IFS="$TAB" read -r _fid _onset; do
			[ -n "$_fid" ] || continue
			_t0=$(now)
			PGDATABASE=$_db "$MIDWATCH" investigate --at "$_onset" --json \
			    </dev/null >"$w/inv1.json" 2>"$w/inv1.err"
			_rc=$?
			_reused=false
			grep -q "already covers" "$w/inv1.err" && _reused=true
			printf '%s{"fault": "%s", "rc": %d, "reused": %s, "seconds": %s, "incident": ' \
			    "$_sep" "$_fid" "$_rc" "$_reused" "$(secs "$_t0" "$(now)")"
			# exit 1 with an incident printed is a degraded answer: scored
			if [ "$(head -c 1 "$w/inv1.json" 2>/dev/null)" = "{" ]; then
				cat "$w/inv1.json"
			else
				printf 'null'
			fi
			printf '}\n'
			_sep=,
			cat "$w/inv1.err" >>"$w/inv-$_mode.err"
		done <"$w/onsets.tsv"
		printf ']\n'
	} >"$w/inv-$_mode.json"
	PGDATABASE=$_db psql -X -q -v ON_ERROR_STOP=1 -v seed="$seed" \
	    -v mode="$_mode" -v truthfile="$w/truth.json" \
	    -v invfile="$w/inv-$_mode.json" \
	    -v out="$OUT/work/inv-$_mode-$seed.tsv" \
	    -f "$top_srcdir/tests/eval/score_investigate.sql" >"$w/score-inv.out" 2>&1 || {
		echo "eval: seed $seed: scoring the investigations ($_mode) failed" >&2
		sed 's/^/  /' "$w/score-inv.out" >&2; }
}

# One scenario: generate, ingest, run, read, score.  Writes
# $OUT/work/scen-SEED.tsv (one line), faults-SEED.tsv, falses-SEED.tsv (and
# inv-after-SEED.tsv, inv-alone-SEED.tsv).
eval_one() {
	seed=$1
	w=$TAP_TMP/s$seed
	mkdir -p "$w"
	db=eval_s$seed
	t0=$(now)
	"$SCENGEN" --seed "$seed" --out "$w/s.jsonl" --truth "$w/truth.json" \
	    >"$w/gen.out" 2>&1
	gen_rc=$?
	t1=$(now)
	"$PGTEST_BIN/createdb" "$db" >"$w/createdb.out" 2>&1 || {
		echo "eval: seed $seed: createdb failed" >&2; cat "$w/createdb.out" >&2; }
	PGDATABASE=$db "$MIDWATCH" ingest "$w/s.jsonl" >"$w/ingest.out" 2>&1
	ingest_rc=$?
	# the database as ingested, for the investigations alone (no pipeline)
	if [ "$INVESTIGATE" = 1 ] && ! "$PGTEST_BIN/createdb" -T "$db" "${db}_alone" \
	    >"$w/createdb-alone.out" 2>&1; then
		echo "eval: seed $seed: cannot copy the database" >&2
		cat "$w/createdb-alone.out" >&2
	fi
	t2=$(now)
	PGDATABASE=$db "$MIDWATCH" run >"$w/run.out" 2>&1
	run_rc=$?
	t3=$(now)
	PGDATABASE=$db "$MIDWATCH" status --json >"$w/status.out" 2>&1
	status_rc=$?
	# alert noise (issue 10): the alerts the run raised and its pages -
	# trigger notifications queued or sent, not those held as a group's
	# symptoms (doc/pipeline-output.md, "Alert groups"); and every trigger
	# queued, held or not: the pages without grouping (before it)
	noise=$(PGDATABASE=$db psql -X -q -At -F "$TAB" -c "SELECT
	    (SELECT count(*) FROM midwatch.alerts),
	    (SELECT count(*) FROM midwatch.outbound_messages
	      WHERE event = 'trigger' AND status <> 'inhibited'),
	    (SELECT count(*) FROM midwatch.outbound_messages
	      WHERE event = 'trigger')" 2>"$w/noise.err")
	nalerts=$(printf '%s' "$noise" | cut -f 1)
	npages=$(printf '%s' "$noise" | cut -f 2)
	nungrouped=$(printf '%s' "$noise" | cut -f 3)
	PGDATABASE=$db "$MIDWATCH" incidents --json --all >"$w/inc.json" 2>"$w/inc.err"
	inc_rc=$?
	# a missing or broken answer scores as "nothing found", and is counted
	if [ $inc_rc -ne 0 ] || ! [ -s "$w/inc.json" ]; then echo '[]' >"$w/inc.json"; fi
	[ -s "$w/truth.json" ] || echo '{"faults":[],"changes":[],"confounders":[]}' >"$w/truth.json"
	lines=$(wc -l <"$w/s.jsonl" 2>/dev/null)
	rejected=$(sed -n 's/^read .* \([0-9][0-9]*\) rejected.*/\1/p' "$w/ingest.out" | head -n 1)
	skipped=$(sed -n 's/.*"skipped_units": *\([0-9][0-9]*\).*/\1/p' "$w/status.out" | head -n 1)
	score_rc=0
	PGDATABASE=$db psql -X -q -v ON_ERROR_STOP=1 -v seed="$seed" \
	    -v truthfile="$w/truth.json" -v incfile="$w/inc.json" \
	    -v faultsout="$OUT/work/faults-$seed.tsv" \
	    -v falsesout="$OUT/work/falses-$seed.tsv" \
	    -f "$top_srcdir/tests/eval/score.sql" >"$w/score.out" 2>&1 || score_rc=$?
	if [ $score_rc -ne 0 ]; then
		echo "eval: seed $seed: scoring failed" >&2; sed 's/^/  /' "$w/score.out" >&2
	fi
	t4=$(now)
	if [ "$INVESTIGATE" = 1 ]; then
		eval_investigate "$db" after
		eval_investigate "${db}_alone" alone
		"$PGTEST_BIN/dropdb" "${db}_alone" >/dev/null 2>&1
	fi
	nf=$(grep -c . "$OUT/work/faults-$seed.tsv" 2>/dev/null)
	nfalse=$(grep -c . "$OUT/work/falses-$seed.tsv" 2>/dev/null)
	svcs=$(sed -n 's/.*"services":\([0-9]*\).*/\1/p' "$w/truth.json" | head -n 1)
	mins=$(sed -n 's/.*"minutes":\([0-9]*\).*/\1/p' "$w/truth.json" | head -n 1)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
	    "$seed" "${svcs:-0}" "${mins:-0}" "${lines:-0}" "${nf:-0}" "${nfalse:-0}" "$gen_rc" \
	    "$ingest_rc" "${rejected:-0}" "$run_rc" "$status_rc" "$inc_rc" \
	    "$score_rc" "${skipped:-0}" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" \
	    "$(secs "$t2" "$t3")" "$(secs "$t0" "$t4")" "${nalerts:--1}" \
	    "${npages:--1}" "${nungrouped:--1}" >"$OUT/work/scen-$seed.tsv"
	det=$(awk -F'\t' '{ d += $8; t += $9 } END { printf "%d detected, %d top-1", d, t }' \
	    "$OUT/work/faults-$seed.tsv" 2>/dev/null)
	inv=""
	[ "$INVESTIGATE" = 1 ] && inv=$(cat "$OUT/work/inv-after-$seed.tsv" \
	    "$OUT/work/inv-alone-$seed.tsv" 2>/dev/null | awk -F'\t' \
	    '{ t[$2] += $10 } END { printf "; investigate top-1 %d after, %d alone", t["after"], t["alone"] }')
	echo "seed $seed: ${nf:-0} fault(s), $det, ${nfalse:-0} false$inv; run exit $run_rc; $(secs "$t0" "$t4") s"
	if [ "$KEEP" = 1 ]; then
		mkdir -p "$OUT/scenarios/$seed"
		cp "$w"/*.json "$w"/*.out "$OUT/scenarios/$seed/" 2>/dev/null
		gzip -c "$w/s.jsonl" >"$OUT/scenarios/$seed/s.jsonl.gz"
	fi
	"$PGTEST_BIN/dropdb" "$db" >/dev/null 2>&1
	"$PGTEST_BIN/dropdb" --if-exists "${db}_alone" >/dev/null 2>&1
	rm -rf "$w"
}

# what is measured: EVAL_SOURCE names it, else the source tree's commit
rev=${EVAL_SOURCE:-}
[ -n "$rev" ] || { rev=$(git -C "$top_srcdir" rev-parse --short HEAD 2>/dev/null) &&
    { git -C "$top_srcdir" diff --quiet HEAD -- src include sql 2>/dev/null || rev="$rev+local"; }; }
echo "eval: $("$MIDWATCH" --version 2>/dev/null) (source ${rev:-unknown}), $SEEDS scenario(s) from seed $FIRST, $JOBS at a time; tables in $OUT"
start=$(now)
j=0
while [ $j -lt "$JOBS" ]; do
	(
		s=$((FIRST + j))
		while [ $s -lt $((FIRST + SEEDS)) ]; do
			eval_one "$s"
			s=$((s + JOBS))
		done
	) &
	j=$((j + 1))
done
wait
wall=$(secs "$start" "$(now)")

cat "$OUT"/work/scen-*.tsv >"$OUT/work/scen.tsv" 2>/dev/null
cat "$OUT"/work/faults-*.tsv >"$OUT/work/faults.tsv" 2>/dev/null
cat "$OUT"/work/falses-*.tsv >"$OUT/work/falses.tsv" 2>/dev/null
cat "$OUT"/work/inv-*-*.tsv >"$OUT/work/inv.tsv" 2>/dev/null
pgtest_createdb eval_report >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -P footer=off -v wall="$wall" -v jobs="$JOBS" \
    -v scenfile="$OUT/work/scen.tsv" -v faultsfile="$OUT/work/faults.tsv" \
    -v falsesfile="$OUT/work/falses.tsv" -v invfile="$OUT/work/inv.tsv" \
    -v outdir="$OUT" \
    -f "$top_srcdir/tests/eval/report.sql" >"$OUT/summary.txt" 2>"$OUT/report.err"
rc=$?
cat "$OUT/summary.txt"
if [ $rc -ne 0 ]; then
	echo "eval: the report failed:" >&2
	cat "$OUT/report.err" >&2
	exit 1
fi
echo
echo "per-scenario table: $OUT/scenarios.txt; per-fault: $OUT/faults.txt; false incidents: $OUT/false-incidents.txt; investigations: $OUT/investigate.txt"
