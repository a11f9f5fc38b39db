#!/bin/sh
# test_notify.sh - notifications that always arrive, against a real
# PostgreSQL (the fixture of tests/model) and a local HTTP receiver
# (tests/net/receiver) that answers 200, 429, 500, hangs or closes as told:
# channels add/list/test/remove and their usage errors; alerts of one
# incident go out as one webhook with an Idempotency-Key, exactly once;
# retries on 500, 429, a hang past the timeout and a closed connection land
# exactly once when the receiver recovers; dead letter after max-attempts;
# kill -9 mid-retry and mid-send lose nothing and send nothing twice;
# PagerDuty trigger, then acknowledge and resolve after `midwatch ack` /
# `resolve` with one dedup_key; the Slack shape; secrets from an owner-only
# file never reach the database or any output, a 0644 one is refused;
# `midwatch run` delivers what is due.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/lib/receiver.sh"
receiver_db
DRIVER=$top_builddir/tests/model/stage_driver
MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR
receiver_start

# requests answered with a status
nans() { grep -c "^REQ answer=$2 .* idem=$1 " "$LOG"; }
# queue ID CHANNEL [INCIDENT]: a new alert and its message on CHANNEL, as
# the alert stage queues them; prints the message's idempotency key
queue() {
	q "insert into midwatch.alerts (id, project_id, incident_id, service_id,
	       fingerprint, title, severity)
	   select $1, id, ${3:-null}, 100, 'test:$1', 'Test alert $1', 'high'
	     from midwatch.projects where slug = 'default';
	   insert into midwatch.outbound_messages (project_id, alert_id, channel,
	       channel_kind, payload, dedupe_key)
	   select project_id, id, '$2', 'webhook',
	          jsonb_build_object('alert_id', id, 'title', title,
	              'severity', severity, 'fingerprint', fingerprint),
	          'test:$1:$2'
	     from midwatch.alerts where id = $1" >/dev/null
	q "select idempotency_key from midwatch.outbound_messages where alert_id = $1"
}
headers() {
	awk -v k="$1" '/^REQ / { on = index($0, " idem=" k " ") > 0 } on && /^H /' "$LOG"
}
msg() { q "select status || '|' || attempts from midwatch.outbound_messages where alert_id = $1 and channel = '$2' and event = 'trigger'"; }
# all_of TEXT REGEX...: 0 if TEXT matches every REGEX (the first missing
# one is shown)
all_of() {
	_s=$1; shift
	for _p; do
		printf '%s\n' "$_s" | grep -Eq -- "$_p" ||
		    { echo "# missing /$_p/ in: $_s" | cut -c1-600 >&2; return 1; }
	done
}
# wait_reqs KEY N: waits up to 20 s until N requests carried KEY
wait_reqs() {
	_i=0
	while [ "$(nreq "$1")" -lt "$2" ] && [ $_i -lt 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}

# --- usage -------------------------------------------------------------------
for c in "channels --help" "channels add --help" "channels list --help" \
    "channels test --help" "channels remove --help" "notify --help"; do
	# shellcheck disable=SC2086
	out=$("$MIDWATCH" $c 2>&1); rc=$?
	t_eq "$c exits 0" "0" "$rc"
done
t_match "channels --help lists the settings" "retry-base +30s" \
    "$("$MIDWATCH" channels --help)"
usage() { # usage DESC REGEX ARGS...: exit 2 and a message matching REGEX
	_d=$1; _re=$2; shift 2
	out=$("$MIDWATCH" "$@" 2>&1); rc=$?
	t_eq "$_d exits 2" "2" "$rc"
	t_match "... saying what was wrong" "$_re" "$out"
}
usage "channels with no subcommand" "name a subcommand" channels
usage "an unknown subcommand" "unknown subcommand frob" channels frob
usage "add without a name" "needs a kind and a name" channels add webhook
usage "an unknown kind" "unknown channel kind email" channels add email x "$URL/x"
usage "a URL that is not http" "http:// or https://" channels add webhook x ftp://h/x
usage "a URL with credentials" "holds credentials" channels add webhook x "http://u:p@h/x"
usage "a webhook without URL" "needs a URL" channels add webhook x
usage "a bad duration" "retry-base: soon is not a duration" \
    channels add webhook x "$URL/x" --set retry-base=soon
usage "an unknown setting" "unknown setting" channels add webhook x "$URL/x" --set colour=red
usage "a secret given as a value" "not an environment variable name" \
    channels add webhook x "$URL/x" --set key-env=s3cr3t-value!
usage "pagerduty without a routing key" "needs its routing key" channels add pagerduty x
usage "notify with an argument" "unexpected argument now" notify now
usage "an option of another subcommand" "--json is an option of channels list" \
    channels remove x --json
t_eq "nothing was added by the refused commands" "0" \
    "$(q "select count(*) from midwatch.channels where name = 'x'")"

# --- add, list, --all-rules ----------------------------------------------------
out=$("$MIDWATCH" channels add webhook hook "$URL/hook" --all-rules \
    --set retry-base=1s --set max-attempts=5 --set timeout=2s 2>&1); rc=$?
t_eq "channels add exits 0" "0" "$rc"
t_match "... and says on how many rules" "channel hook added \(webhook\), on [1-9][0-9]* alert rules" "$out"
t_eq "--all-rules put the channel on every rule" "0" \
    "$(q "select count(*) from midwatch.alert_rules where not channels @> '[{\"name\": \"hook\"}]'")"
t_eq "settings are stored as numbers, durations in seconds" '{"timeout": 2, "retry-base": 1, "max-attempts": 5}' \
    "$(q "select settings from midwatch.channels where name = 'hook'")"
out=$("$MIDWATCH" channels add webhook hook "$URL/other" 2>&1); rc=$?
t_eq "adding a name twice exits 1" "1" "$rc"
t_match "... saying it exists" "exists already" "$out"
"$MIDWATCH" channels add webhook other "$URL/other" --set retry-base=3s >/dev/null
# a backoff long enough to be in the future when checked on a busy machine
"$MIDWATCH" channels add webhook slow "$URL/other" --set retry-base=10s >/dev/null
"$MIDWATCH" channels add webhook deadhook "$URL/dead" --set retry-base=1s \
    --set max-attempts=3 --set timeout=2s >/dev/null
out=$("$MIDWATCH" channels list); rc=$?
t_eq "channels list exits 0" "0" "$rc"
t_match "... with a row per channel and its counts" "^hook +webhook +0 +0 +0 +$URL/hook" "$out"
t_match "... the built-in log channel too" "^log +log +0 +0 +0 +\(midwatch log\)" "$out"

# --- one incident's alerts: one webhook, exactly once, with Idempotency-Key ----
"$DRIVER" --since 2026-11-16T12:00:00Z --at 2026-11-16T14:00:00Z alert >/dev/null ||
	{ echo "Bail out! alert stage failed"; exit 1; }
# The alert stage held the symptoms of each incident group (only the
# group's head pages: doc/pipeline-output.md, "Alert groups"); queue them
# again, so several messages of one incident are due together and the
# deliverer's grouping is what is tested here.
t_ok "$([ "$(q "select count(*) from midwatch.outbound_messages where channel = 'hook' and status = 'inhibited'")" -gt 0 ]; echo $?)" \
    "the alert stage held the symptoms of an incident group"
q "update midwatch.outbound_messages set status = 'pending' where channel = 'hook' and status = 'inhibited'" >/dev/null
nmsg=$(q "select count(*) from midwatch.outbound_messages where channel = 'hook'")
nkey=$(q "select count(distinct incident_key) from midwatch.outbound_messages where channel = 'hook'")
t_ok "$([ "$nmsg" -gt "$nkey" ]; echo $?)" "the alert stage queued several alerts of one incident ($nmsg messages, $nkey incidents)"
out=$("$MIDWATCH" notify 2>&1); rc=$?
t_eq "notify exits 0" "0" "$rc"
t_match "... and says what it sent" "notify +[0-9]+ sent, 0 to retry, 0 dead-lettered, 0 waiting" "$out"
t_eq "one request per incident, not one per alert" "$nkey" "$(grep -c '^REQ .* path=/hook ' "$LOG")"
t_eq "every message of the channel is sent" "$nmsg" \
    "$(q "select count(*) from midwatch.outbound_messages where channel = 'hook' and status = 'sent' and sent_at is not null")"
k200=$(q "select idempotency_key from midwatch.outbound_messages where channel = 'hook' and incident_id = 200 and group_leader_id is null")
t_eq "the incident's request carries its Idempotency-Key header" "1" \
    "$(grep -c "^H Idempotency-Key: $k200\$" "$LOG")"
n200=$(q "select count(*) from midwatch.outbound_messages where channel = 'hook' and incident_id = 200")
body=$(bodies "$k200" | head -n 1)
t_match "... and its body names the incident" '"incident":\{[^}]*"id":200' "$body"
t_match "... the top hypothesis with its confidence" '"hypothesis":\{.*"confidence":0\.82' "$body"
t_match "... the evidence it cites" '"evidence":\[\{[^]]*"summary":"[^"]+' "$body"
t_eq "... and all $n200 alerts of the incident" "$n200" \
    "$(printf '%s\n' "$body" | grep -o '"fingerprint":' | wc -l | tr -d ' ')"
t_eq "one finished attempt per request, with its status" "$nkey|$nkey" \
    "$(q "select count(*) || '|' || count(*) filter (where a.http_status = 200 and a.finished_at is not null) from midwatch.outbound_attempts a join midwatch.outbound_messages m on m.id = a.message_id where m.channel = 'hook'")"
before=$(grep -c '^REQ ' "$LOG")
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "notify again sends nothing twice" "$before" "$(grep -c '^REQ ' "$LOG")"
t_match "the log channel's messages are delivered too" "^log +log +0 +[1-9]" \
    "$("$MIDWATCH" channels list)"

# --- 500, then recovery ---------------------------------------------------------
mode 500
k=$(queue 901 slow)
"$MIDWATCH" notify >/dev/null 2>&1; rc=$?
t_eq "a 500 is not an error of notify (exit 0)" "0" "$rc"
t_eq "the message waits for a retry" "failed|1" "$(msg 901 slow)"
t_eq "the attempt is recorded with its status" "500|HTTP 500: no" \
    "$(q "select a.http_status || '|' || a.error from midwatch.outbound_attempts a join midwatch.outbound_messages m on m.id = a.message_id where m.alert_id = 901")"
t_ok "$(q "select next_attempt_at > now() from midwatch.outbound_messages where alert_id = 901" | grep -q t; echo $?)" \
    "... and a retry time in the future"
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "before that time nothing is resent" "1" "$(nreq "$k")"
mode 200
"$MIDWATCH" notify --wait 30s >/dev/null 2>&1
t_eq "after the backoff it lands" "sent|2" "$(msg 901 slow)"
t_eq "... answered 200 exactly once, same key" "2 1" "$(nreq "$k") $(nans "$k" 200)"

# --- 429 with Retry-After --------------------------------------------------------
mode 429
k=$(queue 902 hook)
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "a 429 is retried" "failed|1" "$(msg 902 hook)"
t_ok "$(q "select m.next_attempt_at - a.attempted_at >= interval '1.9 s' from midwatch.outbound_messages m join midwatch.outbound_attempts a on a.message_id = m.id where m.alert_id = 902" | grep -q t; echo $?)" \
    "... no sooner than its Retry-After"
mode 200
"$MIDWATCH" notify --wait 20s >/dev/null 2>&1
t_eq "... and lands once the receiver recovers" "sent 1" "$(msg 902 hook | cut -d'|' -f1) $(nans "$k" 200)"

# --- held while the run that raised it has not completed -------------------------
# An alert a running (or dead) run raised is not published (the console does
# not list it); its page waits for the run to complete.
q "insert into midwatch.pipeline_runs (id, project_id, status, window_start, window_end,
       requested_by, started_at)
   select 9100, id, 'running', now() - interval '1 hour', now(), 'test', now()
     from midwatch.projects where slug = 'default'" >/dev/null
