#!/bin/sh
# test_sources.sh - pulled sources (issue 9) against a real PostgreSQL, the
# real `prometheus` and `prometheus-alertmanager` from Debian on loopback,
# and the local HTTP receiver (tests/net/receiver) as an exporter and as a
# source that fails on purpose:
#   * sources add|list|show|test|remove and their usage errors; a secret is
#     named, never stored or printed;
#   * Prometheus: two hours of history written with promtool, then the real
#     server scraping the test's exporter (checkout's 5xx surge goes on
#     live); `midwatch run` pulls the series with the default PromQL and
#     opens an incident on checkout; a second run pulls only after the
#     cursor and duplicates nothing;
#   * a source answering 500, garbage, "status":"error", closing, hanging
#     past its timeout: the run completes (exit 1), the dead letter names
#     the source, status and the console's status bar show it, backoff
#     keeps it waiting, recovery resolves it; the other source goes on;
#   * a bearer token from an owner-only file reaches the server and nothing
#     else;
#   * Alertmanager: alerts fired with amtool become external alerts and
#     midwatch alerts with their labels; one that stops firing is resolved;
#     acking one creates a silence there (by the operator, naming the alert
#     and the incident of its signal), resolving that incident or the alert
#     expires it; a silence queued while Alertmanager is down is created
#     when it is back, one that keeps failing gives up after 10 attempts and
#     `midwatch status` names it; a group head's ack silences its held
#     members in the operator's name.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mw
RECEIVER=$top_builddir/tests/net/receiver
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR
M() { "$MIDWATCH" --project src "$@"; }
q() { pgtest_psql -c "$1"; }
pid_of() { [ -n "$1" ] && kill "$1" 2>/dev/null; }
PROM_PID= AM_PID= EXP_PID= BAD_PID= LOOP_PID=
trap 'pid_of "$LOOP_PID"; pid_of "$PROM_PID"; pid_of "$AM_PID"; pid_of "$EXP_PID"; pid_of "$BAD_PID"; pgtest_stop' EXIT INT TERM
"$MIDWATCH" --project src ingest /dev/null >/dev/null 2>&1

