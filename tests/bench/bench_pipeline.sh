# tests/bench/bench_pipeline.sh - the pipeline part of `make bench` (sourced
# by bench.sh): PIPE_SERVICES services x 4 metrics x PIPE_MINUTES
# one-minute points (1,000 x 4 x 24 h = 5.76M at full scale), written with
# SQL into a template database (a few services get an error spike and
# slower responses in the last half hour, so every stage has work); each
# run copies it, then times a full `midwatch run`, the run after one more
# minute of data, and the reference: reading every point once
# (\copy (SELECT * FROM midwatch.metric_points) TO /dev/null, binary).
# Each stage's time comes from the run's summary (elapsed_ms).

# bench_pipe_stages RUN_KIND: appends each stage's ms of the newest pipeline
# run to $W/stage.RUN_KIND.NAME.
bench_pipe_stages() {
	pgtest_psql -F ' ' -c "SELECT e.key, e.value
	    FROM midwatch.pipeline_runs r,
	         jsonb_each_text(coalesce(r.summary -> 'elapsed_ms', '{}')) e
	   WHERE r.id = (SELECT max(id) FROM midwatch.pipeline_runs
	                  WHERE kind = 'pipeline' AND status = 'completed')" |
	while read -r st ms; do
		echo "$ms" >>"$W/stage.$1.$st"
	done
}

