#!/bin/sh
# test_act.sh - acting on a recommendation (issue 10, seed 001) against a
# real PostgreSQL (the fixture of tests/model) and the local HTTP receiver
# (tests/net/receiver): bad requests (unknown action, recommendation or
# channel, a channel that does not suit the action, a bad duration,
# --readonly) exit as documented and write nothing; a random number of
# send_message requests with random text each arrive once with their text;
# --key makes a retried request one run; the tracker's webhook answering
# 500 twice then 200 ends succeeded after 3 attempts with the backoff in
# next_retry_at, and a second create_or_update_task on the same incident
# updates that task (same task key, the tracker's task id) instead of
# creating another; max_retries exhausted (and a 4xx) end failed with the
# channel and the HTTP status in the error; a reminder fires only once its
# time passed; the channel's secret reaches the receiver and nothing else;
# act --list and --json show the runs.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/lib/receiver.sh"
receiver_db
MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR

BODY=$TAP_TMP/answer
receiver_start --body-file "$BODY"

answers() {
	grep "^REQ .* idem=$1 " "$LOG" | sed 's/^REQ answer=\([^ ]*\) .*/\1/' | tr '\n' ' '
}
run() { q "select $2 from midwatch.recommendation_action_runs where id = $1"; }
key_of() { run "$1" idempotency_key; }
# due RUN: waits (at most 10 s) until the run's next attempt is due
due() {
	_i=0
	while [ "$(q "select next_retry_at <= now() from midwatch.recommendation_action_runs where id = $1")" != t ] &&
	    [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
# the run id `act` printed
run_id() { printf '%s\n' "$1" | sed -n 's/.*action run \([0-9]*\);.*/\1/p'; }
nothing_written() {
	t_eq "$1: no run, no event" "0|0" \
	    "$(q "select (select count(*) from midwatch.recommendation_action_runs) || '|' || (select count(*) from midwatch.feedback_events where event_type = 'recommendation_action_requested')")"
}

# Recommendations of incident 200 (two) and 203 (one).
q "insert into midwatch.recommendations (id, project_id, incident_id, hypothesis_id,
       dedupe_key, template_key, type, title, gate_status, publishable, evidence_count)
   select v.id, p.id, v.inc, v.hyp, 'fx-' || v.id, v.t, v.t, v.title, 'passed', true, 2
     from midwatch.projects p,
          (values (900, 200, 400, 'rollback', 'Roll back checkout d-123'),
                  (901, 200, 401, 'revert_config', 'Revert cfg-9'),
                  (902, 203, 410, 'failover', 'Fail over pg-main')) v(id, inc, hyp, t, title)
    where p.slug = 'default'" >/dev/null ||
	{ echo "Bail out! recommendations failed"; exit 1; }
TOKEN="tok-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
TRACKER_TOKEN=$TOKEN; export TRACKER_TOKEN
"$MIDWATCH" channels add webhook hook "$URL/hook" --set retry-base=1s \
    --set timeout=2s >/dev/null &&
"$MIDWATCH" channels add webhook tracker "$URL/tracker" --set retry-base=1s \
    --set timeout=2s --set key-env=TRACKER_TOKEN >/dev/null &&
"$MIDWATCH" channels add webhook flaky "$URL/flaky" --set retry-base=1s \
    --set max-attempts=3 --set timeout=2s >/dev/null &&
"$MIDWATCH" channels add pagerduty pd --set key-env=TRACKER_TOKEN >/dev/null ||
	{ echo "Bail out! channels add failed"; exit 1; }

# --- bad requests: exit codes, messages, nothing written ----------------------
bad() { # bad DESC RC REGEX ARGS...
	_d=$1; _rc=$2; _re=$3; shift 3
	out=$("$MIDWATCH" "$@" 2>&1); rc=$?
	t_eq "$_d exits $_rc" "$_rc" "$rc"
	t_match "... saying so" "$_re" "$out"
}
bad "an unknown action" 2 "unknown action frobnicate \(send_message, create_or_update_task or set_reminder\)" \
    act 900 frobnicate --channel hook
bad "an unknown recommendation" 1 "act: no recommendation 99999" \
    act 99999 send_message --channel hook
bad "an unknown channel" 1 "no channel named nochan \(midwatch channels list\)" \
    act 900 send_message --channel nochan
bad "a bad duration" 2 "--in: not a duration: 'soon'" \
    act 900 set_reminder --in soon
bad "a bad time" 2 "--at: not a time: 'tomorrow'" \
    act 900 set_reminder --at tomorrow
bad "a reminder without a time" 2 "set_reminder needs a time" \
    act 900 set_reminder
bad "a reminder too far ahead" 2 "at most 30 days ahead" \
    act 900 set_reminder --in 40d
bad "a message without a channel" 2 "send_message needs a channel" \
    act 900 send_message
bad "a time on a message" 2 "send_message takes no time" \
    act 900 send_message --channel hook --in 5m
bad "a task on a log channel" 1 "channel log is a log channel: create_or_update_task takes a webhook" \
    act 900 create_or_update_task --channel log
bad "a message to PagerDuty" 1 "channel pd is a pagerduty channel" \
    act 900 send_message --channel pd
bad "a recommendation that is no number" 2 "RECOMMENDATION_ID must be a positive number" \
    act x send_message --channel hook
bad "no action" 2 "needs a recommendation and an action" act 900
bad "--readonly" 1 "act: refused: --readonly" \
    --readonly act 900 send_message --channel hook
nothing_written "after the refused requests"
out=$("$MIDWATCH" --readonly act --list 2>&1); rc=$?
t_eq "act --list runs with --readonly" "0" "$rc"

# --- send_message: a random number of messages, each arrives once -------------
n=$(( $(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % 4 + 2 ))
echo "# $n messages"
i=0
while [ $i -lt $n ]; do
	word=$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')
	reco=$(( 900 + i % 3 ))
	out=$("$MIDWATCH" act $reco send_message --channel hook \
	    --text "look at $word now" 2>&1); rc=$?
	t_eq "act $reco send_message exits 0" "0" "$rc"
	t_match "... and names its run" "^recommendation $reco: send_message on channel hook requested by alice \(action run [0-9]+; midwatch act --list\)" "$out"
	id=$(run_id "$out")
	eval "word_$id=\$word"
	t_eq "... a pending run of the recommendation's incident, by alice" \
	    "pending|0|$reco|$(q "select incident_id from midwatch.recommendations where id = $reco")|alice" \
	    "$(run "$id" "status || '|' || attempts || '|' || recommendation_id || '|' || incident_id || '|' || requested_by")"
	t_eq "... in the same transaction as its feedback event" "send_message|hook|$word" \
	    "$(q "select e.payload->>'action' || '|' || (e.payload->>'channel') || '|' || split_part(e.payload->>'text', ' ', 3) from midwatch.feedback_events e join midwatch.recommendation_action_runs r on r.feedback_event_id = e.id and r.idempotency_key = e.idempotency_key where r.id = $id and e.target_kind = 'recommendation' and e.target_id = $reco")"
	i=$((i + 1))
done
out=$("$MIDWATCH" notify 2>&1); rc=$?
t_eq "notify exits 0" "0" "$rc"
t_match "... and counts the actions" "actions +$n succeeded, 0 to retry, 0 failed" "$out"
for id in $(q "select id from midwatch.recommendation_action_runs order by id"); do
	eval "word=\$word_$id"
	k=$(key_of "$id")
	t_eq "run $id succeeded in one attempt" "succeeded|1|" \
	    "$(run "$id" "status || '|' || attempts || '|' || coalesce(error, '')")"
	t_eq "... one request with its idempotency key" "1" "$(nreq "$k")"
	t_match "... whose body carries the text, the event and the recommendation" \
	    "\"event\":\"message\".*\"summary\":\"look at $word now\"" "$(bodies "$k")"
	t_match "... and the recommendation" "\"recommendation\":\{[^}]*\"id\":$(run "$id" recommendation_id)" "$(bodies "$k")"
done
out=$("$MIDWATCH" notify 2>&1)
t_eq "a second notify sends nothing more" "$n" "$(grep -c '^REQ .*path=/hook ' "$LOG")"

# --- one intent, one run: --key ------------------------------------------------
before=$(q "select count(*) from midwatch.recommendation_action_runs")
"$MIDWATCH" act 901 send_message --channel hook --key intent-1 >/dev/null 2>&1
out=$("$MIDWATCH" act 901 send_message --channel hook --key intent-1 2>&1); rc=$?
t_eq "the same --key again exits 0" "0" "$rc"
t_match "... saying it was recorded already" "^already recorded: recommendation 901" "$out"
t_eq "... one run for the one intent" "$((before + 1))" \
    "$(q "select count(*) from midwatch.recommendation_action_runs")"
"$MIDWATCH" notify >/dev/null 2>&1

# --- the tracker: 500, 500, 200; then an update of the same task ---------------
mode 500
out=$("$MIDWATCH" act 901 create_or_update_task --channel tracker --text "first look" 2>&1)
T1=$(run_id "$out")
t_ok "$([ -n "$T1" ]; echo $?)" "create_or_update_task requested (run $T1)"
TK=$(q "select task_key from midwatch.recommendation_action_tasks where incident_id = 200 and channel = 'tracker'")
t_match "the incident's task has a key" "^midwatch-task-[0-9a-f-]{36}$" "$TK"
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "after a 500: pending, attempt 1, max_retries from the channel (10 attempts), the channel and status in the error" \
    "pending|1|9|channel tracker: HTTP 500" \
    "$(run "$T1" "status || '|' || attempts || '|' || max_retries || '|' || split_part(error, ':', 1) || ':' || split_part(error, ':', 2)")"
t_eq "... retried after the channel's backoff (0.5 to 1 s after the attempt)" "t" \
    "$(run "$T1" "extract(epoch from next_retry_at - updated_at) between 0.45 and 1.05")"
due "$T1"
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "after a second 500: pending, attempt 2" "pending|2" \
    "$(run "$T1" "status || '|' || attempts")"
t_eq "... the backoff doubled (1 to 2 s)" "t" \
    "$(run "$T1" "extract(epoch from next_retry_at - updated_at) between 0.95 and 2.05")"
printf '{"id": "TASK-%s", "status": "open"}\n' "$$" >"$BODY"
mode file
due "$T1"
out=$("$MIDWATCH" notify 2>&1); rc=$?
t_eq "notify exits 0" "0" "$rc"
t_eq "after the 200: succeeded in 3 attempts, no error" "succeeded|3|" \
    "$(run "$T1" "status || '|' || attempts || '|' || coalesce(error, '')")"
t_eq "... the result has the operation and the tracker's task id" "create|TASK-$$|$TK" \
    "$(run "$T1" "(result->>'operation') || '|' || (result->>'task_id') || '|' || (result->>'task_key')")"
K1=$(key_of "$T1")
t_eq "the tracker saw 500, 500, 200 under one Idempotency-Key" "500 500 file " "$(answers "$K1")"
t_match "... a create carrying the task's key" "\"operation\":\"create\",\"task\":\{\"key\":\"$TK\"" "$(bodies "$K1" | tail -n 1)"
hdrs() { awk -v k="$1" '/^REQ / { on = index($0, " idem=" k " ") > 0 } on && /^H /' "$LOG"; }
t_match "... with the channel's bearer token" "^H Authorization: Bearer $TOKEN" "$(hdrs "$K1")"
t_match "... and the task's key in the Midwatch-Task-Key header" "^H Midwatch-Task-Key: $TK" "$(hdrs "$K1")"
mode 200
out=$("$MIDWATCH" act 900 create_or_update_task --channel tracker --text "rolled back" 2>&1)
T2=$(run_id "$out")
"$MIDWATCH" notify >/dev/null 2>&1
K2=$(key_of "$T2")
t_eq "a second task request on the incident succeeded" "succeeded|update" \
    "$(run "$T2" "status || '|' || (result->>'operation')")"
t_match "... sent as an update of the same task: its key and the tracker's id" \
    "\"operation\":\"update\",\"task\":\{\"key\":\"$TK\",\"id\":\"TASK-$$\"\}" "$(bodies "$K2")"
t_match "... the same key in its Midwatch-Task-Key header" "^H Midwatch-Task-Key: $TK" "$(hdrs "$K2")"
t_eq "one task for the incident, updated once" "1|1|TASK-$$" \
    "$(q "select count(*) || '|' || sum(updates) || '|' || max(task_id) from midwatch.recommendation_action_tasks where incident_id = 200")"
# requests (by idempotency key: a retry is the same request) that OP the task
task_reqs() {
	awk -v pat="\"operation\":\"$1\",\"task\":{\"key\":\"$TK\"" \
	    '/^REQ / { k = $5 } /^BODY / && index($0, pat) { print k }' "$LOG" |
	    sort -u | wc -l | tr -d ' '
}
t_eq "the tracker got one create and one update of the task" "1|1" \
    "$(task_reqs create)|$(task_reqs update)"
out=$("$MIDWATCH" act 902 create_or_update_task --channel tracker 2>&1)
T3=$(run_id "$out")
"$MIDWATCH" notify >/dev/null 2>&1
t_match "another incident gets its own task, created" \
    "\"operation\":\"create\",\"task\":\{\"key\":\"midwatch-task-" "$(bodies "$(key_of "$T3")")"
t_eq "... two tasks in all" "2" \
    "$(q "select count(*) from midwatch.recommendation_action_tasks")"

# --- max_retries exhausted, and a refusal --------------------------------------
mode 500
out=$("$MIDWATCH" act 902 send_message --channel flaky --text doomed 2>&1)
F=$(run_id "$out")
for a in 1 2; do
	"$MIDWATCH" notify >/dev/null 2>&1
	due "$F"
done
out=$("$MIDWATCH" notify 2>&1); rc=$?
t_eq "notify exits 1 when an action failed for good" "1" "$rc"
t_match "... counting it" "actions +0 succeeded, 0 to retry, 1 failed" "$out"
t_eq "after max_retries (2) retries: failed, 3 attempts, the error kept" \
    "failed|3|2|channel flaky: HTTP 500" \
    "$(run "$F" "status || '|' || attempts || '|' || max_retries || '|' || split_part(error, ':', 1) || ':' || split_part(error, ':', 2)")"
t_eq "... three requests, then none" "3" "$(nreq "$(key_of "$F")")"
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "... a later notify does not try again" "3" "$(nreq "$(key_of "$F")")"
mode 400
out=$("$MIDWATCH" act 900 send_message --channel hook --text refused 2>&1)
R=$(run_id "$out")
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "a 400 fails at once (the target refused it for good)" "failed|1|channel hook: HTTP 400" \
    "$(run "$R" "status || '|' || attempts || '|' || split_part(error, ':', 1) || ':' || split_part(error, ':', 2)")"
mode 200

# --- set_reminder: fires once its time passed ---------------------------------
mins=$(( $(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % 50 + 5 ))
out=$("$MIDWATCH" act 900 set_reminder --in "${mins}m" --text "check the rollback" --channel hook 2>&1); rc=$?
t_eq "set_reminder --in ${mins}m exits 0" "0" "$rc"
M=$(run_id "$out")
t_eq "... due in $mins minutes" "t" "$(run "$M" "next_retry_at between now() + interval '$mins min' - interval '1 min' and now() + interval '$mins min'")"
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "before its time: still pending, never tried" "pending|0|0" \
    "$(run "$M" "status || '|' || attempts")|$(nreq "$(key_of "$M")")"
# the minutes pass
q "update midwatch.recommendation_action_runs set next_retry_at = now() - interval '1 s' where id = $M" >/dev/null
"$MIDWATCH" notify >/dev/null 2>&1
t_eq "once its time passed: sent" "succeeded|1|1" \
    "$(run "$M" "status || '|' || attempts")|$(nreq "$(key_of "$M")")"
t_match "... as a reminder naming the recommendation" \
    "\"event\":\"reminder\".*\"summary\":\"Reminder: check the rollback \(recommendation 900\)\"" \
    "$(bodies "$(key_of "$M")")"
out=$("$MIDWATCH" act 901 set_reminder --at 2026-01-01T00:00:00Z 2>&1)
L=$(run_id "$out")
"$MIDWATCH" -v notify >/dev/null 2>"$TAP_TMP/log.err"
t_eq "a reminder without a channel goes to the log channel" "log|succeeded" \
    "$(run "$L" "channel || '|' || status")"

# --- act --list ----------------------------------------------------------------
out=$("$MIDWATCH" act --list 2>&1); rc=$?
t_eq "act --list exits 0" "0" "$rc"
t_match "... a row per run with status, attempts and error" \
    "^$F +902 +203 +send_message +flaky +failed +3/3 +- +channel flaky: HTTP 500" "$out"
t_match "... and the result of a success" "^$T1 +901 +200 +create_or_update_task +tracker +succeeded +3/10 .*TASK-$$" "$out"
t_eq "--list --incident 203 lists that incident's runs" \
    "$(q "select count(*) from midwatch.recommendation_action_runs where incident_id = 203")" \
    "$("$MIDWATCH" act --list --incident 203 | tail -n +2 | wc -l | tr -d ' ')"
out=$("$MIDWATCH" act --list --json); rc=$?
t_eq "--json exits 0" "0" "$rc"
t_match "... with the fields" "\"action\": \"create_or_update_task\"" "$out"
t_eq "... one object per run" "$(q "select count(*) from midwatch.recommendation_action_runs")" \
    "$(printf '%s\n' "$out" | grep -c '"recommendation_id":')"

# --- secrets ------------------------------------------------------------------
t_eq "the token is in no row" "0|0|0" \
    "$(q "select (select count(*) from midwatch.recommendation_action_runs r where r::text like '%$TOKEN%') || '|' || (select count(*) from midwatch.feedback_events e where e::text like '%$TOKEN%') || '|' || (select count(*) from midwatch.recommendation_action_tasks t where t::text like '%$TOKEN%')")"
leak=$( { "$MIDWATCH" act --list; "$MIDWATCH" act --list --json; cat "$TAP_TMP/log.err"; } 2>&1 | grep -c "$TOKEN")
t_eq "... and in no output or log" "0" "$leak"

# --- roles (sql/020_roles.sql): an operator requests, a viewer lists -----------
q "CREATE ROLE olga LOGIN; CREATE ROLE vic LOGIN" >/dev/null
"$MIDWATCH" grant operator olga >/dev/null 2>&1
"$MIDWATCH" grant viewer vic >/dev/null 2>&1
as() { _u=$1; shift; MIDWATCH_ACTOR=$_u "$MIDWATCH" --db "dbname=mw user=$_u" "$@"; }
before=$(q "select count(*) from midwatch.recommendation_action_runs")
out=$(as olga act 902 create_or_update_task --channel tracker --text "by olga" 2>&1); rc=$?
t_eq "an operator requests an action (RLS and grants on both tables): exit 0" "0" "$rc"
t_eq "... one more run, requested by olga" "$((before + 1))|olga" \
    "$(q "select count(*) || '|' || max(requested_by) filter (where params->>'text' = 'by olga') from midwatch.recommendation_action_runs")"
out=$(as vic act 902 send_message --channel hook 2>&1); rc=$?
t_eq "a viewer's request: exit 1" "1" "$rc"
t_match "... refused with the role message" "act: refused: your role in project 'default' is viewer .*act needs operator" "$out"
out=$(as vic act --list 2>&1); rc=$?
t_eq "a viewer lists the runs: exit 0" "0" "$rc"
t_match "... olga's among them" "create_or_update_task +tracker +pending" "$out"

# --- erasure (sql/019_housekeeping.sql): the requester and the text ----------
n=$(q "select count(*) from midwatch.recommendation_action_runs")
"$MIDWATCH" erase --actor olga >/dev/null 2>&1
t_eq "erase --actor olga leaves no trace of her in the runs, every run kept" "0|$n" \
    "$(q "select count(*) filter (where r::text ilike '%olga%') || '|' || count(*) from midwatch.recommendation_action_runs r")"
t_done
