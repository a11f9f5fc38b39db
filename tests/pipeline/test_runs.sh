#!/bin/sh
# test_runs.sh - the pipeline run lifecycle against a real PostgreSQL:
# idempotence (running again, and recomputing the same window with --since,
# gives the same derived rows; ten runs through the day give what one run
# over the day gives), a run killed after a stage (the test hook
# MIDWATCH_TEST_DIE_AFTER_STAGE) leaves its row behind and the next run marks
# it abandoned and converges to the clean result, a stage that fails is rolled
# isolated (rolled back alone, recorded; the run completes degraded), a server restart mid-run fails the run with the reason
# (and the next run is clean), and `run` refuses while another session holds
# the lock.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start

# A canonical dump of the derived tables the first stages write: no ids, no
# wall-clock times; services by name, incidents by (service, window start),
# also where a rationale names one ("duplicate of open incident #N");
# sorted, since an update moves rows.
dump() {
	dump_sql | LC_ALL=C sort
}
dump_sql() {
	pgtest_psql -F'|' <<'EOF'
CREATE TEMP VIEW inc AS
  SELECT i.id, coalesce(s.name, '-') || '@' || to_char(i.window_start AT TIME ZONE 'UTC', 'HH24:MI:SS') AS ident
  FROM midwatch.incidents i LEFT JOIN midwatch.services s ON s.id = i.service_id;
SELECT 'signal', x.signal_type, x.status, coalesce(s.name, '-'), x.metric_name, x.labels_key, x.ref,
  x.severity, round(x.quality_score::numeric, 3), x.onset_at, x.peak_at, x.ended_at,
  round(x.baseline::numeric, 6), round(x.peak_value::numeric, 6), x.direction,
  x.details::text, (SELECT ident FROM inc WHERE inc.id = x.incident_id)
  FROM midwatch.signals x LEFT JOIN midwatch.services s ON s.id = x.service_id;
SELECT 'incident', inc.ident, i.status, i.trigger_type, i.severity, i.title, i.window_end,
  i.classification, round(i.confidence::numeric, 3), i.impact_low, i.impact_high, i.impact_unit,
  (i.details - 'trigger_signal')::text
  FROM midwatch.incidents i JOIN inc ON inc.id = i.id;
SELECT 'decision', inc.ident, d.decision,
  regexp_replace(d.rationale, '#[0-9]+', '#' || coalesce((SELECT o.ident FROM inc o
    WHERE o.id = (d.details ->> 'duplicate_of')::bigint), '?')),
  d.policy_version, (d.details - 'duplicate_of')::text
  FROM midwatch.incident_decisions d JOIN inc ON inc.id = d.incident_id;
SELECT 'evidence', inc.ident, e.kind, e.source, e.ref, coalesce(s.name, '-'), e.summary,
  round(e.confidence::numeric, 3), e.observed_at, (e.metadata - 'signal_id')::text
  FROM midwatch.evidence_artifacts e JOIN inc ON inc.id = e.incident_id
  LEFT JOIN midwatch.services s ON s.id = e.service_id;
SELECT 'hypothesis', inc.ident, h.rank, h.hypothesis_type, coalesce(s.name, '-'), h.ref, h.title,
  round(h.confidence::numeric, 3), h.status,
  (SELECT jsonb_agg(t - 'evidence_id') FROM jsonb_array_elements(h.score_details -> 'terms') t)::text
  FROM midwatch.hypotheses h JOIN inc ON inc.id = h.incident_id
  LEFT JOIN midwatch.services s ON s.id = h.service_id;
SELECT 'cites', inc.ident, h.rank, he.role, e.kind, e.ref, he.expected_kind, he.weight, he.note
  FROM midwatch.hypothesis_evidence he JOIN midwatch.hypotheses h ON h.id = he.hypothesis_id
  JOIN inc ON inc.id = h.incident_id
  LEFT JOIN midwatch.evidence_artifacts e ON e.id = he.evidence_id;
SELECT 'features', s.name, f.metric_name, f.feature_name, count(*), round(sum(f.value)::numeric, 3)
  FROM midwatch.anomaly_features f JOIN midwatch.services s ON s.id = f.service_id
  GROUP BY 2, 3, 4;
EOF
}

"$MIDWATCH" demo --emit "$TAP_TMP/d.jsonl" --truth "$TAP_TMP/t.json" --seed 2 >/dev/null 2>&1
t_ok $? "the demo scenario is generated"