bench_pipeline() {
	points=$((PIPE_SERVICES * 4 * PIPE_MINUTES))
	bench_log "pipeline: writing $points points"
	pgtest_createdb bench_pipe_tpl
	"$MIDWATCH" migrate >"$W/migrate.log" 2>&1 ||
	    { cat "$W/migrate.log" >&2; return 1; }
	# the day ends a few minutes before now, on a whole minute
	t_end=$(( $(date +%s) / 60 * 60 - 300 ))
	t_end_s=$(date -u -d "@$t_end" +%Y-%m-%dT%H:%M:%SZ)
	t_next_s=$(date -u -d "@$((t_end + 60))" +%Y-%m-%dT%H:%M:%SZ)
	psql -X -q -v ON_ERROR_STOP=1 -v n="$PIPE_SERVICES" -v m="$PIPE_MINUTES" \
	    -v t_end="$t_end_s" -v t_next="$t_next_s" -v seed="0.$BENCH_SEED" \
	    >/dev/null <<'SQL' || return 1
SELECT setseed(:seed);
INSERT INTO midwatch.services (project_id, name)
SELECT p.id, 'svc-' || lpad(g::text, 4, '0')
  FROM midwatch.projects p, generate_series(1, :n) g WHERE p.slug = 'default';
SELECT midwatch.ensure_metric_partitions(:'t_end'::timestamptz - (:m - 1) * interval '1 minute',
                                         :'t_next'::timestamptz);
-- one statement per metric; services whose number is a multiple of 50 (and
-- the second) misbehave in the last 30 minutes
CREATE TEMP TABLE m (name text, base float8, noise float8, bad float8);
INSERT INTO m VALUES ('request_rate', 100, 20, 0.5), ('error_ratio', 0.005, 0.002, 40),
                     ('latency_p99_ms', 180, 40, 3), ('restarts', 0, 0, 0);
SELECT format($f$
INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
SELECT s.project_id, s.id, %L, t,
       CASE WHEN %L = 'restarts' THEN (random() < 0.0005)::int
            ELSE (%s + %s * random()
                  + %s * 0.1 * sin(extract(epoch FROM t) / 3600.0 * pi() / 12))
                 * CASE WHEN (s.name ~ '(0|5)0$' OR s.name = 'svc-0002')
                             AND t > %L::timestamptz - interval '30 minutes'
                        THEN %s ELSE 1 END END
  FROM midwatch.services s,
       generate_series(%L::timestamptz - (%s - 1) * interval '1 minute', %L, interval '1 minute') t
 WHERE s.project_id = (SELECT id FROM midwatch.projects WHERE slug = 'default')$f$,
       name, name, base, noise, base, :'t_end', bad, :'t_end', :m, :'t_end')
  FROM m \gexec
SQL
	pgtest_psql -c "VACUUM ANALYZE" >/dev/null
	pgtest_psql -c "CHECKPOINT" >/dev/null
	n_points=$(pgtest_psql -c "SELECT count(*) FROM midwatch.metric_points")
	[ "$n_points" = "$points" ] ||
	    bench_note "pipeline: $n_points points written, $points expected"

	read_t="" full_t="" next_t="" run_rss="" ok=0
	rm -f "$W"/stage.*
	r=1
	while [ "$r" -le "$BENCH_RUNS" ]; do
		bench_log "pipeline: run $r of $BENCH_RUNS"
		PGDATABASE=postgres pgtest_psql -c "DROP DATABASE IF EXISTS bench_pipe" &&
		    PGDATABASE=postgres pgtest_psql -c "CREATE DATABASE bench_pipe TEMPLATE bench_pipe_tpl" ||
		    return 1
		PGDATABASE=bench_pipe
		export PGDATABASE
		t=$(bench_now)
		pgtest_psql -c "\\copy (SELECT * FROM midwatch.metric_points) TO '/dev/null' (FORMAT binary)" ||
		    return 1
		read_t="$read_t $(bench_since "$t")"
		t=$(bench_now)
		bench_rss "$W/rss" "$MIDWATCH" run && ok=$((ok + 1)) ||
		    bench_note "pipeline: run $r: $(tail -n 1 "$W/out")"
		full_t="$full_t $(bench_since "$t")"
		run_rss="$run_rss $(awk '{ printf "%.1f", $1 / 1024 }' "$W/rss")"
		bench_pipe_stages full
		# one more minute of every series
		pgtest_psql -c "INSERT INTO midwatch.metric_points (project_id, service_id,
		        metric_name, ts, value)
		    SELECT project_id, service_id, metric_name, ts + interval '1 minute', value
		      FROM midwatch.metric_points WHERE ts = '$t_end_s'" >/dev/null || return 1
		t=$(bench_now)
		bench_rss "$W/rss" "$MIDWATCH" run && ok=$((ok + 1)) ||
		    bench_note "pipeline: next-minute run $r: $(tail -n 1 "$W/out")"
		next_t="$next_t $(bench_since "$t")"
		run_rss="$run_rss $(awk '{ printf "%.1f", $1 / 1024 }' "$W/rss")"
		bench_pipe_stages next
		bench_log "pipeline: next-minute run $r: detect $(pgtest_psql -c "SELECT
		    format('judged %s series (%s resumed from a saved state), %s points',
		           summary -> 'detect' ->> 'series', summary -> 'detect' ->> 'resumed',
		           summary -> 'detect' ->> 'points')
		      FROM midwatch.pipeline_runs WHERE kind = 'pipeline'
		     ORDER BY id DESC LIMIT 1")"
		PGDATABASE=bench_pipe_tpl
		r=$((r + 1))
	done
	read=$(bench_stats $read_t)
	full=$(bench_stats $full_t)
	next=$(bench_stats $next_t)
	bench_row pipeline.read_all "read every point once (\\copy binary, $points pts)" s \
	    "$BENCH_RUNS" "$read" 1.00 "reference"
	bench_row pipeline.full_run "midwatch run, the whole day ($PIPE_SERVICES services)" s \
	    "$BENCH_RUNS" "$full" \
	    "$(bench_ratio "$(bench_median_of "$full")" "$(bench_median_of "$read")")" \
	    "vs: <= 4 (time / read-all's)"
	for f in "$W"/stage.full.*; do
		[ -f "$f" ] || continue
		st=${f##*/stage.full.}
		bench_row "pipeline.full_stage.$st" "  stage $st" ms "$(wc -l <"$f" | tr -d ' ')" \
		    "$(bench_stats $(cat "$f"))"
	done
	bench_row pipeline.next_run "midwatch run after one more minute" s \
	    "$BENCH_RUNS" "$next" \
	    "$(bench_ratio "$(bench_median_of "$next")" "$(bench_median_of "$read")")" \
	    "vs: <= 1 (time / read-all's)"
	for f in "$W"/stage.next.*; do
		[ -f "$f" ] || continue
		st=${f##*/stage.next.}
		bench_row "pipeline.next_stage.$st" "  stage $st (next minute)" ms "$(wc -l <"$f" | tr -d ' ')" \
		    "$(bench_stats $(cat "$f"))"
	done
	ls "$W"/stage.full.* >/dev/null 2>&1 ||
	    bench_note "pipeline: no stage timings recorded (pipeline_runs.summary.elapsed_ms)"
	bench_row pipeline.rss "midwatch run peak RSS" MiB "$((2 * BENCH_RUNS))" \
	    "$(bench_stats $run_rss)"
	[ "$ok" -eq $((2 * BENCH_RUNS)) ] ||
	    bench_note "pipeline: $ok of $((2 * BENCH_RUNS)) runs exited 0"
}
