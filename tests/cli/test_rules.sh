#!/bin/sh
# test_rules.sh - alert rules people can change (issue 10), against a real
# PostgreSQL: rules add|edit|enable|disable change what the next run fires,
# each change an audit entry with before and after; validation names the
# bad field and writes nothing; rules test previews over past data and
# writes nothing; rules apply is declarative (all checked first, then
# added/changed/unchanged); list and show, also as --json.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR
M() { "$MIDWATCH" --project rules "$@"; }
q() { pgtest_psql -c "$1"; }

# hours H1..H2 of one-minute error_ratio points of checkout: 0.01, except
# from minute 30 of each hour on, when it is 0.2
points() {
	awk -v h1="$1" -v h2="$2" 'BEGIN {
		for (h = h1; h < h2; h++) for (m = 0; m < 60; m++) {
			v = (m >= 30) ? 0.2 : 0.01
			printf "{\"kind\":\"metric\",\"service\":\"checkout\",\"metric\":\"error_ratio\",\"ts\":\"2026-11-20T%02d:%02d:00Z\",\"value\":%s}\n", h, m, v
		}
	}'
}
points 0 2 >"$TAP_TMP/h0.jsonl"
points 2 3 >"$TAP_TMP/h2.jsonl"
points 3 4 >"$TAP_TMP/h3.jsonl"
M ingest "$TAP_TMP/h0.jsonl" >/dev/null 2>&1
fires() { q "select coalesce(sum(a.fire_count), 0) from midwatch.alerts a join midwatch.alert_rules r on r.id = a.rule_id where r.name = '$1'"; }
audits() { q "select count(*) from midwatch.audit_entries where target = 'rule:$1'"; }

# ---- validation -----------------------------------------------------------------------
out=$(M rules add bad --metric error_ratio --op '~' --value 1 2>&1); rc=$?
t_eq "a bad operator is a usage error (exit 2)" 2 "$rc"
t_match "that names the config and what it needs" "config: metric threshold rules need metric, op" "$out"
out=$(M rules add bad --metric error_ratio --op '>' --value 0.1 --severity urgent 2>&1); rc=$?
t_match "a bad severity names the field" "severity: one of critical, high, medium, low, info" "$out"
out=$(M rules add bad --metric error_ratio --op '>' --value 0.1 --channel nosuch 2>&1); rc=$?
t_match "an unknown channel names it" "channels: no channel named nosuch" "$out"
t_eq "nothing was written by the refusals" "0|0" \
    "$(q "select count(*) || '|' || (select count(*) from midwatch.audit_entries where target like 'rule:%') from midwatch.alert_rules where name = 'bad'")"

# ---- add: the next run fires it ---------------------------------------------------------
out=$(M rules add "checkout errors" --metric error_ratio --op '>' --value 0.05 --for 2m \
    --severity high --hold-down 15m --description "5xx share" 2>&1); rc=$?
t_eq "rules add exits 0" 0 "$rc"
t_match "and says so" "^rule checkout errors added$" "$out"
t_eq "one audit entry, with the rule after and nothing before" "rule.added|alice|null|0.05|900" \
    "$(q "select action || '|' || actor || '|' || coalesce(details->>'before', 'null') || '|' || (details->'after'->'config'->>'value') || '|' || (details->'after'->>'hold_down_seconds') from midwatch.audit_entries where target = 'rule:checkout errors'")"
out=$(M rules test "checkout errors" --since 2026-11-20T00:00:00Z --until 2026-11-20T02:00:00Z 2>&1); rc=$?
t_match "rules test previews what it would fire" "would fire 1 alert from 2026-11-20T00:00:00Z to 2026-11-20T02:00:00Z \(nothing written\)" "$out"
t_match "with when, severity and service" "2026-11-20T00:3[0-9]:00Z +high +checkout +error_ratio > 0.05 on checkout" "$out"
t_eq "and wrote no alert" 0 "$(q "select count(*) from midwatch.alerts")"
M run >/dev/null 2>&1
f1=$(fires "checkout errors")
t_ok "$([ "$f1" -ge 1 ] && echo 0 || echo 1)" "the next run fires the new rule ($f1)"

# ---- edit and add: the next run follows them -------------------------------------------
out=$(M rules edit "checkout errors" --value 0.5 2>&1)
t_match "rules edit changes the threshold" "^rule checkout errors changed$" "$out"
out=$(M rules edit "checkout errors" --value 0.5 2>&1)
t_match "the same edit again changes nothing" "^rule checkout errors unchanged$" "$out"
t_eq "and writes no second audit entry" 2 "$(audits "checkout errors")"
t_eq "the audit has the value before and after" "0.05|0.5" \
    "$(q "select (details->'before'->'config'->>'value') || '|' || (details->'after'->'config'->>'value') from midwatch.audit_entries where target = 'rule:checkout errors' and action = 'rule.changed'")"
