#!/bin/sh
# test_alertmanager.sh - Alertmanager's webhook body through `midwatch
# ingest` against a real PostgreSQL, and `midwatch alerts`: firing alerts
# become external alerts and midwatch alerts (fingerprint kept or computed,
# service and severity mapped, labels and annotations redacted), the same
# body again changes nothing, a resolved body (or an endsAt in the past)
# resolves, a malformed alert is dead-lettered with its reason while the
# body's others are kept, a pretty-printed body over many lines, several
# bodies one a line (a relay), stdin; the `alerts` table and --json; usage
# errors.  Then, with the real prometheus-alertmanager (./dev installs it),
# the bodies it POSTs to a webhook.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw

FX=$top_srcdir/tests/ingest/fixtures

q() { pgtest_psql -c "$1"; }

# mw ARGS...: midwatch in project "am"
mw() { "$MIDWATCH" --project am --as tester "$@"; }

# ext WHERE COLUMNS: external alerts of project am
ext() {
	q "select $2 from midwatch.external_alerts a join midwatch.projects p on p.id = a.project_id left join midwatch.services s on s.id = a.service_id where p.slug = 'am' and $1"
}

# al FINGERPRINT COLUMNS: the midwatch alert mirroring an external alert
al() {
	q "select $2 from midwatch.alerts a join midwatch.projects p on p.id = a.project_id left join midwatch.services s on s.id = a.service_id where p.slug = 'am' and a.fingerprint = 'external:$1'"
}

# jsonq JSON EXPR: EXPR over the document as j (EXPR may bring its own
# "FROM d, ...")
jsonq() {
	case $2 in
	*"FROM d,"*) _q=$2 ;;
	*) _q="$2 FROM d" ;;
	esac
	printf "WITH d (j) AS (SELECT :'doc'::jsonb) SELECT %s;\n" "$_q" |
		pgtest_psql -v "doc=$1"
}

# ---- a firing body ------------------------------------------------------------
out=$(mw ingest "$FX/am-firing.json" 2>&1); rc=$?
t_eq "a webhook body is ingested (exit 0)" 0 "$rc"
t_match "the summary counts the body and its alerts" \
    "alertmanager webhook bodies: 1, alerts: 2 \(0 resolved\)" "$out"
t_match "each alert is a valid record" "read 1 line from 1 source: 2 valid, 0 rejected" "$out"
t_match "and a midwatch alert" "alerts opened or changed: 2" "$out"
t_eq "two firing external alerts" 2 "$(ext "status = 'firing'" "count(*)")"
t_eq "Alertmanager's fingerprint is kept; service from job; severity mapped" \
    "alertmanager|critical|checkout|2026-11-16 13:02:00+00" \
    "$(ext "fingerprint = '3278dd42aef9cabb'" "a.source || '|' || a.severity || '|' || s.name || '|' || a.ts")"
fp_disk=$(ext "labels->>'alertname' = 'DiskWillFillIn4h'" "fingerprint")
t_match "without a fingerprint, one is computed from the labels" "^[0-9a-f]{16}$" "$fp_disk"
t_eq "service from the host part of instance; warning is medium" "db-1.example|medium" \
    "$(ext "fingerprint = '$fp_disk'" "s.name || '|' || a.severity")"
t_eq "generatorURL, receiver and startsAt are kept" \
    "http://prometheus.example:9090/graph?g0.expr=predict_linear|midwatch|2026-11-16T12:50:00Z" \
    "$(ext "fingerprint = '$fp_disk'" "(a.extra->>'generator_url') || '|' || (a.extra->>'receiver') || '|' || (a.extra->>'starts_at')")"
t_eq "a password in an annotation's URL is masked" \
    "https://ops:[redacted]@wiki.example/runbooks/errors" \
    "$(ext "fingerprint = '3278dd42aef9cabb'" "annotations->>'runbook_url'")"
