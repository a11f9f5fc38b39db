#!/bin/sh
# test_investigate.sh - `midwatch investigate --at TS` (issue 8): an incident
# anchored at a moment, with ranked root causes, even when the detectors saw
# nothing.  A small world: web -> api -> pay -> payments-db, api -> cache;
# steady metrics for three hours; at 02:00 a deploy of pay (at 01:57, a
# risky timeout change) and a moderate rise of errors and latency on pay and
# its caller api that the pipeline's detectors do not open an incident for;
# a decoy deploy of web an hour before; at 02:40 a strong error spike on
# cache that they do.  Checks:
#  - investigate exits 0, prints the incident, ranks release/pay/deploy-pay-42
#    first; --json is one object with the `incidents --json` element's keys;
#  - re-running updates the same incident and signals (no duplicates);
#  - `midwatch run` afterwards keeps the investigation's signals where they
#    are (not deleted, regrouped or closed), its window covers all the data
#    (the investigation's runs are no watermark) and its health is its own;
#  - a moment an approved incident covers returns that incident; --service
#    takes one whose services include it, else opens its own;
#  - --readonly is refused (nothing written), an unknown service and a
#    moment before the data are clear errors (exit 1), usage errors exit 2;
#  - the console's `:investigate TS [SERVICE]` runs it in the background and
#    selects the incident.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
con_setup
pgtest_createdb inv

T=2026-11-16T02:00:00Z
q() { pgtest_psql -c "$1"; }

. "$top_srcdir/tests/pipeline/inv_world.sh"
inv_world "$TAP_TMP/world.jsonl"
t_run "the world ingests" "$MIDWATCH" ingest "$TAP_TMP/world.jsonl"

# --- usage, refusals, errors ---------------------------------------------------
out=$("$MIDWATCH" investigate --help); rc=$?
t_eq "--help exits 0" "0" "$rc"
t_match "... and prints the usage" "^usage: midwatch investigate --at TS" "$out"
"$MIDWATCH" investigate >/dev/null 2>&1; rc=$?
t_eq "no --at is a usage error (exit 2)" "2" "$rc"
"$MIDWATCH" investigate --at yesterday >/dev/null 2>&1; rc=$?
t_eq "a bad --at is a usage error (exit 2)" "2" "$rc"
"$MIDWATCH" investigate --at "$T" --window 5 >/dev/null 2>&1; rc=$?
t_eq "a bad --window is a usage error (exit 2)" "2" "$rc"
err=$("$MIDWATCH" --readonly investigate --at "$T" 2>&1 >/dev/null); rc=$?
t_eq "--readonly is refused (exit 1)" "1" "$rc"
t_match "... saying why" "investigate: refused: --readonly" "$err"
err=$("$MIDWATCH" investigate --readonly --at "$T" 2>&1 >/dev/null); rc=$?
t_eq "--readonly after the command is refused too" "1" "$rc"
t_eq "... and nothing was written" "0:0" "$(q "select (select count(*) from midwatch.pipeline_runs) || ':' || (select count(*) from midwatch.incidents)")"
err=$("$MIDWATCH" investigate --at "$T" --service nosuch 2>&1 >/dev/null); rc=$?
t_eq "an unknown service exits 1" "1" "$rc"
t_match "... naming it" "no service named 'nosuch'" "$err"
err=$("$MIDWATCH" investigate --at 2026-11-15T02:00:00Z 2>&1 >/dev/null); rc=$?
t_eq "a moment before the data exits 1" "1" "$rc"
t_match "... saying so" "2026-11-15T02:00:00Z is before the project's data \(its metric points start at 2026-11-16T00:00:00Z\)" "$err"
err=$("$MIDWATCH" investigate --at 2026-11-17T02:00:00Z 2>&1 >/dev/null); rc=$?
t_eq "a moment after the data exits 1" "1" "$rc"
t_match "... saying so" "after the project's newest data \(2026-11-16T02:59:00Z\)" "$err"
t_eq "refusals write nothing" "0:0" "$(q "select (select count(*) from midwatch.pipeline_runs) || ':' || (select count(*) from midwatch.incidents)")"