t_run "rules add a second rule" M rules add "checkout errors high" --metric error_ratio --op '>=' --value 0.1 --severity critical
M ingest "$TAP_TMP/h2.jsonl" >/dev/null 2>&1
M run >/dev/null 2>&1
t_eq "after the edit the first rule no longer fires" "$f1" "$(fires "checkout errors")"
f2=$(fires "checkout errors high")
t_ok "$([ "$f2" -ge 1 ] && echo 0 || echo 1)" "the added one does ($f2)"

# ---- disable / enable ---------------------------------------------------------------------
t_run "rules disable" M rules disable "checkout errors high"
t_eq "audited, enabled true -> false" "true|false" \
    "$(q "select (details->'before'->>'enabled') || '|' || (details->'after'->>'enabled') from midwatch.audit_entries where target = 'rule:checkout errors high' order by id desc limit 1")"
M ingest "$TAP_TMP/h3.jsonl" >/dev/null 2>&1
M run >/dev/null 2>&1
t_eq "a disabled rule fires nothing in the next run" "$f2" "$(fires "checkout errors high")"
out=$(M rules list 2>&1)
t_match "rules list shows it off" "^checkout errors high +threshold +critical +no " "$out"
t_match "and the condition of each" "checkout errors +threshold +high +yes .* error_ratio > 0.5 for 2m" "$out"
out=$(M rules show "checkout errors" --json 2>&1)
t_match "show --json has the hold-down" '"hold_down_seconds": 900' "$out"
t_match "and the description" '"description": "5xx share"' "$out"
out=$(M rules edit nosuch --value 1 2>&1); rc=$?
t_eq "editing an unknown rule exits 1" 1 "$rc"

# ---- apply: declarative ----------------------------------------------------------------------
M rules list --json >"$TAP_TMP/rules.json"
t_ok "$(grep -c '"name"' "$TAP_TMP/rules.json" | awk '{ exit !($1 >= 9) }'; echo $?)" "rules list --json lists every rule"
cat >"$TAP_TMP/apply.json" <<'EOR'
[
 {"name": "checkout errors", "kind": "threshold", "severity": "high",
  "config": {"source": "metric", "metric": "error_ratio", "op": ">", "value": 0.5, "for_seconds": 120},
  "enabled": true, "channels": [], "cooldown_seconds": 900, "hold_down_seconds": 900, "description": "5xx share"},
 {"name": "cart latency", "kind": "threshold", "severity": "medium",
  "config": {"source": "metric", "metric": "latency_p99_ms", "op": ">", "value": 800, "for_seconds": 300}},
 {"name": "service down", "kind": "threshold", "severity": "critical",
  "config": {"source": "health", "field": "status", "op": "==", "value": "down", "for_seconds": 60}}
]
EOR
cat >"$TAP_TMP/bad.json" <<'EOR'
[
 {"name": "fine", "kind": "pattern", "severity": "low", "config": {"source": "signal", "signal_type": "traffic_shift"}},
 {"name": "broken", "kind": "trend", "severity": "low", "config": {"source": "metric", "metric": "x", "direction": "sideways"}}
]
EOR
n=$(q "select count(*) from midwatch.audit_entries")
out=$(M rules apply "$TAP_TMP/bad.json" 2>&1); rc=$?
t_eq "a file with a bad rule is refused (exit 1)" 1 "$rc"
t_match "naming the rule and the field" "rules\[1\] \(broken\): config: trend rules need metric, direction up\|down" "$out"
t_eq "and nothing of it was written" "0|$n" "$(q "select count(*) || '|' || (select count(*) from midwatch.audit_entries) from midwatch.alert_rules where name in ('fine', 'broken')")"
out=$(M rules apply "$TAP_TMP/apply.json" 2>&1); rc=$?
t_eq "rules apply exits 0" 0 "$rc"
t_match "and counts what changed" "rules: 1 added, 1 changed, 1 unchanged" "$out"
t_eq "service down is critical now, for 60 s" "critical|60" \
    "$(q "select severity || '|' || (config->>'for_seconds') from midwatch.alert_rules r join midwatch.projects p on p.id = r.project_id where p.slug = 'rules' and r.name = 'service down'")"
out=$(M rules apply "$TAP_TMP/apply.json" 2>&1)
t_match "applying it again changes nothing" "rules: 0 added, 0 changed, 3 unchanged" "$out"
out=$(M --readonly rules disable "cart latency" 2>&1); rc=$?
t_eq "--readonly refuses a change" 1 "$rc"
out=$(M --readonly rules list 2>&1); rc=$?
t_eq "and allows a listing" 0 "$rc"
t_done