q "insert into midwatch.alerts (id, project_id, run_id, service_id, fingerprint, title, severity)
   select 907, id, 9100, 100, 'test:907', 'Test alert 907', 'high'
     from midwatch.projects where slug = 'default';
   insert into midwatch.outbound_messages (project_id, run_id, alert_id, channel,
       channel_kind, payload, dedupe_key)
   select project_id, 9100, id, 'hook', 'webhook',
          jsonb_build_object('alert_id', id, 'title', title), 'test:907:hook'
     from midwatch.alerts where id = 907" >/dev/null
k=$(q "select idempotency_key from midwatch.outbound_messages where alert_id = 907")
t_eq "the alert of a run not completed is not published" "f" \
    "$(q "select published from midwatch.alerts where id = 907")"
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "its page is held: not sent, not tried" "pending|0 0" "$(msg 907 hook) $(nreq "$k")"
q "update midwatch.pipeline_runs set status = 'completed', finished_at = now() where id = 9100;
   update midwatch.alerts set published = true where id = 907" >/dev/null
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "once its run completed it is sent, once" "sent|1 1" "$(msg 907 hook) $(nans "$k" 200)"

# --- a hang past the timeout, a closed connection -------------------------------
mode hang
k=$(queue 903 hook 201)
start=$(date +%s)
"$MIDWATCH" notify >/dev/null 2>&1
took=$(($(date +%s) - start))
t_ok "$([ "$took" -le 8 ]; echo $?)" "a hanging receiver is given up after the timeout (${took}s)"
t_match "... recorded as a timeout" "^failed\|1\|\|timeout: " \
    "$(q "select m.status || '|' || m.attempts || '|' || coalesce(a.http_status::text, '') || '|' || a.error from midwatch.outbound_messages m join midwatch.outbound_attempts a on a.message_id = m.id where m.alert_id = 903")"
