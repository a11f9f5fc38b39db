#!/bin/sh
# test_stages.sh - the recommend, alert and report stages over the SQL
# fixture (tests/model/fixture.sql), driven one window at a time by
# tests/model/stage_driver: the evidence gate and hidden recommendations,
# alerts per rule source with stable fingerprints, notifications queued per
# channel, idempotent re-runs, cooldown and silences, human status kept
# across runs, and the markdown report with its cited evidence.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
DRIVER=$top_builddir/tests/model/stage_driver
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
pgtest_psql -f "$top_srcdir/tests/model/fixture.sql" >/dev/null ||
	{ echo "Bail out! fixture failed"; exit 1; }
MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR
q() { pgtest_psql -c "$1"; }
run() { "$DRIVER" --since "$1" --at "$2" recommend alert report 2>"$TAP_TMP/driver.err"; }

# Rule set-up: notifications for "incident opened" on two channels and on no
# channel for the other rules (the default "log" channel of 006_audit3.sql is
# checked on demo data by tests/pipeline/test_contract.sh), one rule
# disabled, one the stage cannot understand; payments also goes down, and
# inventory's outage falls in a maintenance window.
t_eq "the default rules notify the log channel" "t" \
    "$(q "select count(*) > 0 and bool_and(channels = '[{\"name\": \"log\", \"kind\": \"log\"}]') from midwatch.alert_rules where created_by = 'system'")"
q "update midwatch.alert_rules set channels = '[]'" >/dev/null
q "update midwatch.alert_rules set channels = '[{\"name\": \"ops\", \"kind\": \"slack\"}, \"pager\"]'
    where name = 'incident opened'" >/dev/null
q "update midwatch.alert_rules set enabled = false where name = 'new error fingerprint'" >/dev/null
q "insert into midwatch.alert_rules (project_id, name, kind, config)
    select id, 'broken', 'pattern', '{\"source\": \"bogus\"}' from midwatch.projects where slug = 'default'" >/dev/null
q "insert into midwatch.health_checks (project_id, service_id, ts, status)
    select (select id from midwatch.projects where slug = 'default'), 101, t, 'down'
      from generate_series('2026-11-16T13:41:30Z'::timestamptz, '2026-11-16T13:45:30Z', interval '1 minute') t" >/dev/null
q "insert into midwatch.maintenance_windows (project_id, service_id, starts_at, ends_at, reason)
    select id, 102, '2026-11-16T13:15:00Z', '2026-11-16T13:30:00Z', 'db upgrade'
      from midwatch.projects where slug = 'default'" >/dev/null

out=$(run 2026-11-15T10:00:00Z 2026-11-15T11:00:00Z); rc=$?
t_eq "a window with no incidents runs" 0 "$rc"
t_eq "and writes nothing" "0|0|0" \
    "$(q "select (select count(*) from midwatch.recommendations), (select count(*) from midwatch.alerts where id < 800), (select count(*) from midwatch.incident_reports)")"

out=$(run 2026-11-16T12:00:00Z 2026-11-16T14:00:00Z 2>&1); rc=$?
t_eq "the stages run over the incident window" 0 "$rc"
t_match "a rule the stage cannot read is skipped, not fatal" '"skipped":\[\{"reason":"unknown source[^"]*","rule":"broken"\}\]' "$out"

# --- recommend ----------------------------------------------------------------
t_eq "a release hypothesis yields a rollback of its deploy" \
    "rollback|Roll back deploy d-123 of checkout|2|passed|t" \
    "$(q "select type, title, evidence_count, gate_status, publishable from midwatch.recommendations where hypothesis_id = 400")"
t_eq "a config hypothesis yields a revert" "revert_config|Revert config change cfg-9 on payments|t" \
    "$(q "select type, title, publishable from midwatch.recommendations where hypothesis_id = 401")"
t_eq "a db hypothesis yields failover and investigate" "failover,investigate" \
    "$(q "select string_agg(type, ',' order by type) from midwatch.recommendations where hypothesis_id = 410")"
t_eq "without supporting evidence the gate holds them back" "2|blocked|no supporting evidence|0" \
    "$(q "select count(*), min(gate_status), min(gate_reason), sum(evidence_count) from midwatch.recommendations where hypothesis_id = 402 and not publishable")"
t_eq "suppressed and resolved incidents get no recommendations" 0 \
    "$(q "select count(*) from midwatch.recommendations where incident_id in (201, 202)")"