# --- a clean run, then the same again -------------------------------------
pgtest_createdb clean
t_run "ingest into a fresh database" "$MIDWATCH" ingest "$TAP_TMP/d.jsonl"
out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "a run exits 0" "0" "$rc"
t_match "it prints the run id and window" \
    "^run [0-9]+ completed: window 2026-11-16T00:00:00Z \.\. 2026-11-16T23:59" "$out"
t_match "it prints counts per stage" "detect +.*signals [0-9]+" "$out"
t_match "... for the gate" "gate +.*approved [0-9]+" "$out"
t_match "... for hypothesize" "hypothesize +.*hypotheses [0-9]+" "$out"
n=$(pgtest_psql -c "select count(*) from midwatch.pipeline_runs where status = 'completed' and window_end is not null and summary ? 'detect' and summary ? 'hypothesize' and finished_at >= started_at")
t_eq "the run row is completed with a summary" "1" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.signals where run_id is null")
t_eq "every signal carries its run id" "0" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.audit_entries where action = 'pipeline.completed'")
t_eq "the run is audited" "1" "$n"
dump >"$TAP_TMP/clean1"
n=$(grep -c '^hypothesis|' "$TAP_TMP/clean1")
t_ok "$([ "$n" -gt 5 ]; echo $?)" "the clean run produced hypotheses ($n)"
# Each cited artifact carries one role per hypothesis: the net effect of the
# terms citing it, as the score breakdown says.
n=$(pgtest_psql -c "select count(*) from (select hypothesis_id, evidence_id from midwatch.hypothesis_evidence where evidence_id is not null group by 1, 2 having count(distinct role) > 1) x")
t_eq "no (hypothesis, evidence) pair is cited with two roles" "0" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.hypothesis_evidence he join midwatch.hypotheses h on h.id = he.hypothesis_id where he.evidence_id is not null and (select count(*) filter (where t->>'evidence_role' is distinct from he.role) + case when sum((t->>'points')::numeric) > 0 and he.role <> 'supports' or sum((t->>'points')::numeric) < 0 and he.role <> 'contradicts' then 1 else 0 end from jsonb_array_elements(h.score_details -> 'terms') t where (t->>'evidence_id')::bigint = he.evidence_id) <> 0")
t_eq "... and its role is the sign of its terms' net points, as score_details says" "0" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.hypothesis_evidence he join midwatch.hypotheses h on h.id = he.hypothesis_id where he.evidence_id is not null and (select count(distinct t->>'role') from jsonb_array_elements(h.score_details -> 'terms') t where (t->>'evidence_id')::bigint = he.evidence_id) > 1")
t_ok "$([ "$n" -gt 0 ]; echo $?)" "... which the demo exercises: artifacts cited by terms for and against ($n)"
n=$(pgtest_psql -c "select count(*) from midwatch.hypotheses h where abs(coalesce(substring(h.score_details->>'explanation' from ('^' || h.hypothesis_type || ' (?:score -?[0-9]+\\.[0-9]{2}, (?:capped|floored) at )?([0-9]\\.[0-9]{2}):'))::numeric, -9) - h.confidence::numeric) > 0.0051")
t_eq "every score explanation shows the hypothesis's confidence" "0" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.hypotheses h where (h.score_details->>'score')::numeric > 0.99 and h.score_details->>'explanation' ~ 'capped at 0\\.99:'")
t_ok "$([ "$n" -gt 0 ]; echo $?)" "... saying when the score was capped ($n)"

out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "a second run with no new data exits 0" "0" "$rc"
t_match "... and says there was nothing new" "nothing new since the last run" "$out"
n=$(pgtest_psql -c "select count(*) from midwatch.pipeline_runs")
t_eq "... and records no run" "1" "$n"

out=$("$MIDWATCH" run --since 2026-11-16T00:00:00Z 2>&1); rc=$?
t_eq "recomputing the same window with --since exits 0" "0" "$rc"
dump >"$TAP_TMP/clean2"
if cmp -s "$TAP_TMP/clean1" "$TAP_TMP/clean2"; then t_ok 0 "the recomputed window gives identical derived rows"; else
	t_ok 1 "the recomputed window gives identical derived rows"; diff "$TAP_TMP/clean1" "$TAP_TMP/clean2" | head -20 | sed 's/^/# /'; fi
n=$(pgtest_psql -c "select count(*) from midwatch.incidents")
n1=$(grep -c '^incident|' "$TAP_TMP/clean1")
t_eq "no incident was duplicated" "$n1" "$n"