mode close
sleep 1.2
"$MIDWATCH" notify >/dev/null 2>&1
t_match "a closed connection is a failed attempt too" "^failed\|2" "$(msg 903 hook)"
mode 200
"$MIDWATCH" notify --wait 20s >/dev/null 2>&1
t_eq "... and it lands exactly once after the receiver recovers" "sent 1" \
    "$(msg 903 hook | cut -d'|' -f1) $(nans "$k" 200)"

# --- dead letter ----------------------------------------------------------------------
mode 500
k=$(queue 904 deadhook)
out=$("$MIDWATCH" notify --wait 20s 2>&1); rc=$?
t_eq "after max-attempts the message is dead-lettered" "dead|3" "$(msg 904 deadhook)"
t_eq "... after exactly that many requests and attempt rows" "3 3" \
    "$(nreq "$k") $(q "select count(*) from midwatch.outbound_attempts a join midwatch.outbound_messages m on m.id = a.message_id where m.alert_id = 904")"
t_eq "notify exits 1 when it dead-lettered something" "1" "$rc"
t_match "channels list shows the dead letter and the last error" \
    "^deadhook +webhook +0 +0 +1 .*
 +last attempt [0-9T:Z-]+ failed: HTTP 500" "$("$MIDWATCH" channels list)"
