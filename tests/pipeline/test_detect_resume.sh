#!/bin/sh
# test_detect_resume.sh - each run judges what is new (issue 13,
# "Pipeline"): detect keeps each series' detector state at its newest quiet
# point (midwatch.detect_state, sql/027) and the next run resumes from it,
# reading only the points after it.  On a random world (5 services x 5
# metrics over 25 hours with random steps, spikes, flapping and restart
# bursts in the last hours; the seed is printed) fed in random chunks with a
# run after each, the signals and features must be exactly those of the
# same runs made without states (the table emptied before each run, so
# every series is judged on the whole lookback) - while the later runs
# resume series from their states and read fewer points.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start

seed=${DETECT_RESUME_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# seed $seed"
# one file per chunk: chunk 0 is the first 22.5 hours, then chunks of
# 1-40 minutes
awk -v seed="$seed" -v dir="$TAP_TMP" 'BEGIN {
	srand(seed)
	t0 = 1794787200
	n = 1500
	split("request_rate error_ratio latency_p99_ms cpu_utilization restarts", mn, " ")
	# anomalies: service, metric, first minute, length, factor, flapping
	na = 4 + int(rand() * 5)
	for (a = 0; a < na; a++) {
		as[a] = int(rand() * 5); am[a] = 1 + int(rand() * 5)
		af[a] = 1300 + int(rand() * 190); al[a] = 1 + int(rand() * 60)
		ak[a] = rand() < 0.2 ? 0.3 : 2 + rand() * 6; ap[a] = rand() < 0.25
	}
	c = 0; next_cut = 1350
	for (m = 0; m < n; m++) {
		if (m == next_cut) { c++; next_cut = m + 1 + int(rand() * 40) }
		f = dir "/chunk" c ".jsonl"
		ts = strftime("%Y-%m-%dT%H:%M:%SZ", t0 + m * 60, 1)
		for (s = 0; s < 5; s++)
			for (k = 1; k <= 5; k++) {
				v = (k == 1 ? 200 + 40 * s : k == 2 ? 0.01 : k == 3 ? 150 : 0.3)
				v = v * (1 + 0.2 * sin(m / 1440 * 6.283)) * (1 + 0.05 * (rand() - 0.5))
				if (k == 5) v = rand() < 0.002 ? 1 : 0
				for (a = 0; a < na; a++)
					if (as[a] == s && am[a] == k && m >= af[a] && m < af[a] + al[a] &&
					    !(ap[a] && int((m - af[a]) / 4) % 2))
						v = k == 5 ? 3 : k == 4 ? 0.97 : v * ak[a]
				printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"svc-%d\",\"metric\":\"%s\",\"value\":%.6f}\n", ts, s, mn[k], v >f
			}
	}
	print c >(dir "/chunks")
}'
last=$(cat "$TAP_TMP/chunks")
echo "# $((last + 1)) chunks"

# run_db DB CHUNK [fresh]: ingests a chunk into DB and runs the pipeline;
# with fresh, the saved states are removed first
run_db() {
	PGDATABASE=$1 "$MIDWATCH" ingest "$TAP_TMP/chunk$2.jsonl" >>"$TAP_TMP/$1.log" 2>&1 || return 1
	[ -z "${3:-}" ] || PGDATABASE=$1 pgtest_psql -c "DELETE FROM midwatch.detect_state" || return 1
	PGDATABASE=$1 "$MIDWATCH" run >>"$TAP_TMP/$1.log" 2>&1
}

pgtest_createdb resumed
"$MIDWATCH" migrate >/dev/null 2>&1
pgtest_createdb fresh
"$MIDWATCH" migrate >/dev/null 2>&1
ok=0
c=0
while [ "$c" -le "$last" ]; do
	run_db resumed "$c" && run_db fresh "$c" fresh && ok=$((ok + 1))
	c=$((c + 1))
done
t_eq "every chunk is ingested and run, with and without states" "$((last + 1))" "$ok"
[ "$ok" -eq $((last + 1)) ] || tail -n 20 "$TAP_TMP/resumed.log" "$TAP_TMP/fresh.log" | sed 's/^/# /'

# what each run judged
summary="SELECT string_agg(format('%s/%s/%s', summary -> 'detect' ->> 'resumed',
    summary -> 'detect' ->> 'series', summary -> 'detect' ->> 'points'), ' ' ORDER BY id)
  FROM midwatch.pipeline_runs WHERE kind = 'pipeline' AND status = 'completed'"
