# tests/bench/bench_ingest.sh - the ingest part of `make bench` (sourced by
# bench.sh): the same metric points as JSON Lines through `midwatch ingest`
# and as CSV through `psql \copy` into a table identical to
# midwatch.metric_points (its columns, defaults, primary key and daily range
# partitions), BENCH_RUNS times each into emptied tables; the ratio is
# \copy's time over ingest's (throughput relative to \copy; goal >= 0.9).
#   INGEST_SERVICES x 4 metrics x INGEST_MINUTES one-minute points.

bench_ingest() {
	bench_log "ingest: generating $((INGEST_SERVICES * 4 * INGEST_MINUTES)) points"
	pgtest_createdb bench_ingest
	"$MIDWATCH" migrate >"$W/migrate.log" 2>&1 ||
	    { cat "$W/migrate.log" >&2; return 1; }
	# services first, so the CSV can carry their ids as metric_points does
	pgtest_psql -c "
	    INSERT INTO midwatch.services (project_id, name)
	    SELECT p.id, 'svc-' || lpad(g::text, 4, '0')
	      FROM midwatch.projects p, generate_series(1, $INGEST_SERVICES) g
	     WHERE p.slug = 'default' ON CONFLICT DO NOTHING" >/dev/null
	pgtest_psql -F ' ' -c "SELECT s.name, s.id, s.project_id FROM midwatch.services s
	    JOIN midwatch.projects p ON p.id = s.project_id AND p.slug = 'default'
	    ORDER BY s.name" >"$W/ingest_ids"
	# the same points, random values: JSON Lines for midwatch, CSV for \copy
	awk -v m="$INGEST_MINUTES" -v t0="$INGEST_T0" -v seed="$BENCH_SEED" '
	    NR == FNR { id[$1] = $2; pid = $3; name[NR] = $1; n = NR; next }
	    END {
		srand(seed)
		split("request_rate error_ratio latency_p99_ms restarts", met, " ")
		for (i = 1; i <= n; i++)
		    for (k = 1; k <= 4; k++)
			for (j = 0; j < m; j++) {
			    ts = strftime("%Y-%m-%dT%H:%M:%SZ", t0 + j * 60, 1)
			    v = k == 1 ? 100 + rand() * 20 : k == 2 ? rand() / 100 : \
				k == 3 ? 180 + rand() * 40 : (rand() < 0.001)
			    printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"%s\",\"metric\":\"%s\",\"value\":%.6g}\n", \
				ts, name[i], met[k], v > "/dev/stdout"
			    printf "%s,%s,%s,%s,%.6g\n", pid, id[name[i]], met[k], ts, v > "/dev/stderr"
			}
	    }' "$W/ingest_ids" /dev/null >"$W/points.jsonl" 2>"$W/points.csv"
	lines=$(wc -l <"$W/points.jsonl" | tr -d ' ')
	t_first=$(date -u -d "@$INGEST_T0" +%Y-%m-%dT%H:%M:%SZ)
	t_last=$(date -u -d "@$((INGEST_T0 + INGEST_MINUTES * 60))" +%Y-%m-%dT%H:%M:%SZ)
	# the identical table: metric_points' columns, defaults, primary key,
	# partitioned by day on ts over the same days
	pgtest_psql -c "CREATE SCHEMA bench;
	    CREATE TABLE bench.points (LIKE midwatch.metric_points INCLUDING ALL)
	        PARTITION BY RANGE (ts);" >/dev/null || return 1
	pgtest_psql -c "SELECT format('CREATE TABLE bench.points_%s PARTITION OF bench.points
	        FOR VALUES FROM (%L) TO (%L);', to_char(d, 'YYYYMMDD'),
	        d::date || ' 00:00:00+00', d::date + 1 || ' 00:00:00+00')
	      FROM generate_series(('$t_first'::timestamptz AT TIME ZONE 'UTC')::date,
	                           ('$t_last'::timestamptz AT TIME ZONE 'UTC')::date,
	                           interval '1 day') g (d)" >"$W/parts.sql"
	pgtest_psql -f "$W/parts.sql" >/dev/null || return 1
	pgtest_psql -c "SELECT midwatch.ensure_metric_partitions('$t_first', '$t_last')" >/dev/null

	ref_t="" ing_t="" ing_rss="" ok=0
	r=1
	while [ "$r" -le "$BENCH_RUNS" ]; do
		bench_log "ingest: run $r of $BENCH_RUNS"
		pgtest_psql -c "TRUNCATE bench.points, midwatch.metric_points" >/dev/null
		pgtest_psql -c "CHECKPOINT" >/dev/null
		t=$(bench_now)
		pgtest_psql -c "\\copy bench.points (project_id, service_id, metric_name, ts, value) from '$W/points.csv' csv" ||
		    return 1
		ref_t="$ref_t $(bench_since "$t")"
		pgtest_psql -c "CHECKPOINT" >/dev/null
		t=$(bench_now)
		bench_rss "$W/rss" "$MIDWATCH" ingest "$W/points.jsonl" &&
		    [ "$(pgtest_psql -c "select count(*) from midwatch.metric_points")" = "$lines" ] &&
		    ok=$((ok + 1))
		ing_t="$ing_t $(bench_since "$t")"
		ing_rss="$ing_rss $(awk '{ printf "%.1f", $1 / 1024 }' "$W/rss")"
		r=$((r + 1))
	done
	[ "$ok" -eq "$BENCH_RUNS" ] ||
	    bench_note "ingest: only $ok of $BENCH_RUNS runs stored all $lines points (last output: $(tail -n 1 "$W/out"))"
	ref=$(bench_stats $ref_t)
	ing=$(bench_stats $ing_t)
	bench_row ingest.copy_ref "psql \\copy CSV, identical table ($lines pts)" s \
	    "$BENCH_RUNS" "$ref" 1.00 "reference"
	bench_row ingest.midwatch "midwatch ingest JSON Lines ($lines pts)" s \
	    "$BENCH_RUNS" "$ing" \
	    "$(bench_ratio "$(bench_median_of "$ref")" "$(bench_median_of "$ing")")" \
	    "vs: >= 0.9 (throughput / \\copy's)"
	bench_row ingest.rss "midwatch ingest peak RSS" MiB "$BENCH_RUNS" \
	    "$(bench_stats $ing_rss)" - "flat in file size"
	rm -f "$W/points.jsonl" "$W/points.csv"
}