out=$("$MIDWATCH" status 2>&1)
t_match "status names the dead letter (a page nobody got)" \
    "1 notification dead-lettered in 24 h \(last on channel deadhook; midwatch channels list\)" "$out"
mode 200
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "a dead letter is not sent again" "3" "$(nreq "$k")"

# --- kill -9 mid-retry --------------------------------------------------------------
mode 500
k=$(queue 905 other)
"$MIDWATCH" notify --wait 60s >/dev/null 2>&1 &
npid=$!
wait_reqs "$k" 2
kill -9 $npid 2>/dev/null
wait $npid 2>/dev/null
t_ok "$([ "$(nreq "$k")" -ge 2 ]; echo $?)" "notify was killed while retrying ($(nreq "$k") attempts made)"
t_match "the message survived the kill" "^(failed|sending)\|" "$(msg 905 other)"
mode 200
sleep 1
"$MIDWATCH" notify --wait 20s >/dev/null 2>&1
t_eq "after a restart it lands, answered 200 exactly once" "sent 1" \
    "$(msg 905 other | cut -d'|' -f1) $(nans "$k" 200)"
t_eq "no attempt is left open" "0" \
    "$(q "select count(*) from midwatch.outbound_attempts where finished_at is null")"

# --- kill -9 mid-send ------------------------------------------------------------
mode hang
k=$(queue 906 hook 202)
"$MIDWATCH" notify >/dev/null 2>&1 &
npid=$!
wait_reqs "$k" 1
kill -9 $npid 2>/dev/null
wait $npid 2>/dev/null
t_eq "killed mid-send, the message is claimed with an open attempt" "sending|1|1" \
    "$(msg 906 hook)|$(q "select count(*) from midwatch.outbound_attempts a join midwatch.outbound_messages m on m.id = a.message_id where m.alert_id = 906 and a.finished_at is null")"