sr=$(PGDATABASE=resumed pgtest_psql -c "$summary")
sf=$(PGDATABASE=fresh pgtest_psql -c "$summary")
echo "# resumed/series/points per run, with states: $sr"
echo "# ... without: $sf"
# (a service with a series that has had no quiet point since its anomaly
# is read whole: how many depends on the world)
later=$(echo "$sr" | awk '{ for (i = 2; i <= NF; i++) { split($i, a, "/"); r += a[1]; s += a[2] } }
    END { print (s > 0 && r > 0) ? "yes" : "no: " r " of " s }')
t_eq "the runs after the first resume series from a state" "yes" "$later"
t_match "... and the first run resumes none" "^0/" "$sr"
fewer=$(printf '%s\n%s\n' "$sr" "$sf" | awk 'NR == 1 { for (i = 2; i <= NF; i++) { split($i, a, "/"); p += a[3] } }
    NR == 2 { for (i = 2; i <= NF; i++) { split($i, a, "/"); q += a[3] } }
    END { print (p < q) ? "yes" : "no: " p " against " q }')
t_eq "... reading fewer points than the runs without states" "yes" "$fewer"
none=$(echo "$sf" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, "/"); r += a[1] } } END { print r + 0 }')
t_eq "without states nothing is resumed" "0" "$none"

signals="SELECT s.name, x.signal_type, x.metric_name, x.labels_key, x.status, x.severity,
    x.quality_score, x.onset_at, x.peak_at, x.ended_at, x.baseline, x.peak_value,
    x.direction, x.details, x.dedupe_key ~ ('^m:' || s.id || ':')
  FROM midwatch.signals x JOIN midwatch.services s ON s.id = x.service_id
 WHERE x.metric_name IS NOT NULL ORDER BY 1, 2, 3, 4, 8, 13"
PGDATABASE=resumed pgtest_psql -c "$signals" >"$TAP_TMP/sig.resumed"
PGDATABASE=fresh pgtest_psql -c "$signals" >"$TAP_TMP/sig.fresh"
n=$(wc -l <"$TAP_TMP/sig.fresh")
echo "# $n metric signals"
[ "$n" -gt 0 ]
t_ok $? "the injected anomalies make metric signals"
t_eq "the signals are exactly those judged on the whole lookback" "" \
    "$(diff "$TAP_TMP/sig.fresh" "$TAP_TMP/sig.resumed" | head -n 6)"
features="SELECT s.name, f.metric_name, f.labels_key, f.feature_name, f.ts, f.value
  FROM midwatch.anomaly_features f JOIN midwatch.services s ON s.id = f.service_id
 ORDER BY 1, 2, 3, 4, 5"
PGDATABASE=resumed pgtest_psql -c "$features" >"$TAP_TMP/f.resumed"
PGDATABASE=fresh pgtest_psql -c "$features" >"$TAP_TMP/f.fresh"
t_eq "... and so are their features" "" "$(diff "$TAP_TMP/f.fresh" "$TAP_TMP/f.resumed" | head -n 6)"

# a state is kept per judged series, with its baseline ring
n=$(PGDATABASE=resumed pgtest_psql -c "SELECT count(*) FILTER (WHERE resume_at IS NOT NULL
    AND cardinality(trailing_ring) >= 2) || '/' || count(*) FROM midwatch.detect_state")
t_match "states are stored with their baseline rings" "^[1-9][0-9]*/25$" "$n"
# other detector parameters: the state is not resumed
PGDATABASE=resumed pgtest_psql -c "UPDATE midwatch.detect_state SET params = 'other'"
PGDATABASE=resumed pgtest_psql -c "INSERT INTO midwatch.metric_points (project_id,
    service_id, metric_name, labels_key, ts, value)
  SELECT project_id, service_id, metric_name, labels_key, ts + interval '1 minute', value
    FROM midwatch.metric_points WHERE ts = (SELECT max(ts) FROM midwatch.metric_points)"
t_run "one more minute over states of other parameters runs" env PGDATABASE=resumed "$MIDWATCH" run
n=$(PGDATABASE=resumed pgtest_psql -c "SELECT summary -> 'detect' ->> 'resumed' || '/' ||
    (summary -> 'detect' ->> 'series') FROM midwatch.pipeline_runs WHERE kind = 'pipeline'
  ORDER BY id DESC LIMIT 1")
t_eq "... and resumes none of them" "0/25" "$n"
t_done
