# tests/bench/bench_console.sh - the console part of `make bench` (sourced
# by bench.sh after tests/tui/console_lib.sh): CON_INCIDENTS incidents (half
# of them open or triaged, each with two hypotheses citing evidence and a
# recommendation) and CON_ALERTS alerts (random statuses, most attached to
# an incident), written with SQL; then BENCH_RUNS times the real console in
# tmux, under /usr/bin/time, with MIDWATCH_LATENCY_LOG: CON_MOVES j then k,
# Enter/Esc on incidents, r (reload) three times, q.  The console writes
# each key's latency (key read to doupdate returning), its first frame with
# data and each reload's (src/tui/latency.c); percentiles are per run, then
# min/median over the runs.

bench_console_data() {
	bench_log "console: writing $CON_INCIDENTS incidents and $CON_ALERTS alerts"
	pgtest_createdb bench_console
	"$MIDWATCH" migrate >"$W/migrate.log" 2>&1 ||
	    { cat "$W/migrate.log" >&2; return 1; }
	psql -X -q -v ON_ERROR_STOP=1 -v ni="$CON_INCIDENTS" -v na="$CON_ALERTS" \
	    -v seed="0.$BENCH_SEED" >/dev/null <<'SQL'
SELECT setseed(:seed);
INSERT INTO midwatch.projects (slug, name) VALUES ('bench', 'bench');
SELECT id AS p FROM midwatch.projects WHERE slug = 'bench' \gset
INSERT INTO midwatch.services (project_id, name)
SELECT :p, 'svc-' || lpad(g::text, 4, '0') FROM generate_series(1, 1000) g;
SELECT min(id) AS s0 FROM midwatch.services WHERE project_id = :p \gset
INSERT INTO midwatch.pipeline_runs (id, project_id, status, window_start, window_end,
                                    requested_by, started_at, finished_at)
VALUES (1, :p, 'completed', now() - interval '1 day', now() - interval '1 minute',
        'bench', now(), now());
INSERT INTO midwatch.incidents (id, project_id, run_id, dedupe_key, service_id, status,
                                trigger_type, severity, title, window_start, window_end,
                                confidence)
SELECT g, :p, 1, 'bench-' || g, :s0 + g % 1000,
       (ARRAY['open', 'triaged', 'resolved', 'suppressed'])[1 + floor(random() * 4)::int],
       (ARRAY['error_rate_spike', 'latency_regression', 'saturation'])[1 + g % 3],
       (ARRAY['critical', 'high', 'medium', 'low'])[1 + floor(random() * 4)::int],
       'Bench incident ' || g || ' on svc-' || lpad((1 + g % 1000)::text, 4, '0'),
       now() - interval '20 hours' + g * interval '5 seconds',
       now() - interval '19 hours' + g * interval '5 seconds', random()
  FROM generate_series(1, :ni) g;
INSERT INTO midwatch.incident_decisions (project_id, run_id, incident_id, decision,
                                         rationale, policy_version)
SELECT :p, 1, id, CASE WHEN status = 'suppressed' THEN 'suppressed' ELSE 'approved' END,
       'bench', 'v1'
  FROM midwatch.incidents WHERE project_id = :p;
INSERT INTO midwatch.evidence_artifacts (id, project_id, run_id, incident_id, dedupe_key,
                                         kind, source, ref, service_id, summary,
                                         confidence, observed_at)
SELECT g, :p, 1, g, 'deployment:d-' || g, 'deployment', 'deployment_events', 'd-' || g,
       :s0 + g % 1000, 'Bench deploy d-' || g || ' before the onset', random(),
       now() - interval '20 hours' + g * interval '5 seconds'
  FROM generate_series(1, :ni) g;
INSERT INTO midwatch.hypotheses (id, project_id, run_id, incident_id, dedupe_key, rank,
                                 hypothesis_type, service_id, ref, title, confidence,
                                 score_details)
SELECT 2 * g + k, :p, 1, g, 'h-' || k || '-' || g, 1 + k,
       (ARRAY['release', 'dependency'])[1 + k], :s0 + (g + k) % 1000, 'd-' || g,
       'Bench hypothesis ' || k || ' of incident ' || g, random(),
       '{"why": "bench"}'
  FROM generate_series(1, :ni) g, generate_series(0, 1) k;
INSERT INTO midwatch.hypothesis_evidence (project_id, run_id, hypothesis_id, evidence_id,
                                          role, expected_kind, weight)
SELECT :p, 1, 2 * g + k, g, (ARRAY['supports', 'contradicts'])[1 + k], NULL, random()
  FROM generate_series(1, :ni) g, generate_series(0, 1) k;
INSERT INTO midwatch.recommendations (id, project_id, run_id, incident_id, hypothesis_id,
                                      dedupe_key, template_key, type, title, status,
                                      evidence_count, gate_status, publishable)
SELECT g, :p, 1, g, 2 * g, 'r-' || g, 'rollback', 'rollback',
       'Bench roll back d-' || g, 'new', 1, 'passed', true
  FROM generate_series(1, :ni) g;
INSERT INTO midwatch.alerts (id, project_id, run_id, incident_id, service_id, fingerprint,
                             title, message, severity, status, created_at)
SELECT g, :p, 1, CASE WHEN g % 10 < 9 THEN 1 + g % :ni END, :s0 + g % 1000,
       'bench-a' || g, 'Bench alert ' || g, 'bench message ' || g,
       (ARRAY['critical', 'high', 'medium', 'low'])[1 + floor(random() * 4)::int],
       (ARRAY['active', 'acknowledged', 'resolved', 'silenced'])[1 + floor(random() * 4)::int],
       now() - interval '20 hours' + g * (interval '20 hours' / :na)
  FROM generate_series(1, :na) g;
SQL
	[ $? -eq 0 ] || return 1
	pgtest_psql -c "VACUUM ANALYZE" >/dev/null
	n=$(pgtest_psql -c "SELECT (SELECT count(*) FROM midwatch.incidents) || ' ' ||
	    (SELECT count(*) FROM midwatch.alerts)")
	[ "$n" = "$CON_INCIDENTS $CON_ALERTS" ] ||
	    bench_note "console: $n incidents and alerts written, $CON_INCIDENTS $CON_ALERTS expected"
}

# bench_console_wait N FILE WHAT: waits (at most 30 s) until FILE has N
# lines starting with WHAT.
bench_console_wait() {
	_i=0
	while [ "$(cat "$2" 2>/dev/null | grep -c "^$3 ")" -lt "$1" ] &&
	    [ "$_i" -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(cat "$2" 2>/dev/null | grep -c "^$3 ")" -ge "$1" ]
}

# bench_console_run R: one console session; appends its numbers (ms) to
# $W/con.*.
bench_console_run() {
	log="$W/latency.$1"
	rm -f "$log" "$W/con_rss.$1"
	# midwatch under /usr/bin/time, through console_lib's wrapper
	{
		echo '#!/bin/sh'
		if [ -x /usr/bin/time ]; then
			echo "exec /usr/bin/time -f %M -o '$W/con_rss.$1' '$BENCH_MIDWATCH' \"\$@\""
		else
			echo "exec '$BENCH_MIDWATCH' \"\$@\""
		fi
	} >"$W/midwatch-timed"
	chmod +x "$W/midwatch-timed"
	MIDWATCH="$W/midwatch-timed" con_start "b$1" 160 48 \
	    "MIDWATCH_LATENCY_LOG=$log" -- --project bench --as bench
	bench_console_wait 1 "$log" first_frame ||
	    { bench_note "console: run $1 drew no data in 30 s"; con_screen "b$1" >&2; return 1; }
	con_wait "b$1" "Bench incident" 10 >/dev/null
	sleep 0.5
	i=0
	while [ "$i" -lt "$CON_MOVES" ]; do
		con_keys "b$1" j
		sleep 0.03
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$CON_MOVES" ]; do
		con_keys "b$1" k
		sleep 0.03
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt 5 ]; do
		con_keys "b$1" Enter
		sleep 0.3
		con_keys "b$1" Escape
		sleep 0.1
		con_keys "b$1" j
		sleep 0.05
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le 3 ]; do
		con_keys "b$1" r
		bench_console_wait "$i" "$log" reload ||
		    bench_note "console: run $1: reload $i not answered in 30 s"
		i=$((i + 1))
	done
	con_keys "b$1" q
	[ "$(con_exited "b$1" 20)" = 0 ] || bench_note "console: run $1 did not exit 0"
	# percentiles of this run, in ms
	awk '$1 == "key" { print $3 / 1000 }' "$log" >"$W/keys.$1"
	awk '$1 == "key" && ($2 == "j" || $2 == "k") { print $3 / 1000 }' "$log" >"$W/jk.$1"
	awk '$1 == "key" && $2 == "Enter" { print $3 / 1000 }' "$log" >"$W/enter.$1"
	bench_pct 50 "$W/jk.$1" >>"$W/con.jk50"
	bench_pct 99 "$W/jk.$1" >>"$W/con.jk99"
	bench_pct 50 "$W/enter.$1" >>"$W/con.enter50"
	bench_pct 99 "$W/keys.$1" >>"$W/con.keys99"
	bench_pct 100 "$W/keys.$1" >>"$W/con.keysmax"
	awk '$1 == "first_frame" { print $2 / 1000; exit }' "$log" >>"$W/con.first"
	awk '$1 == "reload" { print $2 / 1000 }' "$log" >>"$W/con.reload"
	awk '{ printf "%.1f\n", $1 / 1024 }' "$W/con_rss.$1" >>"$W/con.rss" 2>/dev/null
	con_tmux kill-session -t "b$1" >/dev/null 2>&1
}