t_eq "each alert is a midwatch alert, active, titled from alertname and summary" \
    "active|critical|checkout|HighErrorRatio: checkout error ratio above 5%" \
    "$(al 3278dd42aef9cabb "a.status || '|' || a.severity || '|' || s.name || '|' || a.title")"
id_err=$(al 3278dd42aef9cabb "a.id")
id_disk=$(al "$fp_disk" "a.id")

# ---- midwatch alerts ---------------------------------------------------------------
out=$(mw alerts 2>&1); rc=$?
t_eq "alerts exits 0" 0 "$rc"
t_match "alerts prints a header" \
    "^ID +SEVERITY +STATUS +STARTED \(UTC\) +SOURCE +SERVICE +TITLE$" "$out"
t_match "one line per alert: id, severity, status, start, source, service, title" \
    "^$id_err +critical +active +2026-11-16 13:02 +alertmanager +checkout +HighErrorRatio: checkout error ratio above 5%$" "$out"
t_match "with its labels under it" \
    "^ +labels: alertname=HighErrorRatio, instance=checkout-1:8080, job=checkout, severity=critical$" "$out"
t_eq "critical first, then medium" "$id_err $id_disk " \
    "$(printf '%s\n' "$out" | awk '$1 ~ /^[0-9]+$/ { printf "%s ", $1 }')"
json=$(mw alerts --json 2>&1); rc=$?
t_eq "alerts --json exits 0" 0 "$rc"
t_eq "--json is one array of the two alerts" "array|2" \
    "$(jsonq "$json" "jsonb_typeof(j) || '|' || jsonb_array_length(j)")"
t_eq "every object has id, title, severity, status, source, labels, silence, started_at, resolved_at" 0 \
    "$(jsonq "$json" "count(*) FROM d, jsonb_array_elements(j) e WHERE NOT e ?& array['id', 'title', 'severity', 'status', 'source', 'labels', 'silence', 'started_at', 'resolved_at']")"
t_eq "the first is the critical alert with its id, labels and times" \
    "$id_err|critical|active|alertmanager|HighErrorRatio|checkout|2026-11-16T13:02:00Z|null|null|3278dd42aef9cabb" \
    "$(jsonq "$json" "(j->0->>'id') || '|' || (j->0->>'severity') || '|' || (j->0->>'status') || '|' || (j->0->>'source') || '|' || (j->0->'labels'->>'alertname') || '|' || (j->0->>'service') || '|' || (j->0->>'started_at') || '|' || jsonb_typeof(j->0->'resolved_at') || '|' || jsonb_typeof(j->0->'silence') || '|' || (j->0->>'fingerprint')")"

# ---- the same body again changes nothing ----------------------------------------------
before=$(q "select string_agg(id || status || updated_at, ',' order by id) from midwatch.alerts")
out=$(mw ingest "$FX/am-firing.json" 2>&1)
t_match "the same body again: new rows: 0" "new rows: 0" "$out"
t_eq "no second row per alert (fingerprint and startsAt dedupe)" 2 "$(ext "true" "count(*)")"
t_eq "the midwatch alerts are untouched" "$before" \
    "$(q "select string_agg(id || status || updated_at, ',' order by id) from midwatch.alerts")"

# ---- acknowledged, then resolved by Alertmanager ------------------------------------------
t_run "the alert's id is what ack takes" mw ack "$id_err"
t_match "alerts shows who acknowledged it" "^ +acknowledged 20[0-9-]+ [0-9:]+ UTC by tester$" "$(mw alerts)"
out=$(mw ingest "$FX/am-resolved.json" 2>&1); rc=$?
t_eq "a resolved body is ingested (exit 0)" 0 "$rc"
t_match "the summary counts it resolved" "alerts: 1 \(1 resolved\)" "$out"
t_eq "a resolved event at endsAt" "2026-11-16 13:20:00+00" \
    "$(ext "fingerprint = '3278dd42aef9cabb' and status = 'resolved'" "a.ts")"
