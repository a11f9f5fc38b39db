#!/bin/sh
# test_console_silence.sh - acknowledgement goes back from the console too
# (issue 9): the real `prometheus-alertmanager` on loopback, an alert fired
# at it with amtool and mirrored by `midwatch run`, the console at 80x24
# with a pipeline interval of an hour (its runner pulls once at start, then
# not for an hour) and never R:
#   * `a` on the mirrored alert creates the matching silence in Alertmanager
#     within seconds (its /api/v2/silences: matchers equal to the alert's
#     labels, createdBy the operator), pushed by the console's silence
#     thread; the message line says so;
#   * the Alerts pane's row then shows the silence and its end ("AM until
#     HH:MM") beside the acknowledgement, in 80 columns;
#   * the alert's detail view shows its labels, annotations and the silence
#     with its end;
#   * `x` (resolve) expires the silence there, as promptly;
#   * `s` with 2h creates a two-hour silence there; the silenced row shows
#     it once ("AM until HH:MM", not a second "until");
#   * with Alertmanager gone, an ack still records; the failure is shown
#     on the message line and the silence waits for its retry.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"

missing=
for p in prometheus-alertmanager amtool curl jq; do
	command -v $p >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	t_ok 1 "prometheus-alertmanager, amtool, curl and jq are installed (./dev installs them; missing:$missing)"
	t_done
	exit
fi

pgtest_start
pgtest_createdb mwsil
con_setup
AM_PID=
trap '[ -n "$AM_PID" ] && kill $AM_PID 2>/dev/null; con_cleanup' EXIT INT TERM
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
# a long pipeline interval: nothing but the silence thread pushes
printf 'pipeline-interval = 1h\nrefresh-interval = 30s\n' \
    >"$TAP_TMP/config/midwatch/config"
M() { "$MIDWATCH" --project am --as dora "$@"; }

# ---- the real Alertmanager on loopback, two alerts mirrored --------------------------
AMD=$TAP_TMP/am
mkdir -p "$AMD"
printf 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n' >"$AMD/am.yml"
for try in 1 2 3 4 5; do
	AMPORT=$((20000 + ($$ * 17 + try * 131) % 20000))
	prometheus-alertmanager --config.file="$AMD/am.yml" --storage.path="$AMD/data" \
	    --cluster.listen-address= --web.listen-address=127.0.0.1:$AMPORT >"$AMD/am.log" 2>&1 &
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
[ -n "$AM_PID" ] || { sed 's/^/# /' "$AMD/am.log"; echo "Bail out! prometheus-alertmanager does not start"; exit 1; }
AMURL=http://127.0.0.1:$AMPORT
amtool --alertmanager.url=$AMURL alert add alertname=NodeDown instance=db-7:9100 \
    severity=critical --annotation=summary='node db-7 down' >/dev/null 2>&1 &&
amtool --alertmanager.url=$AMURL alert add alertname=DiskFull service=ledger \
    severity=warning --annotation=summary='disk 95%' >/dev/null 2>&1 &&
amtool --alertmanager.url=$AMURL alert add alertname=CpuHigh service=ledger \
    severity=warning >/dev/null 2>&1 ||
    { echo "Bail out! amtool alert add failed"; exit 1; }
M ingest /dev/null >/dev/null 2>&1
M sources add alertmanager am "$AMURL" >/dev/null 2>&1 || { echo "Bail out! sources add"; exit 1; }
M run >"$TAP_TMP/run.log" 2>&1
nd=$(con_q "select id from midwatch.alerts where title like 'NodeDown%' and fingerprint like 'external:%'")
dk=$(con_q "select id from midwatch.alerts where title like 'DiskFull%' and fingerprint like 'external:%'")
ch=$(con_q "select id from midwatch.alerts where title like 'CpuHigh%' and fingerprint like 'external:%'")
t_ok "$([ -n "$nd" ] && [ -n "$dk" ] && [ -n "$ch" ]; echo $?)" "the run mirrors the alerts ($nd, $dk, $ch)"

# silences: "state|createdBy|name=value,..." of each of Alertmanager's
# silences (its API), newest last
silences() {
	curl -sf "$AMURL/api/v2/silences" | jq -r 'sort_by(.updatedAt)[] |
	    .status.state + "|" + .createdBy + "|" + ([.matchers | sort_by(.name)[] |
	    .name + (if .isEqual == false then "!" else "" end) +
	    (if .isRegex then "=~" else "=" end) + .value] | join(","))'
}
active_silences() { silences | grep '^active|' || true; }
has_active() { [ -n "$(active_silences)" ]; }
has_none_active() { [ -z "$(active_silences)" ]; }
labels_of() {	# the alert's labels as Alertmanager's matchers should read
	con_q "select string_agg(k || '=' || v, ',' order by k)
	         from midwatch.alerts a, jsonb_each_text(a.details -> 'labels') x (k, v)
	        where a.id = $1"
}

# ---- the console: a, without R ---------------------------------------------------------
started=$(con_q "select now()")
con_start s 80 24 -- --project am --as dora
con_wait s "NodeDown" 20 >/dev/null
# the runner's first timed run comes right after start (its pull, then
# nothing new): let it pass first, so that only the silence thread can
# push what follows
pulled() {
	[ "$(con_q "select last_ok_at > '$started' from midwatch.ingest_sources where name = 'am'")" = t ]
}
t_run "the console's runner pulled once at start" con_until 200 pulled
con_stable s "pipeline idle" 10 >/dev/null
for _k in 1 2 3 4; do
	focus_is s Alerts && break
	con_keys s Tab
	sleep 0.2