# Human state survives a recomputation.
pgtest_psql -c "update midwatch.hypotheses set status = 'rejected', status_source = 'feedback' where rank = 1 and incident_id = (select min(incident_id) from midwatch.hypotheses)"
pgtest_psql -c "update midwatch.incidents set status = 'resolved', status_source = 'feedback' where id = (select min(incident_id) from midwatch.hypotheses)"
"$MIDWATCH" run --since 2026-11-16T00:00:00Z >/dev/null 2>&1
n=$(pgtest_psql -c "select count(*) from midwatch.hypotheses where status = 'rejected' and status_source = 'feedback'")
t_eq "a hypothesis an operator rejected keeps its status" "1" "$n"
n=$(pgtest_psql -c "select rank > 1 from midwatch.hypotheses where status = 'rejected'")
t_eq "... and no longer ranks first" "t" "$n"
n=$(pgtest_psql -c "select status from midwatch.incidents where id = (select min(incident_id) from midwatch.hypotheses)")
t_eq "an incident an operator resolved stays resolved" "resolved" "$n"

# --- the same day in many small runs ----------------------------------------
pgtest_createdb stepwise
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
ok=0
for at in 02:30 05:10 07:45 10:20 13:05 15:40 18:15 20:50 22:35; do
	"$MIDWATCH" run --at "2026-11-16T$at:00Z" >/dev/null 2>&1 || ok=1
done
"$MIDWATCH" run >/dev/null 2>&1 || ok=1
t_ok $ok "ten runs through the day, each from the last watermark, all complete"
n=$(pgtest_psql -c "select count(*) from midwatch.pipeline_runs where status = 'completed'")
t_eq "... as ten run rows" "10" "$n"
dump >"$TAP_TMP/stepwise"
if cmp -s "$TAP_TMP/clean1" "$TAP_TMP/stepwise"; then t_ok 0 "the stepwise runs give the derived rows of one run over the day"; else
	t_ok 1 "the stepwise runs give the derived rows of one run over the day"; diff "$TAP_TMP/clean1" "$TAP_TMP/stepwise" | head -20 | sed 's/^/# /'; fi

# --- a run killed after the gate -------------------------------------------
pgtest_createdb killed
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
MIDWATCH_TEST_DIE_AFTER_STAGE=gate "$MIDWATCH" run >/dev/null 2>&1; rc=$?
t_eq "a run killed after the gate exits non-zero" "1" "$rc"
n=$(pgtest_psql -c "select status || '/' || current_stage from midwatch.pipeline_runs")
t_eq "its row is left running" "running/gate" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.incidents")
t_ok "$([ "$n" -gt 0 ]; echo $?)" "the committed stages' rows are there ($n incidents)"
n=$(pgtest_psql -c "select count(*) from midwatch.hypotheses")
t_eq "the stages after it never ran" "0" "$n"
out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "the next run exits 0" "0" "$rc"
n=$(pgtest_psql -c "select id || ':' || status || ':' || coalesce(error like 'abandoned%', false)::text from midwatch.pipeline_runs order by id")
t_eq "the killed run is marked failed (abandoned), the new one completed" \
    "$(printf '1:failed:true\n2:completed:false')" "$n"
n=$(pgtest_psql -c "select window_start = (select window_start from midwatch.pipeline_runs where id = 1) from midwatch.pipeline_runs where id = 2")
t_eq "the new run covers the abandoned run's window again" "t" "$n"
dump >"$TAP_TMP/killed"
if cmp -s "$TAP_TMP/clean1" "$TAP_TMP/killed"; then t_ok 0 "after the crash the derived rows equal a clean run's"; else
	t_ok 1 "after the crash the derived rows equal a clean run's"; diff "$TAP_TMP/clean1" "$TAP_TMP/killed" | head -20 | sed 's/^/# /'; fi

# --- a unit that fails --------------------------------------------------------
# A trigger refuses every evidence row: each incident's evidence unit fails
# and is rolled back alone; the run completes degraded.
pgtest_createdb failing
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
pgtest_psql <<'EOF'
CREATE FUNCTION midwatch.test_refuse() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
CREATE TRIGGER test_refuse BEFORE INSERT ON midwatch.evidence_artifacts
  FOR EACH ROW EXECUTE FUNCTION midwatch.test_refuse();