mode 200
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "while the claim lasts nobody resends it" "1" "$(nreq "$k")"
"$MIDWATCH" notify --wait 20s >/dev/null 2>&1
t_eq "once it lapses the message is sent, answered 200 exactly once" "sent|2 1" \
    "$(msg 906 hook) $(nans "$k" 200)"
t_eq "... with the same key and body as the interrupted send" "1" \
    "$(bodies "$k" | sort -u | wc -l | tr -d ' ')"
t_match "the interrupted attempt is closed as such" "^interrupted" \
    "$(q "select a.error from midwatch.outbound_attempts a join midwatch.outbound_messages m on m.id = a.message_id where m.alert_id = 906 order by a.id limit 1")"

# --- PagerDuty: trigger, acknowledge, resolve; the key stays secret ------------------
SECRET=R0uT1nGk3y-$$-secret
printf '%s\n' "$SECRET" >"$TAP_TMP/pd.key"
chmod 600 "$TAP_TMP/pd.key"
cp "$TAP_TMP/pd.key" "$TAP_TMP/pd644.key"
chmod 644 "$TAP_TMP/pd644.key"
out=$("$MIDWATCH" channels add pagerduty pd644 "$URL/pd" --set key-file="$TAP_TMP/pd644.key" 2>&1); rc=$?
t_eq "a group/world-readable key file is refused (exit 2)" "2" "$rc"
t_match "... naming the file and its mode" "pd644.key is readable .* \(mode 0644\)" "$out"
t_eq "... and nothing is added" "0" "$(q "select count(*) from midwatch.channels where name = 'pd644'")"
out=$("$MIDWATCH" channels add pagerduty pd "$URL/pd" --set key-file="$TAP_TMP/pd.key" 2>&1); rc=$?
t_eq "a 0600 key file is accepted" "0" "$rc"
k=$(queue 910 pd 200)
"$MIDWATCH" ack 910 >>"$TAP_TMP/pd.out" 2>&1
"$MIDWATCH" notify >>"$TAP_TMP/pd.out" 2>&1
pd=$(grep '^BODY ' "$LOG" | grep '"routing_key"')
dedup="midwatch-$(q "select id from midwatch.projects where slug = 'default'")-incident-200"
trig=$(printf '%s\n' "$pd" | sed -n 1p)
ackb=$(printf '%s\n' "$pd" | sed -n 2p)
t_ok "$(all_of "$trig" '"event_action":"trigger"' "\"dedup_key\":\"$dedup\"" \
    "\"routing_key\":\"$SECRET\""; echo $?)" \
    "PagerDuty gets a trigger with the routing key and the incident's dedup_key"