# start_receiver DIR: a receiver in DIR (mode, body, log files); prints pid
start_receiver() {
	mkdir -p "$1"
	: >"$1/log"
	"$RECEIVER" --port-file "$1/port" --log "$1/log" --mode-file "$1/mode" \
	    --body-file "$1/body" &
	echo $! >"$1/pid"
	_i=0
	while [ ! -s "$1/port" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# ---- the command line ---------------------------------------------------------
out=$(M sources add nosuch x http://127.0.0.1:1 2>&1); rc=$?
t_eq "an unknown kind is a usage error (exit 2)" 2 "$rc"
t_match "that names the kinds" "unknown source kind nosuch \(prometheus or alertmanager\)" "$out"
out=$(M sources add prometheus 'bad name' http://127.0.0.1:1 2>&1); rc=$?
t_eq "a bad name is a usage error" "2" "$rc"
out=$(M sources add prometheus p http://u:pw@127.0.0.1:1 2>&1); rc=$?
t_eq "credentials in the URL are refused (exit 2)" 2 "$rc"
t_match "with where to put them instead" "the URL holds credentials" "$out"
out=$(M sources add prometheus p http://127.0.0.1:1 --set token=abc 2>&1); rc=$?
t_eq "a setting that would hold a secret is unknown (exit 2)" 2 "$rc"
t_match "and the message lists the known settings" "unknown setting \(known: query.request_rate, .*key-file\)" "$out"
out=$(M sources add prometheus p http://127.0.0.1:1 --set step=0s 2>&1); rc=$?
t_match "a bad duration names its range" "step: 0s is not a duration between 1s and 3600s" "$out"
printf 's3cr3t-T0KEN-abc\n' >"$TAP_TMP/token"
chmod 644 "$TAP_TMP/token"
out=$(M sources add prometheus p http://127.0.0.1:1 --set key-file="$TAP_TMP/token" 2>&1); rc=$?
t_eq "a group- or world-readable secret file is refused" 2 "$rc"
chmod 600 "$TAP_TMP/token"
t_eq "no source was stored by the refusals" 0 "$(q "select count(*) from midwatch.ingest_sources")"
t_run "sources add prometheus" M sources add prometheus dup http://127.0.0.1:1 --set step=30s
out=$(M sources add alertmanager dup http://127.0.0.1:2 2>&1); rc=$?
t_eq "a second source of the same name, whatever its kind, is refused (exit 1)" 1 "$rc"
out=$(M sources show dup --json 2>&1)
t_match "show --json has the settings in seconds" '"step": 30' "$out"
t_run "sources remove" M sources remove dup
t_eq "and it is gone" 0 "$(q "select count(*) from midwatch.ingest_sources")"
out=$(M sources remove dup 2>&1); rc=$?
t_eq "removing an unknown source exits 1" 1 "$rc"
out=$("$MIDWATCH" sources --help 2>&1); rc=$?
t_eq "sources --help exits 0" 0 "$rc"
t_match "and lists every PromQL override" "query.memory_utilization" "$out"

# ---- a source that fails, and comes back ------------------------------------------
BAD=$TAP_TMP/bad
mkdir -p "$BAD"
echo 500 >"$BAD/mode"
start_receiver "$BAD"
BAD_PID=$(cat "$BAD/pid")
BADURL=http://127.0.0.1:$(cat "$BAD/port")
t_run "add a source with a bearer token from an owner-only file" M sources add prometheus bad \
    "$BADURL" --set key-file="$TAP_TMP/token" --set timeout=1s --set step=1m
out=$(M run 2>&1); rc=$?
t_eq "a run with a failing source exits 1" 1 "$rc"
t_match "and says which source failed and why" "source bad: request_rate: HTTP 500" "$out"
t_match "the pipeline itself still ran" "sources +0 pulled, 1 failed" "$out"
t_match "the token reached the server" "^H Authorization: Bearer s3cr3t-T0KEN-abc" "$(cat "$BAD/log")"
t_eq "the source is in error after one failed pull, with its next retry" "error|1|true" \
    "$(q "select status || '|' || retries || '|' || (next_retry_at > now()) from midwatch.ingest_sources where name = 'bad'")"
t_eq "a dead letter names the source and the reason" "bad|request_rate: HTTP 500|true" \
    "$(q "select e.source || '|' || e.error || '|' || (e.source_id = s.id) from midwatch.ingest_errors e join midwatch.ingest_sources s on s.name = 'bad'")"
out=$(M status 2>&1); rc=$?
t_eq "status exits 1 (degraded)" 1 "$rc"
t_match "and names the failing source" "degraded: source bad failing \(1 pull\): request_rate: HTTP 500" "$out"
out=$(M sources list 2>&1)
t_match "sources list shows its state" "^bad +prometheus +error " "$out"
t_match "its failures in a row and next try" "^ +1 failed pull in a row, next try .*: request_rate: HTTP 500" "$out"
n=$(grep -c '^REQ' "$BAD/log")
out=$(M run 2>&1)
t_match "within its backoff a failing source waits" "0 pulled, 0 failed, 1 waiting to retry" "$out"
t_eq "and is not asked" "$n" "$(grep -c '^REQ' "$BAD/log")"

# retry: force the backoff over, then each kind of failure
# due NAME: its backoff is over and its cursor forgotten (a step is due)
due() { q "update midwatch.ingest_sources set next_retry_at = now() - interval '1 s', cursor = '{}' where name = '$1'" >/dev/null; }
echo file >"$BAD/mode"
echo 'hello, not JSON' >"$BAD/body"
due bad; out=$(M run 2>&1)
t_match "a body that is not JSON is a failure" "not the JSON of the Prometheus HTTP API" "$out"
echo '{"status":"error","errorType":"bad_data","error":"parse error at char 5"}' >"$BAD/body"
due bad; out=$(M run 2>&1)
t_match "an API error is a failure with its type and message" "bad_data: parse error at char 5" "$out"
echo close >"$BAD/mode"
due bad; out=$(M run 2>&1)
t_match "a closed connection is a failure" "source bad: GET $BADURL/api/v1/query_range: " "$out"
echo hang >"$BAD/mode"
due bad; t0=$(date +%s); out=$(M run 2>&1); t1=$(date +%s)
t_match "a server that hangs times out" "source bad: GET .*(timed out|Timeout)" "$out"
t_ok "$([ $((t1 - t0)) -lt 20 ] && echo 0 || echo 1)" "after the source's timeout, not the whole run's"
t_eq "five failures in a row, each counted" "error|5" \
    "$(q "select status || '|' || retries from midwatch.ingest_sources where name = 'bad'")"
t_match "the backoff grows (at least 4 min after five failures)" "t" \
    "$(q "select next_retry_at - last_attempt_at >= interval '4 min' from midwatch.ingest_sources where name = 'bad'")"
echo '{"status":"success","data":{"resultType":"matrix","result":[]}}' >"$BAD/body"
echo file >"$BAD/mode"
due bad; out=$(M run 2>&1); rc=$?
t_match "when it answers again it is pulled" "1 pulled, 0 failed" "$out"
t_eq "its state is reset and its dead letters resolved" "ok|0|0" \
    "$(q "select status || '|' || retries || '|' || (select count(*) from midwatch.ingest_errors where resolved_at is null) from midwatch.ingest_sources where name = 'bad'")"
t_eq "the token is in no table" "" \
    "$(pg_dump -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" --data-only 2>/dev/null | grep -c 's3cr3t-T0KEN' | grep -v '^0$')"
out=$(M sources show bad 2>&1; M sources list --json 2>&1)
t_ok "$(printf '%s' "$out" | grep -q 's3cr3t' && echo 1 || echo 0)" "nor in sources show or list"
t_match "which name the file instead" "key-file +$TAP_TMP/token" "$out"
echo 500 >"$BAD/mode"
due bad

# ---- the real Prometheus -------------------------------------------------------------
prom_real() {
	EXP=$TAP_TMP/exp
	mkdir -p "$EXP"
	echo file >"$EXP/mode"
	: >"$EXP/body"
	start_receiver "$EXP"
	EXP_PID=$(cat "$EXP/pid")
	EPORT=$(cat "$EXP/port")
	now=$(date +%s)
	te=$(( (now - 5) / 5 * 5 ))
	# two hours of history at 5 s: checkout and payments serve 100 req/s
	# with 0.5 % errors; checkout's errors jump to 30/s three minutes ago
	awk -v te="$te" -v now="$now" -v inst="127.0.0.1:$EPORT" '
	function line(svc, code, v, t) {
		printf "http_requests_total{code=\"%s\",instance=\"%s\",job=\"app\",service=\"%s\"} %d %d\n", code, inst, svc, v, t
	}
	BEGIN {
		print "# HELP http_requests_total Requests."
		print "# TYPE http_requests_total counter"
		for (t = te - 7200; t <= te; t += 5) {
			ok += 500; pok += 500; perr += 2.5
			err += (t >= now - 180) ? 150 : 2.5
			line("checkout", "200", ok, t); line("checkout", "500", err, t)
			line("payments", "200", pok, t); line("payments", "500", perr, t)
		}
		print "# EOF"
		printf "%d %d %d %d\n", ok, err, pok, perr > "/dev/stderr"
	}' >"$TAP_TMP/history.om" 2>"$TAP_TMP/last"
	read -r OK ERR POK PERR <"$TAP_TMP/last"
	PD=$TAP_TMP/prom
	mkdir -p "$PD/data"
	if ! promtool tsdb create-blocks-from openmetrics "$TAP_TMP/history.om" "$PD/data" >"$PD/backfill.log" 2>&1; then
		t_ok 1 "promtool writes two hours of history"; sed 's/^/# /' "$PD/backfill.log"; return
	fi
	t_ok 0 "promtool writes two hours of history"
	# the exporter: the same counters, going on from where history ends
	(
		while :; do
			t=$(date +%s); d=$((t - te))
			{
				echo "# TYPE http_requests_total counter"
				echo "http_requests_total{code=\"200\",service=\"checkout\"} $((OK + 100 * d))"
				echo "http_requests_total{code=\"500\",service=\"checkout\"} $((ERR + 30 * d))"
				echo "http_requests_total{code=\"200\",service=\"payments\"} $((POK + 100 * d))"
				echo "http_requests_total{code=\"500\",service=\"payments\"} $(awk -v p="$PERR" -v d="$d" 'BEGIN { printf "%d", p + d / 2 }')"
			} >"$EXP/body.tmp" && mv "$EXP/body.tmp" "$EXP/body"
			sleep 0.5
		done
	) &
	LOOP_PID=$!
	cat >"$PD/prom.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ['127.0.0.1:$EPORT']
EOF
	for try in 1 2 3 4 5; do
		PPORT=$((20000 + ($$ * 11 + try * 173) % 20000))
		prometheus --config.file="$PD/prom.yml" --storage.tsdb.path="$PD/data" \
		    --web.listen-address=127.0.0.1:$PPORT >"$PD/prom.log" 2>&1 &
		PROM_PID=$!
		_i=0
		while [ $_i -lt 100 ] && ! promtool query instant http://127.0.0.1:$PPORT \
		    'http_requests_total{service="checkout",code="500"}' 2>/dev/null | grep -q '=>'; do
			kill -0 $PROM_PID 2>/dev/null || break
			sleep 0.2; _i=$((_i + 1))
		done
		promtool query instant http://127.0.0.1:$PPORT 'http_requests_total{service="checkout",code="500"}' \
		    2>/dev/null | grep -q '=>' && break
		kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null; PROM_PID=
	done
	if [ -z "$PROM_PID" ]; then
		t_ok 1 "prometheus starts on loopback and scrapes the exporter"; sed 's/^/# /' "$PD/prom.log"; return
	fi
	t_ok 0 "prometheus starts on loopback and scrapes the exporter"
	sleep 3
	PURL=http://127.0.0.1:$PPORT
	t_run "sources add prometheus (5 s step, 30 s rate window, 2 h back)" M sources add prometheus prom \
	    "$PURL" --set step=5s --set rate-window=30s --set lookback=2h --set delay=0s
	out=$(M sources test prom 2>&1); rc=$?
	t_eq "sources test prom exits 0" 0 "$rc"
	t_match "and counts the series of each meaning" "request_rate 2 series, error_ratio 2 series, latency_p99_ms 0 series" "$out"
	out=$(M run 2>&1); rc=$?
	t_match "the run pulls it while the failing source fails" "sources +1 pulled, 1 failed" "$out"
	grep '^REQ' "$BAD/log" | tail -n 2 | sed 's/^/# bad: /'
	t_eq "that run exits 1 (a source failed)" 1 "$rc"
	t_ok "$([ "$(q "select count(*) from midwatch.metric_points p join midwatch.services s on s.id = p.service_id where s.name = 'checkout' and p.metric_name = 'error_ratio'")" -gt 1000 ] && echo 0 || echo 1)" \
	    "two hours of checkout's error ratio are stored, at 5 s"
	t_eq "error ratio before the surge is 0.5 %, during it 23 %" "0.0050|0.2308" \
	    "$(q "select round(avg(value) filter (where ts < now() - interval '10 min')::numeric, 4) || '|' || round(avg(value) filter (where ts > now() - interval '100 s')::numeric, 4) from midwatch.metric_points p join midwatch.services s on s.id = p.service_id where s.name = 'checkout' and p.metric_name = 'error_ratio'")"
	t_eq "the labels naming the service are not kept as series labels" "" \
	    "$(q "select string_agg(distinct labels_key, ',') from midwatch.metric_points where labels_key <> ''")"
	out=$(M incidents --json 2>&1)
	t_match "an incident is opened on checkout" '"service": "checkout"' "$out"
	t_ok "$(printf '%s' "$out" | grep -q '"service": "payments"' && echo 1 || echo 0)" "and none on payments, which is healthy"
	n1=$(q "select count(*) from midwatch.metric_points")
	c1=$(q "select cursor->>'end' from midwatch.ingest_sources where name = 'prom'")
	sleep 6
	due bad
	out=$(M run 2>&1)
	n2=$(q "select count(*) from midwatch.metric_points")
	c2=$(q "select cursor->>'end' from midwatch.ingest_sources where name = 'prom'")
	t_ok "$([ "$c2" \> "$c1" ] && echo 0 || echo 1)" "the next run moves the cursor ($c1 -> $c2)"
	t_ok "$([ $((n2 - n1)) -gt 0 ] && [ $((n2 - n1)) -le 40 ] && echo 0 || echo 1)" \
	    "and pulls only the new steps ($((n2 - n1)) points)"
	t_eq "no point is stored twice" 0 \
	    "$(q "select count(*) from (select 1 from midwatch.metric_points group by service_id, metric_name, labels_key, ts having count(*) > 1) d")"
	kill $LOOP_PID $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null; LOOP_PID= PROM_PID=
	sleep 5
	due prom
	out=$(M run 2>&1)
	t_match "a Prometheus that went away fails too" "0 pulled, 1 failed, 1 waiting" "$out"
	t_match "as its own source" "^GET $PURL/api/v1/query_range: " \
	    "$(q "select last_error from midwatch.ingest_sources where name = 'prom'")"
}

# ---- the real Alertmanager ---------------------------------------------------------
# am_start PORT: Alertmanager on PORT (its state in $AMD/data); 0 when it
# answers, else 1 with AM_PID empty
am_start() {
	AMPORT=$1
	prometheus-alertmanager --config.file="$AMD/am.yml" --storage.path="$AMD/data" \
	    --cluster.listen-address= --web.listen-address=127.0.0.1:$AMPORT >>"$AMD/am.log" 2>&1 &
	AM_PID=$!
	_i=0
	while [ $_i -lt 50 ] && ! amtool --alertmanager.url=http://127.0.0.1:$AMPORT \
	    alert query >/dev/null 2>&1; do
		kill -0 $AM_PID 2>/dev/null || break
		sleep 0.1; _i=$((_i + 1))
	done
	amtool --alertmanager.url=http://127.0.0.1:$AMPORT alert query >/dev/null 2>&1 && return 0
	kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null; AM_PID=
	return 1
}

# am_silences [--expired]: Alertmanager's silences as compact JSON
am_silences() {
	amtool --alertmanager.url=$AMURL silence query "$@" -o json 2>/dev/null |
	    tr -d '\n' | sed 's/": /":/g; s/, "/,"/g'
}

am_real() {
	AMD=$TAP_TMP/am
	mkdir -p "$AMD"
	cat >"$AMD/am.yml" <<EOF
route:
  receiver: blackhole
receivers:
  - name: blackhole
EOF
	for try in 1 2 3 4 5; do
		am_start $((20000 + ($$ * 13 + try * 137) % 20000)) && break
	done
	if [ -z "$AM_PID" ]; then
		t_ok 1 "prometheus-alertmanager starts on loopback"; sed 's/^/# /' "$AMD/am.log"; return
	fi
	AMURL=http://127.0.0.1:$AMPORT
	t_run "amtool fires two alerts" sh -c "amtool --alertmanager.url=$AMURL alert add alertname=DiskFull \
	    service=ledger severity=warning --annotation=summary='disk 95%' &&
	    amtool --alertmanager.url=$AMURL alert add alertname=NodeDown instance=db-7:9100 severity=critical"
	t_run "sources add alertmanager" M sources add alertmanager am "$AMURL"
	out=$(M sources test am 2>&1)
	t_match "sources test names its version and alerts" "source am: ok: Alertmanager 0\.[0-9.]+, 2 alerts" "$out"
	due bad
	out=$(M run 2>&1)
	t_match "the run pulls them" "pulled, 1 failed.* 2 alert events" "$out"
	out=$(M alerts --json 2>&1)
	t_match "DiskFull is a midwatch alert of ledger" '"title": "DiskFull: disk 95%"' "$out"
	t_match "NodeDown of db-7 (from its instance), critical" '"service": "db-7"' "$out"
	t_eq "with Alertmanager's labels" "alertname=DiskFull,service=ledger,severity=warning" \
	    "$(q "select string_agg(k || '=' || v, ',' order by k) from midwatch.alerts a, jsonb_each_text(a.details->'labels') x(k, v) where a.title like 'DiskFull%'")"
	due bad
	out=$(M run 2>&1)
	t_eq "a second pull changes nothing" "2|2" \
	    "$(q "select count(*) || '|' || count(distinct fingerprint) from midwatch.external_alerts")"
	amtool --alertmanager.url=$AMURL alert add alertname=DiskFull service=ledger severity=warning \
	    --annotation=summary='disk 95%' --end="$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null 2>&1
	sleep 1
	due bad
	out=$(M run 2>&1)
	t_match "an alert Alertmanager stopped reporting is resolved" "1 resolved" "$out"
	t_eq "in midwatch, by alertmanager; the other stays active" "DiskFull|resolved|alertmanager NodeDown|active|" \
	    "$(q "select string_agg(split_part(title, ':', 1) || '|' || status || '|' || coalesce(resolved_by, ''), ' ' order by title) from midwatch.alerts where fingerprint like 'external:%'")"
	# acknowledgement goes back: a silence in Alertmanager
	nd=$(q "select id from midwatch.alerts where title like 'NodeDown%' and fingerprint like 'external:%'")
	ni=$(q "select g.incident_id from midwatch.signals g join midwatch.alerts a on a.project_id = g.project_id and a.fingerprint = 'external:' || g.ref where a.id = $nd and g.signal_type = 'external_alert' and g.incident_id is not null order by g.onset_at desc limit 1")
	t_ok "$([ -n "$ni" ] && echo 0 || echo 1)" "NodeDown's signal belongs to an incident (${ni:-none})"
	out=$(M ack "$nd" 2>&1); rc=$?
	t_eq "ack of an Alertmanager alert exits 0" 0 "$rc"
	t_match "and creates a silence there at once" "1 alertmanager silence created" "$out"
	sil=$(amtool --alertmanager.url=$AMURL silence query -o json 2>/dev/null)
	t_match "Alertmanager has it, with the alert's labels as matchers" \
	    '"name":"alertname","value":"NodeDown"' "$(printf '%s' "$sil" | tr -d ' \n')"
	sil1=$(am_silences)
	t_match "created by the operator" '"createdBy":"alice"' "$sil1"
	t_match "with a comment naming the midwatch alert and its signal's incident" \
	    "\"comment\":\"midwatch: alert $nd of incident $ni acknowledged\"" "$sil1"
	t_eq "its id is kept, active, about an hour (silence-for)" "active|true|true" \
	    "$(q "select state || '|' || (silence_id = '$(printf '%s' "$sil" | grep -o '"id": *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')') || '|' || (ends_at between now() + interval '55 min' and now() + interval '61 min') from midwatch.alert_silences where alert_id = $nd")"
	out=$(M alerts 2>&1)
	t_match "midwatch alerts shows the silence and when it ends" \
	    "alertmanager silence active until [0-9-]+ [0-9:]+ UTC \(id [0-9a-f-]+\)" "$out"
	out=$(M alerts --json 2>&1)
	t_match "and --json carries it" '"alertmanager_silence": \{' "$out"
	# resolving the incident (not the alert) expires it
	DRIVER=$top_builddir/tests/model/stage_driver
	out=$("$DRIVER" --project src feedback incident_resolved "${ni:-0}" alice '{"resolution": "db-7 rebooted"}' 2>&1)
	t_match "the incident is resolved" "^(recorded|already) [0-9]+" "$out"
	t_eq "which marks the mirrored alert's silence to expire" "expiring" \
	    "$(q "select state from midwatch.alert_silences where alert_id = $nd")"
	out=$(M notify 2>&1)
	t_match "midwatch notify expires it in Alertmanager" "0 alertmanager silences created, 1 expired" "$out"
	sid=$(q "select silence_id from midwatch.alert_silences where alert_id = $nd")
	t_match "Alertmanager says the silence is expired" \
	    "\"id\":\"$sid\",\"status\":\{\"state\":\"expired\"\}" "$(am_silences --expired)"
	t_eq "it has no active silence left" "" \
	    "$(amtool --alertmanager.url=$AMURL silence query -q 2>/dev/null)"
	t_eq "the row says expired, by the incident's resolution" "expired|incident_resolved" \
	    "$(q "select s.state || '|' || f.event_type from midwatch.alert_silences s join midwatch.feedback_events f on f.project_id = s.project_id and f.id = s.expire_event_id where s.alert_id = $nd")"
	out=$(M silence "$nd" --for 30m 2>&1)
	t_match "silencing the alert again creates a new silence" "1 alertmanager silence created" "$out"
	out=$(M resolve "$nd" 2>&1)
	t_match "resolving the alert expires the silence" "0 alertmanager silences created, 1 expired" "$out"
	t_eq "Alertmanager has no active silence left" "" \
	    "$(amtool --alertmanager.url=$AMURL silence query -q 2>/dev/null)"
	t_eq "and the rows say expired" "expired|expired" \
	    "$(q "select string_agg(state, '|' order by id) from midwatch.alert_silences where alert_id = $nd")"
	# an Alertmanager that cannot be reached: retried, never dropped
	kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null; AM_PID=
	dk=$(q "select id from midwatch.alerts where title like 'DiskFull%' and fingerprint like 'external:%'")
	q "update midwatch.alerts set status = 'active', resolved_at = null, resolved_by = null where id = $dk" >/dev/null
	out=$(M silence "$dk" --for 2h 2>&1); rc=$?
	t_eq "a silence while Alertmanager is down is still recorded (exit 0)" 0 "$rc"
	t_match "the failure is shown, with a retry" "0 expired, 1 to retry" "$out"
	t_eq "the row waits for its retry with the reason" "pending|1|true|true" \
	    "$(q "select state || '|' || attempts || '|' || (next_attempt_at > now()) || '|' || (last_error like 'POST /api/v2/silences: %') from midwatch.alert_silences where alert_id = $dk")"
	t_eq "its end is the operator's two hours" "t" \
	    "$(q "select ends_at between now() + interval '115 min' and now() + interval '121 min' from midwatch.alert_silences where alert_id = $dk")"
	am_start "$AMPORT"
	t_ok $? "Alertmanager comes back on the same port"
	out=$(M notify 2>&1)
	t_eq "within its backoff the silence waits" "pending|1" \
	    "$(q "select state || '|' || attempts from midwatch.alert_silences where alert_id = $dk")"
	# the backoff (30 s and more) is over
	q "update midwatch.alert_silences set next_attempt_at = now() where alert_id = $dk" >/dev/null
	out=$(M notify 2>&1)
	t_match "then the next midwatch notify creates it" "1 alertmanager silence created, 0 expired, 0 to retry" "$out"
	t_eq "active at its second attempt, the error gone" "active|2|" \
	    "$(q "select state || '|' || attempts || '|' || coalesce(last_error, '') from midwatch.alert_silences where alert_id = $dk")"
	sid=$(q "select silence_id from midwatch.alert_silences where alert_id = $dk")
	t_match "Alertmanager has it" "\"id\":\"$sid\",\"status\":\{\"state\":\"active\"\}.*\"value\":\"DiskFull\"" "$(am_silences)"
	# a group head's ack cascades to its held members: their silences are
	# the operator's too, not midwatch's
	amtool --alertmanager.url=$AMURL alert add alertname=QueueLag service=ledger severity=warning >/dev/null 2>&1
	amtool --alertmanager.url=$AMURL alert add alertname=ConsumerLag service=worker severity=warning >/dev/null 2>&1
	due bad; M run >/dev/null 2>&1
	hd=$(q "select id from midwatch.alerts where title like 'QueueLag%' and fingerprint like 'external:%'")
	mb=$(q "select id from midwatch.alerts where title like 'ConsumerLag%' and fingerprint like 'external:%'")
	q "update midwatch.alerts set group_head_id = ${hd:-0}, group_inhibited = (id = ${mb:-0}) where id in (${hd:-0}, ${mb:-0})" >/dev/null
	out=$(M --as carol ack "${hd:-0}" 2>&1)
	t_match "acking a group head silences it and its held member" "2 alertmanager silences created" "$out"
	t_eq "the member's ack is midwatch's cascade" "system|midwatch" \
	    "$(q "select actor_type || '|' || actor_id from midwatch.feedback_events where target_kind = 'alert' and target_id = ${mb:-0} and event_type = 'alert_acknowledged'")"
	sid=$(q "select silence_id from midwatch.alert_silences where alert_id = ${mb:-0}")
	t_match "yet its silence is created by the operator who acked the head" \
	    "\"id\":\"$sid\"[^]]*\"createdBy\":\"carol\"" "$(am_silences)"
	# a silence that keeps failing gives up after 10 attempts, and says so
	kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null; AM_PID=
	M silence "$dk" --for 3h >/dev/null 2>&1
	sl=$(q "select max(id) from midwatch.alert_silences where alert_id = $dk")
	n=1
	while [ $n -lt 9 ]; do
		q "update midwatch.alert_silences set next_attempt_at = now() where id = ${sl:-0}" >/dev/null
		M notify >/dev/null 2>&1
		n=$((n + 1))
	done
	t_eq "after nine failed attempts it still waits" "pending|9" \
	    "$(q "select state || '|' || attempts from midwatch.alert_silences where id = ${sl:-0}")"
	q "update midwatch.alert_silences set next_attempt_at = now() where id = ${sl:-0}" >/dev/null
	out=$(M notify 2>&1)
	t_match "the tenth failure gives up" "0 expired, 0 to retry, 1 given up" "$out"
	t_eq "the row is dead, with why" "dead|10|true" \
	    "$(q "select state || '|' || attempts || '|' || (last_error like 'POST /api/v2/silences: %') from midwatch.alert_silences where id = ${sl:-0}")"
	out=$(M status 2>&1); rc=$?
	t_eq "midwatch status is degraded (exit 1)" 1 "$rc"
	t_match "and names the silence that gave up" \
	    "1 Alertmanager silence failed in 24 h \(last: alert $dk: POST /api/v2/silences: " "$out"
}

missing=
for p in prometheus promtool prometheus-alertmanager amtool; do
	command -v $p >/dev/null 2>&1 || missing="$missing $p"
done
if [ -z "$missing" ]; then
	prom_real
	am_real
else
	t_ok 1 "prometheus and prometheus-alertmanager are installed (./dev installs them; missing:$missing)"
fi

# ---- the console's status bar names a failing source -------------------------------
con_setup
trap 'pid_of "$LOOP_PID"; pid_of "$PROM_PID"; pid_of "$AM_PID"; pid_of "$EXP_PID"; pid_of "$BAD_PID"; con_cleanup' EXIT INT TERM
con_start src 120 30 -- --project src
con_wait src "source [a-z]+ failing" 15 >/dev/null
t_match "the console's status bar names the failing source" "source (bad|prom) failing" "$(con_screen src)"
con_keys src q
t_done