# --- the investigation --------------------------------------------------------------
out=$("$MIDWATCH" --as alice investigate --at "$T" 2>"$TAP_TMP/inv.err"); rc=$?
t_eq "investigate exits 0" "0" "$rc"
t_match "it says what it found" "^investigation of $T \(run [0-9]+\): [1-9][0-9]* abnormal series on [2-9] services" "$out"
t_match "it prints the incident as incidents does" "^[0-9]+ +open +[a-z]+ +pay +2026-11-16 02:00-02:15 +investigation at 02:00 UTC" "$out"
t_match "... with release deploy-pay-42 ranked first" "^ +1\. release +[0-9.]+ +release deploy-pay-42 of pay" "$out"
inc=$(q "select id from midwatch.incidents where dedupe_key = 'investigate:' || extract(epoch from '$T'::timestamptz)::bigint")
t_match "the incident is keyed by the moment" "^[0-9]+$" "$inc"
t_eq "it is open, triggered by the investigation, windowed at the moment" \
    "open:investigation:2026-11-16 02:00:00+00:2026-11-16 02:15:00+00:pay" \
    "$(q "select i.status || ':' || i.trigger_type || ':' || i.window_start || ':' || i.window_end || ':' || s.name from midwatch.incidents i join midwatch.services s on s.id = i.service_id where i.id = $inc")"
t_eq "approved under gate-v1, saying who asked" \
    "approved:gate-v1:investigation requested by alice at $T" \
    "$(q "select decision || ':' || policy_version || ':' || rationale from midwatch.incident_decisions where incident_id = $inc")"
t_eq "the abnormal series of pay and api are its signals, from the investigation" \
    "api/error_rate_spike,api/latency_regression,pay/error_rate_spike,pay/latency_regression" \
    "$(q "select string_agg(v.name || '/' || s.signal_type, ',' order by v.name, s.signal_type) from midwatch.signals s join midwatch.services v on v.id = s.service_id where s.incident_id = $inc and s.details ->> 'source' = 'investigate'")"
t_eq "nothing on the services that stayed normal" "0" \
    "$(q "select count(*) from midwatch.signals s join midwatch.services v on v.id = s.service_id where v.name in ('web', 'cache', 'payments-db')")"
t_eq "every row it wrote carries its run" "t" \
    "$(q "select bool_and(x) from (select s.run_id = r.id as x from midwatch.signals s, midwatch.pipeline_runs r where r.kind = 'investigate' union all select i.run_id = r.id from midwatch.incidents i, midwatch.pipeline_runs r where i.id = $inc union all select h.run_id = r.id from midwatch.hypotheses h, midwatch.pipeline_runs r where h.incident_id = $inc union all select e.run_id = r.id from midwatch.evidence_artifacts e, midwatch.pipeline_runs r where e.incident_id = $inc) t")"
t_eq "its run is an investigation, completed, over the window" \
    "investigate:completed:2026-11-16 02:00:00+00:2026-11-16 02:15:00+00:cli:alice" \
    "$(q "select kind || ':' || status || ':' || window_start || ':' || window_end || ':' || requested_by from midwatch.pipeline_runs")"
t_eq "audited as incident.investigate" "1:alice" \
    "$(q "select count(*) || ':' || min(actor) from midwatch.audit_entries where action = 'incident.investigate' and target = 'incident:$inc'")"
t_eq "the deploy is evidence, 3 minutes before the moment" "t" \
    "$(q "select (metadata ->> 'lead_minutes')::numeric = 3 from midwatch.evidence_artifacts where incident_id = $inc and dedupe_key = 'deployment:deploy-pay-42'")"
t_eq "the rank-1 hypothesis cites it in support" "release:deploy-pay-42:supports" \
    "$(q "select h.hypothesis_type || ':' || h.ref || ':' || he.role from midwatch.hypotheses h join midwatch.hypothesis_evidence he on he.hypothesis_id = h.id join midwatch.evidence_artifacts e on e.id = he.evidence_id where h.incident_id = $inc and h.rank = 1 and e.kind = 'deployment'")"
t_eq "a recommendation follows from it" "1" \
    "$(q "select count(*) from midwatch.recommendations r join midwatch.hypotheses h on h.id = r.hypothesis_id where r.incident_id = $inc and h.rank = 1 and r.type = 'rollback' and r.publishable")"
t_eq "and a report" "1" "$(q "select count(*) from midwatch.incident_reports where incident_id = $inc")"

# --json: one object of the incidents --json shape
"$MIDWATCH" investigate --at "$T" --json >"$TAP_TMP/inv.json" 2>"$TAP_TMP/inv.err"; rc=$?
t_eq "--json exits 0" "0" "$rc"
t_eq "--json prints one JSON object" "object" "$(jq -r type "$TAP_TMP/inv.json" 2>&1)"
t_eq "... the same incident" "$inc" "$(jq -r .id "$TAP_TMP/inv.json")"
t_eq "... with release/pay/deploy-pay-42 at rank 1" "1:release:pay:deploy-pay-42" \
    "$(jq -r '.hypotheses[0] | "\(.rank):\(.type):\(.service):\(.ref)"' "$TAP_TMP/inv.json")"