t_eq "the midwatch alert is resolved by the source, over the acknowledgement" \
    "resolved|alertmanager|2026-11-16 13:20:00+00|pipeline" \
    "$(al 3278dd42aef9cabb "a.status || '|' || a.resolved_by || '|' || a.resolved_at || '|' || a.status_source")"
out=$(mw alerts)
t_eq "alerts no longer lists it" "" "$(printf '%s\n' "$out" | grep HighErrorRatio)"
out=$(mw alerts --all)
t_match "alerts --all lists it resolved" "^$id_err +critical +resolved +2026-11-16 13:02 " "$out"
t_match "with when and by whom" "^ +resolved 2026-11-16 13:20 UTC by alertmanager$" "$out"
t_eq "--all --json gives its resolution time" "2026-11-16T13:20:00Z" \
    "$(jsonq "$(mw alerts --all --json)" "e->>'resolved_at' FROM d, jsonb_array_elements(j) e WHERE (e->>'id')::bigint = $id_err")"

# ---- a body with a malformed alert among good ones -------------------------------------------
out=$(mw ingest "$FX/am-mixed.json" 2>&1); rc=$?
t_eq "a body with one malformed alert exits 0" 0 "$rc"
t_match "three alerts in, one rejected" "read 1 line from 1 source: 4 valid, 1 rejected" "$out"
t_match "the summary quotes the reason" \
    "am-mixed.json:1: alertmanager alerts\[1\] \(BrokenRelay\): missing required field \"startsAt\"" "$out"
t_eq "the dead letter names the alert and the field, at the body's line" \
    "1|alertmanager alerts[1] (BrokenRelay): missing required field \"startsAt\"" \
    "$(q "select line_no || '|' || error from midwatch.ingest_errors where source like '%am-mixed.json'")"
t_eq "its payload is that alert alone" "BrokenRelay|false" \
    "$(q "select (payload::jsonb->'labels'->>'alertname') || '|' || (payload like '%PaymentsLatencyHigh%') from midwatch.ingest_errors where source like '%am-mixed.json'")"
t_eq "the good alerts are kept" "b7e1c0de00000001 b7e1c0de00000003 b7e1c0de00000004" \
    "$(ext "fingerprint like 'b7e1c0de%'" "string_agg(distinct fingerprint, ' ')")"
t_eq "the service label wins over job; page is critical" "payments|critical" \
    "$(ext "fingerprint = 'b7e1c0de00000001'" "s.name || '|' || a.severity")"
t_eq "service from app; error is high" "search|high" \
    "$(ext "fingerprint = 'b7e1c0de00000003' and status = 'firing'" "s.name || '|' || a.severity")"
t_eq "firing with endsAt in the past: resolved at endsAt" \
    "firing 2024-01-01 00:00:00+00,resolved 2024-01-01 01:00:00+00|resolved" \
    "$(ext "fingerprint = 'b7e1c0de00000003'" "string_agg(status || ' ' || ts, ',' order by ts)")|$(al b7e1c0de00000003 "a.status")"
t_eq "firing with endsAt still ahead: firing" "firing|active|info|worker" \
    "$(ext "fingerprint = 'b7e1c0de00000004'" "string_agg(status, ',')")|$(al b7e1c0de00000004 "a.status || '|' || a.severity || '|' || s.name")"
t_eq "a secret-looking label is redacted" "[redacted]" \
    "$(ext "fingerprint = 'b7e1c0de00000003' and status = 'firing'" "labels->>'api_token'")"
t_eq "no secret reaches the database" 0 \
    "$(q "select (select count(*) from midwatch.external_alerts where labels::text || annotations::text || extra::text ~ 'tok-SECRET|hunter2') + (select count(*) from midwatch.alerts where details::text || title || message ~ 'tok-SECRET|hunter2') + (select count(*) from midwatch.ingest_errors where payload ~ 'tok-SECRET|hunter2')")"
t_match "alerts Alertmanager left out are counted" "alertmanager left out 2 alerts" "$out"