json=$("$MIDWATCH" incidents --json)
t_match "held-back recommendations are hidden from incidents --json" '"Roll back deploy d-123 of checkout"' "$json"
case $json in *"Scale out checkout"*) r=1 ;; *) r=0 ;; esac
t_ok "$r" "the held-back scale-out is not listed by default"
all=$("$MIDWATCH" incidents --json --all)
t_match "but is listed with --all, unpublishable" '"title": "Scale out checkout to absorb the traffic",[^}]*"publishable": false' "$(printf '%s' "$all" | tr -d '\n')"

q "update midwatch.hypotheses set confidence = 0.1 where id = 401" >/dev/null
run 2026-11-16T12:00:00Z 2026-11-16T14:00:00Z >/dev/null
t_eq "below the confidence floor the gate holds it back" "f|confidence 0.10 below the floor 0.20" \
    "$(q "select publishable, gate_reason from midwatch.recommendations where hypothesis_id = 401")"
q "update midwatch.hypotheses set confidence = 0.41 where id = 401" >/dev/null

rb=$(q "select id from midwatch.recommendations where hypothesis_id = 400")
"$MIDWATCH" done "$rb" >/dev/null
q "select midwatch.mark_recommendations_shown((select id from midwatch.projects where slug = 'default'), array[$rb]::bigint[])" >/dev/null

# --- alert --------------------------------------------------------------------
t_eq "one alert per approved incident, with its severity and link" \
    "incident:inc-200|200|high|incident opened,incident:inc-203|203|critical|critical incident opened" \
    "$(q "select string_agg(a.fingerprint || '|' || a.incident_id || '|' || a.severity || '|' || r.name, ',' order by a.fingerprint) from midwatch.alerts a join midwatch.alert_rules r on r.id = a.rule_id where a.fingerprint like 'incident:%'")"
t_eq "no alert for the suppressed incident" 0 "$(q "select count(*) from midwatch.alerts where incident_id = 201")"
t_eq "a metric held over its threshold alerts once, linked to the incident" \
    "error_ratio > 0.05 on checkout|200|2026-11-16T13:10:00+00:00" \
    "$(q "select title, incident_id, details->>'fired_at' from midwatch.alerts where fingerprint like 'rule:%:metric:100:error_ratio:'")"
t_eq "a rising trend alerts, linked to the incident" "1|203" \
    "$(q "select count(*), min(incident_id) from midwatch.alerts where fingerprint like 'rule:%:trend:101:latency_p99_ms:'")"
t_eq "a service down long enough alerts" "payments down (health checks)" \
    "$(q "select title from midwatch.alerts where fingerprint like 'rule:%:health:101'")"
t_eq "an outage inside a maintenance window does not" 0 \
    "$(q "select count(*) from midwatch.alerts where fingerprint like 'rule:%:health:102'")"
t_eq "an external alert signal alerts" "external_alert on checkout: CheckoutErrors firing|200" \
    "$(q "select title, incident_id from midwatch.alerts where fingerprint = 'signal:sig-am-checkout'")"
t_eq "a disabled rule alerts on nothing" 0 \
    "$(q "select count(*) from midwatch.alerts where fingerprint = 'signal:sig-fp-checkout'")"
t_eq "a notification is queued per channel of the rule" "ops|slack,pager|webhook" \
    "$(q "select string_agg(m.channel || '|' || m.channel_kind, ',' order by m.channel) from midwatch.outbound_messages m join midwatch.alerts a on a.id = m.alert_id where a.fingerprint = 'incident:inc-200'")"
t_eq "rules without channels queue nothing" 2 "$(q "select count(*) from midwatch.outbound_messages")"
t_eq "the rule records when it last alerted (data time)" "2026-11-16 13:40:00+00" \
    "$(q "select last_triggered_at from midwatch.alert_rules where name = 'incident opened'")"

# --- report -------------------------------------------------------------------
md=$("$MIDWATCH" report 200); rc=$?
t_eq "the report of an approved incident exists" 0 "$rc"
t_match "it names the incident" "^# Incident 200: Error rate spike on checkout$" "$md"
t_match "it has the ranked hypotheses" "^### 1\. Deploy d-123 broke checkout \(release, confidence 0\.82\)" "$md"
t_match "with the evidence each cites" "^- supports \[E300\] deployment: deploy d-123 of checkout" "$md"
t_match "contradicting evidence" "^- contradicts \[E300\] deployment" "$md"
t_match "and missing evidence" "^- missing error_fingerprint: no timeout errors logged" "$md"
t_match "it explains why rank 1 beat rank 2" "temporal 0\.90 against 0\.40" "$md"
t_match "with the ranking's own terms" "^- Rank 1 scored: \+0\.40 deployed 3 min before the onset; -0\.05 no canary stage seen\.$" "$md"
t_match "it lists recommendations with their gate" "Held back: \*\*Scale out checkout to absorb the traffic\*\*.*gate blocked: no supporting evidence" "$md"
t_match "it has a timeline with the deploy" "^\| 2026-11-16T13:02:00Z \| deploy \| deploy d-123 of checkout to v2\.4\.1 \|$" "$md"
t_match "and the config change" "config change cfg-9: env_var payments-api on payments" "$md"
t_match "outside text is escaped for markdown" 'TIMEOUT 5s -\\> 1s on payments-api \\\| \\<b\\>' "$md"
case $md in *"$(printf '\033')"*) r=1 ;; *) r=0 ;; esac
t_ok "$r" "outside text carries no escape sequences"
t_eq "the cited evidence ids are stored" "{300,302,303}" \
    "$(q "select evidence_ids from midwatch.incident_reports where incident_id = 200")"
