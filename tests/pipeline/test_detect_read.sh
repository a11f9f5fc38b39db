#!/bin/sh
# test_detect_read.sh - how detect reads metric points (issue 13, "Pipeline")
# against a real PostgreSQL, on random series (several points a minute at
# random seconds, gaps, a step and restart bursts; the seed is printed):
# the per-minute values detect judged (stored as the `value` features of its
# signals) equal SQL's definition to the bit - avg per minute (its points
# added in time order), restarts the rolling 15-minute sum (detect_minutes.c
# computes them in C); the primary key
# carries the value and metric_points_ts_idx exists (sql/024), so detect's
# read is an index-only scan; every series of the window is counted; a quiet
# series (no signal) has its features from the window's start removed by a
# re-run, as a series with signals has.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb detect_read

seed=${DETECT_READ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# seed $seed"
awk -v seed="$seed" 'BEGIN {
	srand(seed)
	t0 = 1794787200
	for (s = 0; s < 4; s++) {
		step = 200 + int(rand() * 300)	# minute of the latency step
		for (m = 0; m < 720; m++) {
			if (rand() < 0.03)
				continue		# a scrape gap
			k = 1 + int(rand() * 3)	# points this minute
			for (j = 0; j < k; j++) {
				t = t0 + m * 60 + int(rand() * 60)
				ts = strftime("%Y-%m-%dT%H:%M:%S", t, 1) sprintf(".%03dZ", int(rand() * 1000))
				lat = 100 + 10 * rand() + (m >= step && m < step + 40 ? 400 : 0)
				printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"svc-%d\",\"metric\":\"latency_p99_ms\",\"value\":%.6f}\n", ts, s, lat
				printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"svc-%d\",\"metric\":\"request_rate\",\"value\":%.6f}\n", ts, s, 50 + 5 * rand()
			}
			r = (m >= step + 100 && m < step + 130 && rand() < 0.5) ? 1 + int(rand() * 3) : 0
			printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"svc-%d\",\"metric\":\"restarts\",\"value\":%d}\n", strftime("%Y-%m-%dT%H:%M:%SZ", t0 + m * 60 + 30, 1), s, r
		}
	}
}' >"$TAP_TMP/p.jsonl"
t_run "random series are ingested" "$MIDWATCH" ingest "$TAP_TMP/p.jsonl"

n=$(pgtest_psql -c "select i.indnkeyatts || '/' || i.indnatts || ':' || (select attname from pg_attribute where attrelid = i.indrelid and attnum = i.indkey[5]) from pg_index i where i.indexrelid = 'midwatch.metric_points_pkey'::regclass")
t_eq "metric_points' primary key has 5 key columns and INCLUDEs value" "5/6:value" "$n"
n=$(pgtest_psql -c "select pg_get_indexdef('midwatch.metric_points_ts_idx'::regclass) ~ '\(project_id, ts\)'")
t_eq "metric_points_ts_idx indexes (project_id, ts)" "t" "$n"
pgtest_psql -c "vacuum analyze midwatch.metric_points"
# the statement detect runs (sql/queries/pipeline/detect_read_all.sql),
# planned for its parameters as libpq's unnamed statement is
ids=$(pgtest_psql -F ' ' -c "select min(project_id), min(id) from midwatch.services")
plan=$(pgtest_psql -c "set plan_cache_mode = force_custom_plan" \
    -c "PREPARE q AS $(cat "$top_srcdir/sql/queries/pipeline/detect_read_all.sql")" \
    -c "explain EXECUTE q(${ids% *}, ${ids#* }, '2026-11-16', '2026-11-17', 86400)")
t_match "detect's read of a service is an index-only scan" "Index Only Scan using metric_points_2026111[56]_pkey" "$plan"

out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "the run exits 0" "0" "$rc"

# The value features against SQL's per-minute definition.
cat >"$TAP_TMP/minutes.sql" <<'SQL'
CREATE TEMP VIEW want AS
  SELECT service_id, metric_name, labels_key, m,
    CASE WHEN metric_name = 'restarts' THEN sum(s) OVER (PARTITION BY service_id, metric_name, labels_key
      ORDER BY m RANGE BETWEEN interval '14 minutes' PRECEDING AND CURRENT ROW) ELSE v END AS v
  FROM (SELECT service_id, metric_name, labels_key, date_trunc('minute', ts) AS m,
      avg(midwatch.metric_value(value) ORDER BY ts) AS v,
      sum(midwatch.metric_value(value) ORDER BY ts) AS s
    FROM midwatch.metric_points GROUP BY 1, 2, 3, 4) x;
SQL
cmp="SELECT f.metric_name, count(*), count(*) FILTER (WHERE w.v IS DISTINCT FROM f.value) FROM midwatch.anomaly_features f LEFT JOIN want w ON w.service_id = f.service_id AND w.metric_name = f.metric_name AND w.labels_key = f.labels_key AND w.m = f.ts WHERE f.feature_name = 'value' GROUP BY 1 ORDER BY 1"
res=$(pgtest_psql -F' ' -f "$TAP_TMP/minutes.sql" -c "$cmp")
echo "$res" | sed 's/^/# features (metric, count, differing): /'
t_match "latency's judged minutes are stored (a step was injected)" "^latency_p99_ms [1-9][0-9]* " "$res"
t_match "restarts' judged minutes are stored (bursts were injected)" "^restarts [1-9][0-9]* " "$res"
t_nomatch "every judged minute equals SQL's avg per minute / rolling 15-minute sum, to the bit" " [1-9][0-9]*$" "$res"

n=$(pgtest_psql -c "select (summary -> 'detect' ->> 'series')::int = (select count(distinct (service_id, metric_name, labels_key)) from midwatch.metric_points) from midwatch.pipeline_runs order by id desc limit 1")
t_eq "every series of the window is counted, quiet or not" "t" "$n"

# A quiet series: a stale feature inside the window is removed by a re-run.
pgtest_psql -c "insert into midwatch.anomaly_features (project_id, service_id, metric_name, labels_key, feature_name, ts, value)
  select project_id, service_id, 'request_rate', '', 'value', '2026-11-16 05:00', -1 from midwatch.metric_points limit 1"
n=$(pgtest_psql -c "select count(*) from midwatch.signals where metric_name = 'request_rate'")
t_eq "request_rate (no anomaly injected) has no signal: its series are quiet" "0" "$n"
t_run "the day is run again (--since)" "$MIDWATCH" run --since 2026-11-16T00:00:00Z --at 2026-11-16T12:00:00Z
n=$(pgtest_psql -c "select count(*) from midwatch.anomaly_features where value = -1")
t_eq "... and the quiet series' stale feature is gone" "0" "$n"
res2=$(pgtest_psql -F' ' -f "$TAP_TMP/minutes.sql" -c "$cmp")
t_eq "... while the features of series with signals are the same again" "$res" "$res2"
t_done