# ---- a pretty-printed body over many lines -------------------------------------------------
n=$(wc -l <"$FX/am-pretty.json")
out=$(mw ingest "$FX/am-pretty.json" 2>&1); rc=$?
t_eq "a pretty-printed body is ingested (exit 0)" 0 "$rc"
t_match "all its lines read, one alert valid" "read $n lines from 1 source: 1 valid, 0 rejected, 0 blank" "$out"
t_eq "service from an IPv6 instance; text with a brace and a quote intact" \
    "2001:db8::7|critical|a { brace and a \" quote in text" \
    "$(ext "labels->>'alertname' = 'NodeDown'" "s.name || '|' || a.severity || '|' || (annotations->>'description')")"
fp_node=$(ext "labels->>'alertname' = 'NodeDown'" "fingerprint")
# a document, then JSON Lines after it
{ cat "$FX/am-pretty.json"; echo '{"kind":"metric","ts":"2026-11-16T13:10:00Z","service":"node","metric":"request_rate","value":3}'; } >"$TAP_TMP/doc-then-lines.txt"
out=$(mw ingest "$TAP_TMP/doc-then-lines.txt" 2>&1)
t_match "JSON Lines after a document are read as lines" "metric +1 +1 " "$out"
printf '{\n  "receiver": "x",\n  "alerts": [\n    {"labels": {"a": "b"}}\n' >"$TAP_TMP/cut.json"
out=$(mw ingest "$TAP_TMP/cut.json" 2>&1); rc=$?
t_eq "a document cut short: nothing ingested (exit 1)" 1 "$rc"
t_match "and the reason says where it started" \
    "cut.json:1: unterminated JSON document \(from line 1 to the end of the input\)" "$out"
{ echo '{'; echo '{"kind":"metric","ts":"2026-11-16T13:11:00Z","service":"node","metric":"request_rate","value":4}'; } >"$TAP_TMP/stray.jsonl"
out=$(mw ingest "$TAP_TMP/stray.jsonl" 2>&1); rc=$?
t_eq "a stray { line does not swallow the JSON Lines after it" "0|1" \
    "$rc|$(q "select count(*) from midwatch.metric_points where ts = '2026-11-16T13:11:00Z'")"
t_match "it is a dead letter of its own" "stray.jsonl:1: unterminated JSON document \(lines 1 to 1\)" "$out"

# ---- a relay appending bodies, one a line ----------------------------------------------------
head -n 4 "$FX/am-relay.jsonl" >"$TAP_TMP/relay-a.jsonl"
sed -n 5p "$FX/am-relay.jsonl" >"$TAP_TMP/relay-b.jsonl"
out=$(mw ingest "$TAP_TMP/relay-a.jsonl" 2>&1); rc=$?
t_eq "bodies one a line are ingested (exit 0)" 0 "$rc"
t_match "each body counted" "alertmanager webhook bodies: 3, alerts: 3 \(1 resolved\)" "$out"
t_eq "the re-sent firing body adds nothing" "firing 2026-11-16 14:00:00+00,resolved 2026-11-16 14:15:00+00" \
    "$(ext "fingerprint = 'cace000000000001'" "string_agg(status || ' ' || ts, ',' order by ts)")"
t_eq "a JSON Lines line among the bodies is ingested" 1 \
    "$(q "select count(*) from midwatch.metric_points m join midwatch.services s on s.id = m.service_id where s.name = 'cache'")"
id_cache=$(al cace000000000001 "a.id")
t_eq "its alert is resolved" "resolved" "$(al cace000000000001 "a.status")"
out=$(mw ingest "$TAP_TMP/relay-b.jsonl" 2>&1)
t_eq "firing again later reopens the same alert" "$id_cache|active|2|2026-11-16 15:00:00+00||" \
    "$(al cace000000000001 "a.id || '|' || a.status || '|' || a.fire_count || '|' || a.last_fired_at || '|' || coalesce(a.resolved_by, '') || '|' || coalesce(a.resolved_at::text, '')")"