t_ok "$(all_of "$trig" '"summary":"Incident 200 on checkout: [^"]*top hypothesis: [^"]*\(0\.82\)"' \
    '"severity":"error"' '"top_hypothesis":\{' '"client":"midwatch"'; echo $?)" \
    "... a summary, a severity PagerDuty knows and the top hypothesis"
t_ok "$(all_of "$ackb" '"event_action":"acknowledge"' "\"dedup_key\":\"$dedup\"" \
    "\"routing_key\":\"$SECRET\"" '^BODY \{("[a-z_]+":"[^"]*",?){3}\}$'; echo $?)" \
    "... then, after midwatch ack, an acknowledge with the same dedup_key (and nothing else)"
t_eq "... two requests in all" "2" "$(printf '%s\n' "$pd" | wc -l | tr -d ' ')"
k2=$(queue 915 pd 200)
"$MIDWATCH" notify >>"$TAP_TMP/pd.out" 2>&1
t_eq "a later alert of the paged incident waits for the group window" "pending|0" "$(msg 915 pd)"
"$MIDWATCH" ack 915 >>"$TAP_TMP/pd.out" 2>&1
"$MIDWATCH" notify >>"$TAP_TMP/pd.out" 2>&1
t_eq "an acknowledge does not wait for it: both go at once" "sent|1 1" \
    "$(msg 915 pd) $(nans "$k2" 200)"
t_ok "$(all_of "$(grep '^BODY ' "$LOG" | grep '"routing_key"' | sed -n 3,4p | tr '\n' ' ')" \
    '"event_action":"trigger".*"event_action":"acknowledge"'; echo $?)" \
    "... the trigger first"
open=$(q "select id from midwatch.alerts where incident_id = 200 and status <> 'resolved' order by id")
last=$(printf '%s\n' "$open" | tail -n 1)
for a in $open; do
	[ "$a" = "$last" ] && continue
	"$MIDWATCH" resolve "$a" >>"$TAP_TMP/pd.out" 2>&1
done
t_eq "resolving some of the incident's alerts does not resolve the page" "0" \
    "$(q "select count(*) from midwatch.outbound_messages where channel = 'pd' and event = 'resolve'")"
"$MIDWATCH" resolve "$last" >>"$TAP_TMP/pd.out" 2>&1
"$MIDWATCH" notify >>"$TAP_TMP/pd.out" 2>&1
t_ok "$(all_of "$(grep '^BODY ' "$LOG" | grep '"routing_key"' | sed -n 5p)" \
    '"event_action":"resolve"' "\"dedup_key\":\"$dedup\""; echo $?)" \
    "resolving the last one sends a resolve with the same dedup_key"
"$MIDWATCH" channels test pd >>"$TAP_TMP/pd.out" 2>&1; rc=$?
t_eq "channels test of a PagerDuty channel exits 0" "0" "$rc"
t_match "... a trigger, then its resolve at once" "channel pd: ok: trigger: HTTP 200 in [0-9]+ ms, resolve: HTTP 200" \
    "$(cat "$TAP_TMP/pd.out")"
