#!/bin/sh
# test_error_secrets.sh - no secret comes out of an HTTP error page (issue
# 11).  A local HTTP server answers 500 with bodies carrying every secret of
# tests/ingest/secrets/corpus.txt (a slice at a time, each within what is
# kept of an answer): a Prometheus and an Alertmanager source pulled by
# `midwatch run` (their dead letters, ingest_errors.payload, keep the start
# of the answer), and a webhook channel (each delivery attempt keeps the
# start of the answer as its error; `channels test` prints it).  Neither
# pg_dump of schema midwatch nor any command's output holds one of them.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/lib/receiver.sh"
. "$top_srcdir/tests/lib/secrets.sh"
receiver_db
MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR
BODY=$TAP_TMP/body
receiver_start --body-file "$BODY"
mode file500
W=$TAP_TMP/out
mkdir -p "$W"
secrets_corpus "$TAP_TMP"
# within the 200 bytes a delivery's error keeps of an answer
n=$(secrets_chunks 190)
t_ok "$([ "$n" -gt 10 ]; echo $?)" "the corpus makes $n error pages"

M() { "$MIDWATCH" --project src "$@"; }
M ingest /dev/null >/dev/null 2>&1
t_run "a Prometheus source" M sources add prometheus prom "$URL" \
    --set timeout=2s --set step=1m
t_run "an Alertmanager source" M sources add alertmanager am "$URL" \
    --set timeout=2s
t_run "a webhook channel" "$MIDWATCH" channels add webhook hook "$URL/hook" \
    --set retry-base=1s --set max-attempts=100 --set timeout=2s
q "insert into midwatch.alerts (id, project_id, service_id, fingerprint,
       title, severity)
   select 9001, id, 100, 'test:9001', 'Test alert', 'high'
     from midwatch.projects where slug = 'default';
   insert into midwatch.outbound_messages (project_id, alert_id, channel,
       channel_kind, payload, dedupe_key)
   select project_id, id, 'hook', 'webhook',
          jsonb_build_object('alert_id', id, 'title', title), 'test:9001:hook'
     from midwatch.alerts where id = 9001" >/dev/null

i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	cp "$TAP_TMP/chunk.$i" "$BODY"
	q "update midwatch.ingest_sources set next_retry_at = now();
	   update midwatch.outbound_messages set next_attempt_at = now()
	    where channel = 'hook'" >/dev/null
	M run >>"$W/run" 2>&1
	"$MIDWATCH" notify >>"$W/notify" 2>&1
	"$MIDWATCH" channels test hook >>"$W/channels-test" 2>&1
done
M sources list >"$W/sources-list" 2>&1
for s in prom am; do
	M sources show "$s" >"$W/sources-show-$s" 2>&1
	M sources test "$s" >"$W/sources-test-$s" 2>&1
done
M status >"$W/status-src" 2>&1
"$MIDWATCH" status --json >"$W/status" 2>&1
"$MIDWATCH" channels list >"$W/channels-list" 2>&1
t_match "the sources' pulls failed with HTTP 500" "HTTP 500" "$(cat "$W/run")"
t_eq "every error page is a dead letter of each source" "$n $n" \
    "$(q "select count(*) filter (where source = 'prom') || ' ' ||
              count(*) filter (where source = 'am')
          from midwatch.ingest_errors where payload like '%answer: %'")"
t_eq "every delivery attempt failed, keeping the answer" "$n" \
    "$(q "select count(*) from midwatch.outbound_attempts
           where error like 'HTTP 500: %'")"
t_match "channels test says what came back" "HTTP 500: " "$(cat "$W/channels-test")"
pg_dump --data-only -n midwatch mw >"$W/dump" 2>"$TAP_TMP/dump.err"
t_eq "pg_dump of schema midwatch works" "0" "$?"
t_match "what was kept of the answers is redacted" '\[redacted' "$(cat "$W/dump")"
for f in "$W"/*; do
	t_eq "no corpus secret in $(basename "$f")" "" "$(secrets_leaks "$f")"
done
t_done