# ---- a silence outlives a new episode; `alert` lines take the same path -----------------------
id_node=$(al "$fp_node" "a.id")
t_run "silence takes the alert's id" mw silence "$id_node" --for 2h
cat >"$TAP_TMP/node.jsonl" <<EOF
{"kind":"alert","ts":"2026-11-16T13:30:00Z","fingerprint":"$fp_node","status":"resolved","labels":{"alertname":"NodeDown","instance":"[2001:db8::7]:9100","severity":"critical"},"source":"alertmanager"}
{"kind":"alert","ts":"2026-11-16T14:00:00Z","fingerprint":"$fp_node","status":"firing","labels":{"alertname":"NodeDown","instance":"[2001:db8::7]:9100","severity":"critical"},"source":"alertmanager"}
EOF
mw ingest "$TAP_TMP/node.jsonl" >/dev/null 2>&1
t_eq "a new episode of a silenced alert stays silenced while the silence lasts" "silenced|tester|2" \
    "$(al "$fp_node" "a.status || '|' || a.silenced_by || '|' || a.fire_count")"
t_eq "alerts hides a silenced alert" "" "$(mw alerts | grep NodeDown)"
t_match "alerts --all shows it with its silence" "^ +silenced until 20[0-9-]+ [0-9:]+ UTC by tester$" "$(mw alerts --all)"
t_eq "--json gives the silence" "tester|true" \
    "$(jsonq "$(mw alerts --all --json)" "(e->'silence'->>'by') || '|' || ((e->'silence'->>'until')::timestamptz > now()) FROM d, jsonb_array_elements(j) e WHERE (e->>'id')::bigint = $id_node")"

# ---- stdin, usage ------------------------------------------------------------------------
out=$("$MIDWATCH" --project am2 ingest - <"$FX/am-firing.json" 2>&1); rc=$?
t_eq "a body on stdin is ingested (exit 0)" 0 "$rc"
t_eq "as from a file" 2 "$(q "select count(*) from midwatch.external_alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'am2'")"
"$MIDWATCH" project create quiet >/dev/null 2>&1
t_eq "a project without alerts: no active alerts" "no active alerts" "$("$MIDWATCH" --project quiet alerts 2>&1)"
out=$("$MIDWATCH" alerts --help); rc=$?
t_eq "alerts --help exits 0" 0 "$rc"
t_match "and prints the usage" "^usage: midwatch alerts \[--all\] \[--json\]$" "$out"
out=$("$MIDWATCH" alerts --bogus 2>&1); rc=$?
t_eq "an unknown option exits 2" 2 "$rc"
t_match "and names it" "alerts: unknown option --bogus" "$out"
out=$("$MIDWATCH" alerts 12 2>&1); rc=$?
t_eq "an argument exits 2" 2 "$rc"
t_match "and says what was wrong" "alerts: unexpected argument 12" "$out"
t_match "midwatch --help lists alerts" "^  alerts \[--all\] \[--json\]" "$("$MIDWATCH" --help)"