t_eq "... and the contract's keys" "true" "$(jq -r 'has("id") and has("service") and has("status") and has("severity") and has("trigger_type") and has("window_start") and has("window_end") and has("decision") and has("hypotheses") and has("recommendations") and has("alerts") and (.decision | has("decision") and has("rationale") and has("policy_version"))' "$TAP_TMP/inv.json")"
"$MIDWATCH" incidents --json >"$TAP_TMP/incidents.json"
t_eq "exactly the keys of an incidents --json element" \
    "$(jq -c "[.[] | select(.id == $inc)][0] | [paths | map(if type == \"number\" then 0 else . end)] | unique" "$TAP_TMP/incidents.json")" \
    "$(jq -c '[paths | map(if type == "number" then 0 else . end)] | unique' "$TAP_TMP/inv.json")"
t_match "what it did goes to stderr with --json" "^midwatch: investigate: investigation of $T" "$(cat "$TAP_TMP/inv.err")"

# re-running updates, never duplicates
t_eq "re-running keeps one incident, one decision, the same signals" "1:1:4" \
    "$(q "select (select count(*) from midwatch.incidents where dedupe_key like 'investigate:%') || ':' || (select count(*) from midwatch.incident_decisions where incident_id = $inc) || ':' || (select count(*) from midwatch.signals where incident_id = $inc)")"
t_eq "... now written by the second run" "t" \
    "$(q "select bool_and(s.run_id = (select max(id) from midwatch.pipeline_runs)) from midwatch.signals s where s.incident_id = $inc")"
t_eq "... and the hypotheses are not duplicated" "t" \
    "$(q "select count(*) = count(distinct dedupe_key) and count(*) = max(rank) from midwatch.hypotheses where incident_id = $inc")"

# investigations are no pipeline runs
"$MIDWATCH" status >/dev/null 2>&1; rc=$?
t_eq "status is not moved by investigations" "0" "$rc"
t_match "... which set no watermark" "^watermark -" "$("$MIDWATCH" status)"
MIDWATCH_TEST_FAIL_UNIT='hypothesize:incident:*' "$MIDWATCH" investigate --at "$T" >"$TAP_TMP/deg.out" 2>&1; rc=$?
t_eq "an investigation that skipped a unit exits 1" "1" "$rc"
t_match "... and says so" "completed degraded: [0-9]+ units? skipped" "$(cat "$TAP_TMP/deg.out")"
"$MIDWATCH" status >/dev/null 2>&1; rc=$?
t_eq "... yet the pipeline's health is its own (status 0)" "0" "$rc"
"$MIDWATCH" investigate --at "$T" >/dev/null 2>&1
sigs_before=$(q "select string_agg(id || '/' || incident_id || '/' || onset_at || '/' || ended_at, ',' order by id) from midwatch.signals where details ->> 'source' = 'investigate'")

# --- the pipeline afterwards ------------------------------------------------------
t_run "a pipeline run afterwards completes" "$MIDWATCH" run
t_eq "it covered all the data (the investigations are no watermark)" \
    "2026-11-16 00:00:00+00:2026-11-16 02:59:00+00" \
    "$(q "select window_start || ':' || window_end from midwatch.pipeline_runs where kind = 'pipeline'")"
t_eq "the detectors saw nothing at the moment (no incident of theirs)" "0" \
    "$(q "select count(*) from midwatch.incidents where dedupe_key not like 'investigate:%' and window_start < '2026-11-16T02:30:00Z'")"
t_eq "they opened the cache spike" "1" \
    "$(q "select count(*) from midwatch.incidents i join midwatch.services s on s.id = i.service_id where s.name = 'cache' and i.status = 'open' and i.dedupe_key not like 'investigate:%'")"
t_eq "the investigation's signals are kept as they were (not deleted, regrouped or closed)" \
    "$sigs_before" \
    "$(q "select string_agg(id || '/' || incident_id || '/' || onset_at || '/' || ended_at, ',' order by id) from midwatch.signals where details ->> 'source' = 'investigate'")"
t_eq "the investigation's incident is still open and approved" "open:approved" \
    "$(q "select status || ':' || midwatch.incident_decision(project_id, id) from midwatch.incidents where id = $inc")"
t_eq "a second run has nothing to do" "nothing new since the last run (no data newer than the last completed run)" "$("$MIDWATCH" run)"
out=$("$MIDWATCH" status); rc=$?
t_eq "status says ok" "0" "$rc"
t_match "... with the pipeline's watermark" "^watermark 2026-11-16T02:59:00Z" "$out"

# --- moments already covered ----------------------------------------------------------
cache_inc=$(q "select i.id from midwatch.incidents i join midwatch.services s on s.id = i.service_id where s.name = 'cache' and i.dedupe_key not like 'investigate:%'")
out=$("$MIDWATCH" investigate --at 2026-11-16T02:43:00Z); rc=$?
t_eq "a moment the pipeline's incident covers exits 0" "0" "$rc"
t_match "... and returns that incident" "^incident $cache_inc already covers 2026-11-16T02:43:00Z" "$out"
t_eq "... writing no new incident" "1" "$(q "select count(*) from midwatch.incidents where dedupe_key like 'investigate:%'")"
t_eq "... with --json too" "$cache_inc" "$("$MIDWATCH" investigate --at 2026-11-16T02:43:00Z --json 2>/dev/null | jq -r .id)"
out=$("$MIDWATCH" investigate --at 2026-11-16T02:05:00Z --service api); rc=$?
t_eq "--service api at a moment the investigation covers returns it" "0:$inc" \
    "$rc:$(printf '%s\n' "$out" | sed -n 's/^incident \([0-9]*\) already covers.*/\1/p')"
out=$("$MIDWATCH" investigate --at "$T" --service web --json 2>/dev/null); rc=$?
t_eq "--service web (not among its services) opens its own" "0:web:2" \
    "$rc:$(printf '%s\n' "$out" | jq -r .service):$(q "select count(*) from midwatch.incidents where dedupe_key like 'investigate:%'")"
t_eq "... keyed by the moment and the service" "1" \
    "$(q "select count(*) from midwatch.incidents i join midwatch.services s on s.id = i.service_id where s.name = 'web' and i.dedupe_key = 'investigate:' || extract(epoch from '$T'::timestamptz)::bigint || ':' || s.id")"
t_eq "... with the joined services' anomalies and the same rank 1" "release:deploy-pay-42" \
    "$(printf '%s\n' "$out" | jq -r '.hypotheses[0] | "\(.type):\(.ref)"')"

# --- the console: :investigate TS [SERVICE] ------------------------------------------
con_start inv 120 30 -- --as carol
con_wait inv "Incidents" 15 || true
con_keys inv ":"
con_keys inv -l "investigate 2026-11-16T02:27:00Z pay"
con_keys inv Enter
t_run "the console's :investigate reports its result" \
    con_wait inv "investigation of 2026-11-16T02:27:00Z on pay opened incident #[0-9]+" 20
new=$(q "select i.id from midwatch.incidents i join midwatch.services s on s.id = i.service_id where i.dedupe_key = 'investigate:' || extract(epoch from '2026-11-16T02:27:00Z'::timestamptz)::bigint || ':' || s.id and s.name = 'pay'")
t_match "... which opened the incident of that moment" "^[0-9]+$" "$new"
t_eq "... requested by the console's operator" "console:carol" \
    "$(q "select requested_by from midwatch.pipeline_runs where kind = 'investigate' order by id desc limit 1")"
t_run "... and selected it" \
    con_wait inv "Hypotheses & evidence \([0-9]+\) incident #$new" 10
con_keys inv ":"
con_keys inv -l "investigate 2026-11-16T02:43:00Z"
con_keys inv Enter
t_run "a moment an incident covers names it in the console" \
    con_wait inv "incident #$cache_inc already covers 2026-11-16T02:43:00Z" 20
t_run "... and selects it" \
    con_wait inv "Hypotheses & evidence \([0-9]+\) incident #$cache_inc" 10
con_keys inv ":"
con_keys inv -l "investigate soon"
con_keys inv Enter
t_run "a bad time is refused in the console" \
    con_wait inv "not an RFC 3339 time|usage: investigate" 10
con_keys inv ":"
con_keys inv -l "investigate 2026-11-16T02:20:00Z nosuch"
con_keys inv Enter
t_run "an unknown service is named in the console" \
    con_wait inv "no service named 'nosuch'" 20
con_keys inv q
t_eq "the console exits 0" "0" "$(con_exited inv 10)"
t_done