all=$(cat "$TAP_TMP"/*.out 2>/dev/null; "$MIDWATCH" channels list 2>&1; "$MIDWATCH" channels list --json 2>&1)
t_match "(the outputs checked for the key are there)" "notify +[0-9]+ sent" "$all"
t_eq "the routing key is in no output" "0" "$(printf '%s\n' "$all" | grep -c -- "$SECRET")"
PGDATABASE=mw "$PGTEST_BIN/pg_dump" --data-only >"$TAP_TMP/dump.sql" 2>/dev/null
t_ok "$([ -s "$TAP_TMP/dump.sql" ]; echo $?)" "the database dumps"
t_eq "... and the routing key is nowhere in it" "0" "$(grep -c -- "$SECRET" "$TAP_TMP/dump.sql")"
t_eq "the channel keeps the key file's name only" "$TAP_TMP/pd.key" \
    "$(q "select settings->>'key-file' from midwatch.channels where name = 'pd'")"

# --- a bearer token from the environment; Slack ----------------------------------
TOKEN=t0ken-$$-value; export TOKEN
"$MIDWATCH" channels add webhook tok "$URL/tok" --set key-env=TOKEN >/dev/null 2>&1
k=$(queue 911 tok)
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "a webhook secret goes as a bearer token" "1" \
    "$(headers "$k" | grep -c "^H Authorization: Bearer $TOKEN\$")"
t_eq "... never into the database" "0" \
    "$(PGDATABASE=mw "$PGTEST_BIN/pg_dump" --data-only 2>/dev/null | grep -c -- "$TOKEN")"
"$MIDWATCH" channels add slack sl "$URL/slack" >/dev/null 2>&1
k=$(queue 912 sl 200)
"$MIDWATCH" notify >/dev/null 2>&1
sb=$(bodies "$k" | head -n 1)
t_ok "$(all_of "$sb" '^BODY \{"text":"Triggered \[high\] Incident 200 on checkout' \
    '"blocks":\[\{"text":\{"text":"Triggered \[high\] [^"]*","type":"plain_text"\},"type":"header"\}'; echo $?)" \
    "Slack gets text and blocks: a header first"
t_ok "$(all_of "$sb" '"text":"\*Incident 200\* on \*checkout\*' \
    '"text":"\*Top hypothesis\* \(release, confidence 0\.82\): [^"]*supports: _' \
    '"type":"mrkdwn"'; echo $?)" \
    "... the incident, the hypothesis and its evidence as mrkdwn sections"

# --- channels test, run, remove ------------------------------------------------------
out=$("$MIDWATCH" channels test hook 2>&1); rc=$?
t_eq "channels test exits 0 on a 200" "0" "$rc"
t_match "... saying how it went" "channel hook: ok: test: HTTP 200" "$out"
t_match "... and the receiver got a test event" '"event":"test"' "$(grep '^BODY ' "$LOG" | tail -n 1)"
mode 500
out=$("$MIDWATCH" channels test hook 2>&1); rc=$?
t_eq "channels test exits 1 when the target fails" "1" "$rc"
t_match "... saying why" "channel hook failed: test: HTTP 500" "$out"
out=$("$MIDWATCH" channels test nope 2>&1); rc=$?
t_eq "testing an unknown channel exits 1" "1" "$rc"
mode 200
k=$(queue 913 other)
out=$("$MIDWATCH" run 2>&1); rc=$?
t_match "midwatch run delivers what is due after the pipeline" "notify +[1-9][0-9]* sent" "$out"
t_eq "... the message is sent" "sent 1" "$(msg 913 other | cut -d'|' -f1) $(nans "$k" 200)"
mode 500
queue 914 hook 203 >/dev/null
out=$("$MIDWATCH" channels remove hook 2>&1); rc=$?
t_eq "channels remove exits 0" "0" "$rc"
t_match "... saying what it did" "channel hook removed \(from [1-9][0-9]* alert rules; 1 undelivered message dead-lettered\)" "$out"
t_eq "the channel is off every rule" "0" \
    "$(q "select count(*) from midwatch.alert_rules where channels @> '[{\"name\": \"hook\"}]'")"
t_eq "... and its waiting message is a dead letter" "dead|0" "$(msg 914 hook)"
out=$("$MIDWATCH" channels remove hook 2>&1); rc=$?
t_eq "removing it again exits 1" "1" "$rc"
t_eq "adds and removes are audited" "1|1" \
    "$(q "select count(*) filter (where action = 'channel.added' and target = 'channel:hook') || '|' || count(*) filter (where action = 'channel.removed') from midwatch.audit_entries")"
t_done
