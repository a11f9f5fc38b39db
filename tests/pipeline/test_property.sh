#!/bin/sh
# test_property.sh - property test of the whole pipeline on random VALID
# telemetry (issue #7 item 1).  For each seed, tests/prop/propgen writes one
# valid JSON Lines case (topologies, steps from 1 s to 1 h, gaps, bursts,
# duplicates, extreme values, long multi-byte names, events...); it is
# ingested into a fresh database, then the pipeline runs up to a timestamp in
# the middle of the data (`run --at TS`) and again incrementally to its end
# (`run`).  The properties: ingest exits 0 and refuses no line (ingest_errors
# stays empty: the input is valid), both runs exit 0, and every pipeline_runs
# row of the project is 'completed' without skipped units (not degraded).  A
# failing seed's line names the command, its stderr, pipeline_runs.error and
# the skipped units, and how to reproduce it; the end of the output groups
# the failing seeds by error and lists the slowest seeds.
#
#   PROP_SEEDS="1 2 3"   the seeds (default 1..PROP_COUNT, PROP_COUNT 200)
#   PROP_JOBS=2          cases run at once (each in its own database)
#   PROP_TIMEOUT=120     seconds a command may take before it counts as hung
#   PROP_SECONDS=N       stress mode (`make stress`): seeds from
#                        PROP_SEED_START (a number, or "random") upwards until
#                        N seconds have passed; only failures are listed
#   PROP_FAILDIR=DIR     copy each failing case (and its outputs) there
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"

PROPGEN=${PROPGEN:-$top_builddir/tests/prop/propgen}
JOBS=${PROP_JOBS:-2}
TIMEOUT=${PROP_TIMEOUT:-120}
STRESS=${PROP_SECONDS:-}

if [ ! -x "$PROPGEN" ]; then
	echo "Bail out! $PROPGEN not built (make check builds it)"
	exit 1
fi
pgtest_start
# Every case gets a fresh copy of an already migrated template database
# (FILE_COPY, where the server has it, copies it fastest).
"$PGTEST_BIN/createdb" proptpl || { echo "Bail out! createdb failed"; exit 1; }
STRATEGY="-S FILE_COPY"
"$PGTEST_BIN/createdb" $STRATEGY -T proptpl propprobe >/dev/null 2>&1 || STRATEGY=""
"$PGTEST_BIN/dropdb" --if-exists propprobe >/dev/null 2>&1
if ! "$MIDWATCH" --db dbname=proptpl migrate >"$TAP_TMP/migrate.out" 2>&1; then
	echo "Bail out! migrate failed"; sed 's/^/# /' "$TAP_TMP/migrate.out"; exit 1
fi