done
con_keys s /
con_keys s -l NodeDown
con_keys s Enter
t_run "the Alerts pane is focused and lists NodeDown" selected_wait s "NodeDown"
t_eq "Alertmanager has no silence yet" "" "$(silences)"
con_keys s a
t_run "a acknowledges it" con_wait s "acked +crit +NodeDown" 5
t_run "a matching silence appears in Alertmanager within seconds" con_until 50 has_active
sil=$(active_silences)
t_eq "its matchers are the alert's labels, createdBy the operator" \
    "active|dora|$(labels_of "$nd")" "$sil"
t_eq "the feedback keeps the silence's id" \
    "$(curl -sf "$AMURL/api/v2/silences" | jq -r '.[] | select(.status.state == "active") | .id')" \
    "$(con_q "select silence_id from midwatch.alert_silences where alert_id = $nd and state = 'active'")"
until=$(con_q "select to_char(ends_at at time zone 'UTC', 'HH24:MI') from midwatch.alert_silences where alert_id = $nd and state = 'active'")
t_run "the message line says it was created" \
    con_wait s "^Alertmanager: 1 silence created" 5
t_run "the Alerts pane row shows the acknowledgement and the silence's end" \
    con_wait s "acked +crit +NodeDown.* ack [0-9]+s ago dora +AM until $until +[0-9]+[smh]" 10
con_screen s | sed -n '/^─ Alerts/,/^$/p' | sed 's/^/# /'

# ---- its detail view -----------------------------------------------------------------------
con_keys s Enter
t_run "the detail view opens" con_wait s "^ Alert #$nd" 5
scr=$(con_screen s)
t_match "it shows the silence with its end" \
    "Alertmanager silence active until [0-9-]+ $until UTC" "$scr"
sid=$(con_q "select silence_id from midwatch.alert_silences where alert_id = $nd")
t_match "and its id, whole (wrapped in 80 columns)" "\($sid\)" \
    "$(printf '%s\n' "$scr" | sed 's/^ *//' | tr -d '\n')"
t_match "its labels" "alertname=NodeDown, instance=db-7:9100, severity=critical" "$scr"
t_match "and annotations" "summary: node db-7 down" "$scr"
con_keys s q
con_gone s "^ Alert #" 5 >/dev/null

# ---- x resolves: the silence expires there ----------------------------------------------------
con_keys s x
con_wait s "Resolve alert #$nd\?" 5 >/dev/null
con_keys s y
t_run "x then y resolves it" con_wait s "resolved +crit +NodeDown" 5
t_run "and the silence in Alertmanager expires within seconds" con_until 50 has_none_active
t_eq "the row says expired" "expired" \
    "$(con_q "select state from midwatch.alert_silences where alert_id = $nd")"
t_run "the message line says so" con_wait s "^Alertmanager: 1 silence expired" 5
t_nomatch "the row shows no silence any more" "NodeDown.*AM until" "$(con_screen s)"

# ---- s: a silence for the duration typed, there too -------------------------------------------
con_keys s / C-u
con_keys s -l DiskFull
con_keys s Enter
selected_wait s "DiskFull" >/dev/null
con_keys s s
con_wait s "Silence alert #$dk" 5 >/dev/null
con_keys s -l "2h"
con_keys s Enter
t_run "s silences it" con_wait s "silenced +[a-z]+ +DiskFull" 5
t_run "a silence of two hours appears in Alertmanager within seconds" \
    con_until 50 has_active
t_eq "with the alert's labels, by the operator" "active|dora|$(labels_of "$dk")" \
    "$(active_silences)"
until=$(con_q "select to_char(ends_at at time zone 'UTC', 'HH24:MI') from midwatch.alert_silences where alert_id = $dk and state = 'active'")
t_run "the row shows the silence there and its end" \
    con_wait s "silenced +[a-z]+ +DiskFull.* AM until $until +[0-9]+[smh]" 10
row=$(con_screen s | grep "DiskFull")
echo "# $row"
t_eq "once (the same end goes without saying twice)" 1 \
    "$(printf '%s\n' "$row" | grep -o until | wc -l | tr -d ' ')"
con_start w 130 30 -- --project am --as dora --readonly
t_run "a wide (read-only) console says it in words" \
    con_wait w "silenced +[a-z]+ +DiskFull.* AM silence until $until +[0-9]+[smh]" 20
con_keys w Q
t_eq "and quits cleanly" 0 "$(con_exited w 10)"

# ---- Alertmanager gone: recorded, the failure shown, retried later ----------------------------
kill $AM_PID 2>/dev/null; wait $AM_PID 2>/dev/null; AM_PID=
con_keys s / C-u
con_keys s -l CpuHigh
con_keys s Enter
selected_wait s "CpuHigh" >/dev/null
con_keys s a
t_run "an ack while Alertmanager is down is recorded" con_wait s "acked +[a-z]+ +CpuHigh" 5
t_run "the failure is shown, with its retry" \
    con_wait s "Alertmanager: 1 failed, retried in [0-9]+s: POST /api/v2/silences" 10
t_eq "the silence waits for its retry with the reason" "pending|1|true" \
    "$(con_q "select state || '|' || attempts || '|' || (next_attempt_at > now()) from midwatch.alert_silences where alert_id = $ch")"
t_nomatch "the row shows no silence" "CpuHigh.*AM until" "$(con_screen s)"
con_keys s Q
t_eq "the console quits cleanly" 0 "$(con_exited s 10)"
t_done