# ---- the real Alertmanager ---------------------------------------------------------------------
# am_wait FILE N SECONDS: until FILE has N lines
am_wait() {
	_i=0
	while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ] && [ "$_i" -lt $(($3 * 10)) ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

am_real() {
	AMD=$TAP_TMP/am
	mkdir -p "$AMD"
	"$top_builddir/tests/ingest/am_sink" "$AMD/port" "$AMD/bodies.jsonl" 2 90 &
	SINK_PID=$!
	am_wait "$AMD/port" 1 10 || { t_ok 1 "the webhook receiver starts"; return; }
	cat >"$AMD/am.yml" <<EOF
route:
  receiver: midwatch
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: midwatch
    webhook_configs:
      - url: http://127.0.0.1:$(cat "$AMD/port")/hook
        send_resolved: true
EOF
	for try in 1 2 3 4 5; do
		AMPORT=$((20000 + ($$ * 7 + try * 131) % 20000))
		prometheus-alertmanager --config.file="$AMD/am.yml" \
		    --storage.path="$AMD/data" --cluster.listen-address= \
		    --web.listen-address=127.0.0.1:$AMPORT >"$AMD/am.log" 2>&1 &
		AM_PID=$!
		_i=0
		while [ $_i -lt 50 ] && ! amtool --alertmanager.url=http://127.0.0.1:$AMPORT \
		    alert query >/dev/null 2>&1; do
			kill -0 $AM_PID 2>/dev/null || break
			sleep 0.1; _i=$((_i + 1))
		done
		amtool --alertmanager.url=http://127.0.0.1:$AMPORT alert query >/dev/null 2>&1 && break
		kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null; AM_PID=
	done
	if [ -z "$AM_PID" ]; then
		t_ok 1 "prometheus-alertmanager starts on loopback"; sed 's/^/# /' "$AMD/am.log"; return
	fi
	AMURL=http://127.0.0.1:$AMPORT
	t_run "amtool fires an alert at the real Alertmanager" amtool --alertmanager.url=$AMURL \
	    alert add alertname=MidwatchProbe job=checkout severity=critical instance=checkout-1:8080 \
	    --annotation=summary="fired by test_alertmanager.sh" --start=2026-12-01T10:00:00Z
	am_wait "$AMD/bodies.jsonl" 1 30
	t_eq "Alertmanager POSTs a webhook body" 1 "$(wc -l <"$AMD/bodies.jsonl")"
	head -n 1 "$AMD/bodies.jsonl" >"$AMD/firing.json"
	amfp=$(amtool --alertmanager.url=$AMURL alert query -o json | grep -o '"fingerprint":"[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)
	out=$("$MIDWATCH" --project amreal ingest "$AMD/firing.json" 2>&1); rc=$?
	t_eq "the real body is ingested (exit 0)" 0 "$rc"
	t_eq "as one firing alert of checkout, critical, with Alertmanager's fingerprint" \
	    "1|firing|critical|checkout|$amfp" \
	    "$(q "select count(*) || '|' || min(a.status) || '|' || min(a.severity) || '|' || min(s.name) || '|' || min(a.fingerprint) from midwatch.external_alerts a join midwatch.projects p on p.id = a.project_id join midwatch.services s on s.id = a.service_id where p.slug = 'amreal'")"
	sed 's/,"fingerprint":"[0-9a-f]*"//' "$AMD/firing.json" >"$AMD/nofp.json"
	"$MIDWATCH" --project amreal2 ingest "$AMD/nofp.json" >/dev/null 2>&1
	t_eq "a fingerprint computed from the labels equals Alertmanager's" "$amfp" \
	    "$(q "select a.fingerprint from midwatch.external_alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'amreal2'")"
	amtool --alertmanager.url=$AMURL alert add alertname=MidwatchProbe job=checkout \
	    severity=critical instance=checkout-1:8080 --annotation=summary="fired by test_alertmanager.sh" \
	    --start=2026-12-01T10:00:00Z --end=2026-12-01T10:30:00Z >/dev/null 2>&1
	am_wait "$AMD/bodies.jsonl" 2 30
	sed -n 2p "$AMD/bodies.jsonl" >"$AMD/resolved.json"
	"$MIDWATCH" --project amreal ingest "$AMD/resolved.json" >/dev/null 2>&1
	t_eq "its resolved body resolves the midwatch alert at endsAt" "resolved|2026-12-01 10:30:00+00|alertmanager" \
	    "$(q "select a.status || '|' || a.resolved_at || '|' || a.resolved_by from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'amreal'")"
	kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null
	kill $SINK_PID 2>/dev/null; wait $SINK_PID 2>/dev/null
	AM_PID= SINK_PID=
}

AM_PID= SINK_PID=
trap '[ -n "$AM_PID" ] && kill $AM_PID 2>/dev/null; [ -n "$SINK_PID" ] && kill $SINK_PID 2>/dev/null; pgtest_stop' EXIT INT TERM
if command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1; then
	am_real
else
	# counted as a failure by ./dev test, which installs the package
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP prometheus-alertmanager is not installed (./dev installs it)"
fi
t_done