bench_console() {
	bench_console_data || return 1
	BENCH_MIDWATCH=$MIDWATCH
	con_setup
	rm -f "$W"/con.*
	r=1
	while [ "$r" -le "$BENCH_RUNS" ]; do
		bench_log "console: run $r of $BENCH_RUNS"
		bench_console_run "$r"
		r=$((r + 1))
	done
	nk=$(cat "$W"/keys.* 2>/dev/null | wc -l | tr -d ' ')
	t="$CON_INCIDENTS inc., $CON_ALERTS alerts"
	bench_row console.jk_p50 "console j/k -> frame p50 ($t)" ms "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.jk50" 2>/dev/null))"
	bench_row console.jk_p99 "console j/k -> frame p99" ms "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.jk99" 2>/dev/null))" - "<= 5 ms"
	bench_row console.enter_p50 "console Enter -> frame p50" ms "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.enter50" 2>/dev/null))"
	bench_row console.keys_p99 "console any key -> frame p99 ($nk keys)" ms "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.keys99" 2>/dev/null))" - "<= 5 ms"
	bench_row console.keys_max "console any key -> frame max" ms "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.keysmax" 2>/dev/null))"
	bench_row console.first_frame "console first frame with data" ms "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.first" 2>/dev/null))" - "<= 200 ms"
	bench_row console.reload "console reload (r) -> frame" ms \
	    "$(wc -l <"$W/con.reload" 2>/dev/null | tr -d ' ')" \
	    "$(bench_stats $(cat "$W/con.reload" 2>/dev/null))" - "<= 200 ms"
	bench_row console.rss "console peak RSS" MiB "$BENCH_RUNS" \
	    "$(bench_stats $(cat "$W/con.rss" 2>/dev/null))" - "<= 64 MiB"
}