t_match "and listed" "^E300, E302, E303$" "$md"
out=$("$MIDWATCH" report 201 2>&1); rc=$?
t_eq "a suppressed incident gets no report" 1 "$rc"

# --- idempotency ----------------------------------------------------------------
state() {
	q "select md5(string_agg(x, ';' order by x)) from (
	    select 'r' || id || status || publishable || title || evidence_count || shown_count as x from midwatch.recommendations
	    union all select 'a' || id || fingerprint || status || fire_count || last_fired_at || title from midwatch.alerts
	    union all select 'm' || id || dedupe_key from midwatch.outbound_messages
	    union all select 'p' || id || md5(markdown) || generated_at from midwatch.incident_reports) s"
}
# The operator's "done" changes the report once; from then on a re-run of
# the same window changes nothing at all.
run 2026-11-16T12:00:00Z 2026-11-16T14:00:00Z >/dev/null
before=$(state)
run 2026-11-16T12:00:00Z 2026-11-16T14:00:00Z >/dev/null
t_eq "running the same window again changes nothing" "$before" "$(state)"
t_eq "a human status survives the re-run" "done|1" \
    "$(q "select status, shown_count from midwatch.recommendations where id = $rb")"

# --- cooldown and silences -----------------------------------------------------------
ia=$(q "select id from midwatch.alerts where fingerprint = 'incident:inc-200'")
# (silenced first: acknowledging and resolving the incident's alert, the
# head of its group, does the same to the active symptoms it holds)
sa=$(q "select id from midwatch.alerts where fingerprint = 'signal:sig-am-checkout'")
"$MIDWATCH" silence "$sa" --for 1h >/dev/null
"$MIDWATCH" ack "$ia" >/dev/null
"$MIDWATCH" resolve "$ia" >/dev/null
q "update midwatch.incidents set window_end = '2026-11-16T13:50:00Z' where id = 200" >/dev/null
out=$(run 2026-11-16T13:40:00Z 2026-11-16T14:00:00Z)
t_eq "firing again within the cooldown leaves a resolved alert resolved" "resolved|1" \
    "$(q "select status, fire_count from midwatch.alerts where id = $ia")"
t_match "and is counted as cooldown" '"cooldown":[1-9]' "$out"
q "update midwatch.incidents set window_end = '2026-11-16T14:00:00Z' where id = 200" >/dev/null
run 2026-11-16T13:40:00Z 2026-11-16T14:00:00Z >/dev/null
t_eq "firing after the cooldown makes it active again" "active|2|||" \
    "$(q "select status, fire_count, acknowledged_by, resolved_by, resolved_at from midwatch.alerts where id = $ia")"
t_eq "and notifies again" 4 \
    "$(q "select count(*) from midwatch.outbound_messages where alert_id = $ia")"

q "update midwatch.signals set peak_at = '2026-11-16T13:30:00Z' where id = 501" >/dev/null
run 2026-11-16T13:00:00Z 2026-11-16T14:00:00Z >/dev/null
t_eq "a silenced alert that fires again stays silenced" "silenced|2" \
    "$(q "select status, fire_count from midwatch.alerts where id = $sa")"
q "update midwatch.alerts set silenced_until = now() - interval '1 second' where id = $sa" >/dev/null
q "update midwatch.signals set peak_at = '2026-11-16T13:45:00Z' where id = 501" >/dev/null
run 2026-11-16T13:00:00Z 2026-11-16T14:00:00Z >/dev/null
t_eq "after the silence, firing again makes it active" "active|3" \
    "$(q "select status, fire_count from midwatch.alerts where id = $sa")"
t_eq "alerts are never duplicated per fingerprint" 0 \
    "$(q "select count(*) from (select fingerprint from midwatch.alerts group by 1 having count(*) > 1) d")"
t_done