# one_case SEED: runs one case in $TAP_TMP/s$SEED; writes there "result"
# (first line ok|fail, then diagnostic lines) and "groups" (one "KEY|error"
# line per distinct failure, numbers and bytes normalised, for the summary).
one_case() {
	seed=$1
	d=$TAP_TMP/s$seed
	mkdir -p "$d"
	began_case=$(date +%s)
	f=$d/case.jsonl
	proj=p$seed
	db=prop$seed
	: >"$d/diag"
	: >"$d/groups"
	# note KEY COMMAND TEXT: records a failed check
	note() {
		printf '# %s\n' "$2:" >>"$d/diag"
		printf '%s\n' "$3" | head -n 30 | cut -c1-1000 | sed 's/^/#     /' >>"$d/diag"
	}
	# group KEY TEXT: a group line from the first line of TEXT that says something
	group() {
		printf '%s\n' "$2" | grep -v '^\(DETAIL\|HINT\|CONTEXT\|LINE\|QUERY\|read \|  \|midwatch: warn: \)' |
		    sed -e 's/^midwatch: run: run [0-9]* failed: //' -e 's/^midwatch: //' | head -n 1 |
		    norm | sed "s/^/$1|/" >>"$d/groups"
	}
	q() {
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1" 2>&1
	}
	# norm: an error line for grouping: numbers, bytes and quoted rows
	# out (SQLSTATE and "RFC 3339" kept), at most 300 characters
	norm() {
		sed -E -e 's/ \(Failing row contains .*//' -e 's/SQLSTATE ([0-9A-Z]{5})/SQLSTATE_\1/g' \
		    -e 's/RFC 3339/RFC_3339/g' -e 's/0x[0-9a-fA-F]{2}( 0x[0-9a-fA-F]{2})*/0x../g' \
		    -e 's/\b[0-9]+\b/N/g' -e 's/SQLSTATE_/SQLSTATE /g' -e 's/RFC_3339/RFC 3339/g' \
		    -e 's/\|/!/g' | cut -c1-300
	}
	mw() { # mw NAME ARGS...: runs midwatch on the case's database
		_n=$1; shift
		timeout -k 5 "$TIMEOUT" "$MIDWATCH" --db "dbname=$db" --project "$proj" "$@" \
		    >"$d/$_n.out" 2>"$d/$_n.err"
		_rc=$?
		if [ $_rc -eq 124 ] || [ $_rc -eq 137 ]; then
			echo "timed out after $TIMEOUT s (hung?)" >>"$d/$_n.err"
		fi
		return $_rc
	}
	if ! split=$("$PROPGEN" --seed "$seed" --out "$f" --split-at --describe 2>"$d/describe"); then
		note propgen "propgen --seed $seed failed" "$(cat "$d/describe")"
		group propgen "$(cat "$d/describe")"
	elif ! "$PGTEST_BIN/createdb" $STRATEGY -T proptpl "$db" >"$d/createdb.out" 2>&1; then
		note createdb "createdb failed" "$(cat "$d/createdb.out")"
		group createdb "$(cat "$d/createdb.out")"
	else
		mw ingest ingest "$f"; rc=$?
		if [ $rc -ne 0 ]; then
			note ingest "midwatch --project $proj ingest case.jsonl exited $rc" \
			    "$(tail -n 20 "$d/ingest.err"; tail -n 5 "$d/ingest.out")"
			group ingest "$(cat "$d/ingest.err")"
		fi
		n=$(q "select count(*) from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = '$proj'")
		if [ "$n" != 0 ]; then
			note ingest-refused "ingest refused $n valid line(s)" \
			    "$(q "select 'line ' || line_no || ': ' || error || ': ' || left(payload, 300) from midwatch.ingest_errors order by line_no limit 5")"
			q "select distinct error from midwatch.ingest_errors" | norm | sort -u | sed 's/^/ingest-refused|/' >>"$d/groups"
		fi
		mw run1 run --at "$split"; rc1=$?
		m=$(q "select coalesce(max(id), 0) from midwatch.pipeline_runs")
		mw run2 run; rc2=$?
		[ $rc1 -eq 0 ] || note run-at "midwatch --project $proj run --at $split exited $rc1" "$(tail -n 20 "$d/run1.err")"
		[ $rc2 -eq 0 ] || note run "midwatch --project $proj run exited $rc2" "$(tail -n 20 "$d/run2.err")"
		# every run completed, none degraded (skipped units: 007_degraded.sql)
		runs="with r as (select r.*, coalesce((to_jsonb(r) ->> 'skipped_units')::int, 0) as nskip,
		    case when r.id <= $m then 'run-at' else 'run' end as cmd,
		    case when jsonb_typeof(r.summary -> 'skipped') = 'array' then r.summary -> 'skipped' else '[]' end as sk
		  from midwatch.pipeline_runs r join midwatch.projects p on p.id = r.project_id where p.slug = '$proj')"
		bad=$(q "$runs select 'run ' || id || ' (' || cmd || ') ' || status || ', window ' || coalesce(window_start::text, '?') || ' .. ' || coalesce(window_end::text, '?') || coalesce(': ' || error, '') || case when nskip > 0 then ', ' || nskip || ' skipped unit(s): ' || (select string_agg(concat_ws(' ', u ->> 'stage', u ->> 'unit', u ->> 'id') || ': ' || coalesce(u ->> 'reason', '?'), '; ') from jsonb_array_elements(sk) u) else '' end from r where status <> 'completed' or nskip > 0 order by id")
		if [ -n "$bad" ]; then
			note runs "pipeline_runs not completed or degraded" "$bad"
			q "$runs select distinct cmd || '|' || translate(x, E'|\n', '! ') from (select cmd, 'run ' || status || ': ' || coalesce(error, '') as x from r where status <> 'completed' union all select cmd, 'degraded: ' || concat_ws(' ', u ->> 'stage', u ->> 'unit') || ': ' || coalesce(u ->> 'reason', '?') from r, jsonb_array_elements(sk) u where nskip > 0) g" |
			    while IFS='|' read -r key text; do printf '%s\n' "$text" | norm | sed "s/^/$key|/"; done | sort -u >>"$d/groups"
		fi
		# an exit status the run rows do not explain (usage, crash, hang)
		[ $rc1 -eq 0 ] || grep -q '^run-at|' "$d/groups" || group run-at "exit $rc1: $(cat "$d/run1.err")"
		[ $rc2 -eq 0 ] || grep -q '^run|' "$d/groups" || group run "exit $rc2: $(cat "$d/run2.err")"
		"$PGTEST_BIN/dropdb" "$db" >/dev/null 2>&1 &
	fi
	echo "$(( $(date +%s) - began_case ))" >"$d/seconds"
	if [ -s "$d/diag" ]; then
		{
			echo fail
			sed 's/^/# /' "$d/describe"
			cat "$d/diag"
			echo "# reproduce: tests/prop/propgen --seed $seed --out case.jsonl --split-at   # prints $split"
			echo "#   midwatch --project $proj ingest case.jsonl; midwatch --project $proj run --at $split; midwatch --project $proj run"
		} >"$d/result"
		[ -s "$d/groups" ] || echo "unknown|see the log" >"$d/groups"
		if [ -n "${PROP_FAILDIR:-}" ]; then
			mkdir -p "$PROP_FAILDIR/seed$seed" && cp "$d"/* "$PROP_FAILDIR/seed$seed/" 2>/dev/null
		fi
	else
		echo ok >"$d/result"
	fi
	rm -f "$f"
}

# worker K: runs every JOBS-th seed of the list starting with the K-th (or,
# in stress mode, every JOBS-th seed from PROP_SEED_START + K on until the
# deadline).
worker() {
	k=$1
	if [ -n "$STRESS" ]; then
		s=$((START + k))
		while [ "$(date +%s)" -lt "$DEADLINE" ]; do
			one_case "$s"
			if [ "$(head -n 1 "$TAP_TMP/s$s/result")" != ok ]; then
				echo "# seed $s FAILED: $(head -n 1 "$TAP_TMP/s$s/groups")" >&2
			fi
			s=$((s + JOBS))
		done
	else
		i=0
		for s in $SEEDS; do
			[ $((i % JOBS)) -eq "$k" ] && one_case "$s"
			i=$((i + 1))
		done
	fi
	wait	# the last dropdb
}

if [ -n "$STRESS" ]; then
	START=${PROP_SEED_START:-random}
	if [ "$START" = random ]; then
		START=$(( $(od -An -N3 -tu4 /dev/urandom | tr -d ' ') + 1000 ))
	fi
	DEADLINE=$(( $(date +%s) + STRESS ))
	echo "# stress: seeds from $START upwards, $JOBS at a time, for $STRESS s"
else
	SEEDS=${PROP_SEEDS:-$(seq 1 "${PROP_COUNT:-200}")}
fi

began=$(date +%s)
k=0
while [ $k -lt "$JOBS" ]; do
	worker $k &
	k=$((k + 1))
done
wait

# Results in seed order.
total=0
failed=""
for r in $(ls "$TAP_TMP" | sed -n 's/^s\([0-9][0-9]*\)$/\1/p' | sort -n); do
	res=$TAP_TMP/s$r/result
	[ -f "$res" ] || continue
	total=$((total + 1))
	if [ "$(head -n 1 "$res")" = ok ]; then
		[ -n "$STRESS" ] || t_ok 0 "seed $r: ingest, run --at, run: all completed"
	else
		failed="$failed $r"
		t_ok 1 "seed $r: $(head -n 1 "$TAP_TMP/s$r/groups" | sed 's/|/: /' | cut -c1-200)"
		tail -n +2 "$res"
	fi
done
[ -n "$STRESS" ] && t_ok 0 "stress: $total seeds ran"
echo "# $total seeds in $(( $(date +%s) - began )) s, $(echo $failed | wc -w) failed${failed:+:$failed}"
echo "# slowest: $(for r in $(ls "$TAP_TMP" | sed -n 's/^s\([0-9][0-9]*\)$/\1/p'); do
	[ -f "$TAP_TMP/s$r/seconds" ] && echo "$(cat "$TAP_TMP/s$r/seconds") $r"; done |
	sort -rn | head -n 5 | awk '{ printf "%sseed %s %s s", (NR > 1 ? ", " : ""), $2, $1 }')"
if [ -n "$failed" ]; then
	echo "# failures grouped by command and error (seeds):"
	for r in $failed; do
		sort -u "$TAP_TMP/s$r/groups" | sed "s/\$/|$r/"
	done | sort -s -t'|' -k1,2 | awk -F'|' '
		{ key = $1 ": " $2; if (key != last) { if (last != "") print "#   " last " -- seeds:" seeds; last = key; seeds = "" } seeds = seeds " " $3 }
		END { if (last != "") print "#   " last " -- seeds:" seeds }'
fi
t_done