EOF
out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "a run whose units fail exits 1" "1" "$rc"
t_match "it prints the stage, the unit and the error" "evidence incident [0-9]+: refused by the test" "$out"
n=$(pgtest_psql -c "select status || ':' || (skipped_units > 0) || ':' || (summary -> 'skipped' -> 0 ->> 'reason' like 'refused by the test%') from midwatch.pipeline_runs")
t_eq "the run row is completed with the skipped units and the error" "completed:true:true" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.evidence_artifacts")
t_eq "the failed units left nothing behind" "0" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.hypotheses")
t_eq "incidents without their evidence get no hypotheses" "0" "$n"
pgtest_psql -c "drop trigger test_refuse on midwatch.evidence_artifacts"
start=$(pgtest_psql -c "select to_char(window_start at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from midwatch.pipeline_runs")
t_run "after the cause is gone the window is recomputed" "$MIDWATCH" run --since "$start"
dump >"$TAP_TMP/failing"
if cmp -s "$TAP_TMP/clean1" "$TAP_TMP/failing"; then t_ok 0 "... with the same derived rows as a clean run"; else
	t_ok 1 "... with the same derived rows as a clean run"; diff "$TAP_TMP/clean1" "$TAP_TMP/failing" | head -20 | sed 's/^/# /'; fi

# --- the server restarts during a run -----------------------------------------
# A statement trigger stalls the evidence stage; the server is restarted
# while the run waits in it.
pgtest_createdb restarted
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
pgtest_psql <<'EOF'
CREATE FUNCTION midwatch.test_stall() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$;
CREATE TRIGGER test_stall AFTER INSERT ON midwatch.evidence_artifacts
  FOR EACH STATEMENT EXECUTE FUNCTION midwatch.test_stall();
EOF
"$MIDWATCH" run >"$TAP_TMP/restart.out" 2>&1 &
runner=$!
pgtest_sleepers restarted 1 30
pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -l "$PGTEST_DIR/log" -m fast -w restart >/dev/null 2>&1
wait $runner; rc=$?
out=$(cat "$TAP_TMP/restart.out")
t_eq "a run whose server restarts exits 1" "1" "$rc"
t_match "it says which stage lost the connection" "run 1 failed: stage evidence: incident [0-9]+: database connection lost: .*terminating connection" "$out"
t_eq "... in one line" "1" "$(printf '%s\n' "$out" | grep -c 'database connection lost')"
n=$(pgtest_psql -c "select status || ':' || (error ~ '^stage evidence: incident [0-9]+: database connection lost')::text from midwatch.pipeline_runs")
t_eq "it reconnects to mark its run failed with the reason" "failed:true" "$n"
n=$(pgtest_psql -c "select count(*) from midwatch.evidence_artifacts")
t_eq "the interrupted stage left nothing behind" "0" "$n"
pgtest_psql -c "drop trigger test_stall on midwatch.evidence_artifacts"
t_run "the next run completes" "$MIDWATCH" run
dump >"$TAP_TMP/restarted"
if cmp -s "$TAP_TMP/clean1" "$TAP_TMP/restarted"; then t_ok 0 "... with the same derived rows as a clean run"; else
	t_ok 1 "... with the same derived rows as a clean run"; diff "$TAP_TMP/clean1" "$TAP_TMP/restarted" | head -20 | sed 's/^/# /'; fi

# --- the lock ---------------------------------------------------------------
pgtest_createdb locked
"$MIDWATCH" ingest "$TAP_TMP/d.jsonl" >/dev/null 2>&1
proj=$(pgtest_psql -c "select id from midwatch.projects where slug = 'default'")
key=$(( 0x6d77000000000002 + proj ))
pgtest_psql -c "insert into midwatch.pipeline_runs (project_id, status, requested_by, started_at) values ($proj, 'running', 'console:alice', now())"
psql -X -q -At -c "select pg_advisory_lock($key)" -c "select pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
i=0
while [ "$(pgtest_psql -c "select count(*) from pg_locks where locktype = 'advisory' and granted and objid = ($key & 4294967295)")" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "run while another session holds the lock exits 1" "1" "$rc"
t_match "... saying who holds it" "pipeline is locked by console:alice \(run 1, running since .*pid [0-9]+\)" "$out"
n=$(pgtest_psql -c "select count(*) from midwatch.pipeline_runs")
t_eq "... and starts no run" "1" "$n"
pgtest_psql -c "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = ($key & 4294967295)" >/dev/null
wait $holder 2>/dev/null
out=$("$MIDWATCH" run 2>&1); rc=$?
t_eq "once the lock is free the run proceeds" "0" "$rc"
n=$(pgtest_psql -c "select status || ':' || (error like 'abandoned%')::text from midwatch.pipeline_runs where id = 1")
t_eq "the stale running row is marked abandoned" "failed:true" "$n"
t_done
