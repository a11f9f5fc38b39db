#!/bin/sh
# test_feedback.sh - operator feedback against a real PostgreSQL over the SQL
# fixture (tests/model/fixture.sql): each command records exactly one
# feedback_events row with the right type, actor and target and updates the
# derived status in the same transaction; a repeat records once (one key
# per intent: --key K, no clock in the decision); invalid
# targets and transitions are refused without a row; confirming a root cause
# writes the learning record; the log is append-only; one NOTIFY per event.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
DRIVER=$top_builddir/tests/model/stage_driver
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
pgtest_psql -f "$top_srcdir/tests/model/fixture.sql" >/dev/null ||
	{ echo "Bail out! fixture failed"; exit 1; }
"$DRIVER" --since 2026-11-16T12:00:00Z --at 2026-11-16T14:00:00Z recommend >/dev/null ||
	{ echo "Bail out! recommend stage failed"; exit 1; }

MIDWATCH_ACTOR=alice; export MIDWATCH_ACTOR
q() { pgtest_psql -c "$1"; }
events() { q "select count(*) from midwatch.feedback_events where target_kind = '$1' and target_id = $2"; }
rec_id() { q "select id from midwatch.recommendations where hypothesis_id = $1 and template_key = '$2'"; }

# --- alerts ------------------------------------------------------------------
out=$("$MIDWATCH" ack 800 2>&1); rc=$?
t_eq "ack exits 0" 0 "$rc"
t_eq "ack prints one line" "alert 800 acknowledged by alice" "$out"
t_eq "ack records one event" 1 "$(events alert 800)"
t_eq "the event has type, actor and target" "user|alice|alert_acknowledged|alert|800|200" \
    "$(q "select actor_type, actor_id, event_type, target_kind, target_id, incident_id from midwatch.feedback_events where target_kind = 'alert' and target_id = 800")"
t_eq "the alert is acknowledged by alice" "acknowledged|alice|feedback|t" \
    "$(q "select status, acknowledged_by, status_source, acknowledged_at is not null from midwatch.alerts where id = 800")"

out=$("$MIDWATCH" ack 800 2>&1); rc=$?
t_eq "repeating ack exits 0" 0 "$rc"
t_match "and says it was already recorded" "^already recorded: alert 800 acknowledged" "$out"
t_eq "the repeat records nothing" 1 "$(events alert 800)"

out=$("$MIDWATCH" ack 801 2>&1); rc=$?
t_eq "ack of a resolved alert exits 1" 1 "$rc"
t_match "and says why" "alert 801 is resolved" "$out"
t_eq "the refused ack records nothing" 0 "$(events alert 801)"
t_eq "the resolved alert stays resolved" "resolved" "$(q "select status from midwatch.alerts where id = 801")"

out=$("$MIDWATCH" ack 99999 2>&1); rc=$?
t_eq "ack of an unknown alert exits 1" 1 "$rc"
t_match "naming the kind and id" "no alert 99999" "$out"
"$MIDWATCH" project create other >/dev/null 2>&1	# an empty project (never made implicitly)
out=$("$MIDWATCH" --project other ack 800 2>&1); rc=$?
t_eq "another project's alert is unknown" "1" "$rc"
t_match "and named as such" "no alert 800" "$out"
"$MIDWATCH" ack abc >/dev/null 2>&1; rc=$?
t_eq "ack with a bad id is a usage error" 2 "$rc"
"$MIDWATCH" ack >/dev/null 2>&1; rc=$?
t_eq "ack without an id is a usage error" 2 "$rc"
"$MIDWATCH" ack 800 --root-cause >/dev/null 2>&1; rc=$?
t_eq "an option of another command is a usage error" 2 "$rc"

out=$("$MIDWATCH" silence 800 --for 2h 2>&1); rc=$?
t_eq "silence --for 2h exits 0" 0 "$rc"
t_eq "silence prints one line" "alert 800 silenced by alice for 2h00m" "$out"
t_eq "silenced for two hours (wall clock)" "silenced|7200|t" \
    "$(q "select status, (payload->>'seconds'), silenced_until between now() + interval '119 minutes' and now() + interval '121 minutes' from midwatch.alerts a join midwatch.feedback_events f on f.target_id = a.id and f.event_type = 'alert_silenced' where a.id = 800")"
"$MIDWATCH" silence 800 --for 3x >/dev/null 2>&1; rc=$?
t_eq "a bad duration is a usage error" 2 "$rc"
"$MIDWATCH" silence 800 --for 31d >/dev/null 2>&1; rc=$?
t_eq "a silence over 30 days is a usage error" 2 "$rc"
t_eq "the refused silences record nothing" 1 \
    "$(q "select count(*) from midwatch.feedback_events where event_type = 'alert_silenced'")"

out=$("$MIDWATCH" --as bob resolve 800 2>&1); rc=$?
t_eq "resolve exits 0" 0 "$rc"
t_eq "resolve names the actor given with --as, and that the silence ends" \
    "alert 800 resolved by bob; its silence ends" "$out"
t_eq "the alert is resolved by bob" "resolved|bob|t" \
    "$(q "select status, resolved_by, silenced_until is null from midwatch.alerts where id = 800")"
t_eq "ack, silence and resolve: three events for alert 800" 3 "$(events alert 800)"

out=$("$MIDWATCH" --readonly ack 801 2>&1); rc=$?
t_eq "--readonly refuses feedback" 1 "$rc"
t_match "and says so" "readonly" "$out"

# --- one set of rules, the console's too (issue 12; doc/feedback.md) ----------
q "insert into midwatch.alerts (id, project_id, incident_id, fingerprint, title)
    select n, p.id, 200, 'fixture:' || n, 'rules ' || n
      from midwatch.projects p, generate_series(803, 804) n where p.slug = 'default'" >/dev/null
sil() { q "select status || '|' || coalesce(acknowledged_by, '') || '|' || (silenced_until is null) from midwatch.alerts where id = $1"; }
out=$("$MIDWATCH" silence 803 --for 1h30m 2>&1); rc=$?
t_eq "silence --for 1h30m, as the console's prompt takes it" \
    "0|alert 803 silenced by alice for 1h30m" "$rc|$out"
t_eq "... ninety minutes" 5400 \
    "$(q "select payload->>'seconds' from midwatch.feedback_events where target_id = 803 and event_type = 'alert_silenced'")"
out=$("$MIDWATCH" silence 803 --for 0 2>&1); rc=$?
t_eq "a silence of nothing is a usage error saying so" "2" "$rc"
t_match "... too short" "silence: --for: too short: '0'" "$out"
out=$("$MIDWATCH" --as bob ack 803 2>&1)
t_eq "acknowledging a silenced alert says its silence ends" \
    "alert 803 acknowledged by bob; its silence ends" "$out"
t_eq "... it is acknowledged, not silenced" "acknowledged|bob|true" "$(sil 803)"
out=$("$MIDWATCH" --as carol ack 803 2>&1); rc=$?
t_eq "a second operator's acknowledgement is recorded (the console records it too)" \
    "0|alert 803 acknowledged by carol (it was acknowledged already)" "$rc|$out"
t_eq "... two events; the first acknowledger is kept" "2|acknowledged|bob|true" \
    "$(q "select count(*) from midwatch.feedback_events where target_id = 803 and event_type = 'alert_acknowledged'")|$(sil 803)"
out=$("$MIDWATCH" unsilence 804 2>&1); rc=$?
t_eq "unsilence of an alert that is not silenced is refused" \
    "1|midwatch: unsilence: alert 804 is not silenced" "$rc|$out"
"$MIDWATCH" silence 804 --for 2h >/dev/null 2>&1
out=$("$MIDWATCH" unsilence 804 2>&1); rc=$?
t_eq "unsilence undoes a silence" "0|alert 804 unsilenced by alice; it alerts again" "$rc|$out"
t_eq "... the alert is active again" "active||true" "$(sil 804)"
t_eq "... one alert_unsilenced event" "1" \
    "$(q "select count(*) from midwatch.feedback_events where target_id = 804 and event_type = 'alert_unsilenced'")"
"$MIDWATCH" silence 803 >/dev/null 2>&1
"$MIDWATCH" unsilence 803 >/dev/null 2>&1
t_eq "an acknowledged alert silenced, then unsilenced, is acknowledged again" \
    "acknowledged|bob|true" "$(sil 803)"
out=$("$MIDWATCH" --as dave resolve 801 2>&1); rc=$?
t_eq "resolving a resolved alert is recorded and changes nothing" \
    "0|alert 801 resolved by dave (it was resolved already)|bob" \
    "$rc|$out|$(q "select resolved_by from midwatch.alerts where id = 801")"

# --- append-only --------------------------------------------------------------
q "update midwatch.feedback_events set actor_id = 'mallory'" >/dev/null 2>&1; rc=$?
t_ok "$([ "$rc" -ne 0 ]; echo $?)" "feedback_events refuses UPDATE"
q "delete from midwatch.feedback_events" >/dev/null 2>&1; rc=$?
t_ok "$([ "$rc" -ne 0 ]; echo $?)" "feedback_events refuses DELETE"
t_eq "the log is intact" 0 "$(q "select count(*) from midwatch.feedback_events where actor_id = 'mallory'")"

# --- hypotheses and learning ---------------------------------------------------
out=$("$MIDWATCH" confirm 401 2>&1); rc=$?
t_eq "confirm exits 0" 0 "$rc"
t_eq "confirm prints one line" "hypothesis 401 confirmed by alice" "$out"
t_eq "the hypothesis is confirmed by feedback" "confirmed|feedback|alice" \
    "$(q "select status, status_source, status_changed_by from midwatch.hypotheses where id = 401")"
t_eq "the event says it is not the root cause" "hypothesis_confirmed|false" \
    "$(q "select event_type, payload->>'root_cause' from midwatch.feedback_events where target_kind = 'hypothesis' and target_id = 401")"
t_eq "a plain confirm writes no learning record" 0 "$(q "select count(*) from midwatch.past_case_outcomes")"

out=$("$MIDWATCH" confirm 400 --root-cause 2>&1); rc=$?
t_eq "confirm --root-cause exits 0" 0 "$rc"
t_eq "and says so" "hypothesis 400 confirmed by alice as the root cause" "$out"
t_eq "the incident names its root cause" 400 \
    "$(q "select root_cause_hypothesis_id from midwatch.incidents where id = 200")"
t_eq "the outcome is recorded for learning" "confirmed|400|release|100|d-123|alice" \
    "$(q "select outcome, confirmed_hypothesis_id, confirmed_hypothesis_type, root_cause_service_id, ref, details->>'confirmed_by' from midwatch.past_case_outcomes where incident_id = 200")"
t_eq "the case signature is recorded" "release|d-123|t|t|t" \
    "$(q "select hypothesis_type, ref, signature->'signal_types' ? 'error_rate_spike', signature->>'trigger_type' = 'error_rate_spike', signature_hash is not null from midwatch.case_signatures where incident_id = 200")"
t_eq "one event per command" 1 "$(events hypothesis 400)"

rb=$(rec_id 400 rollback_deploy)
t_eq "the rollback recommendation is publishable" "t" \
    "$(q "select publishable from midwatch.recommendations where id = $rb")"
out=$("$MIDWATCH" reject 400 2>&1); rc=$?
t_eq "reject exits 0" 0 "$rc"
t_eq "the hypothesis is rejected" "rejected" "$(q "select status from midwatch.hypotheses where id = 400")"
t_eq "rejecting the root cause withdraws it" "" \
    "$(q "select root_cause_hypothesis_id from midwatch.incidents where id = 200")"
t_eq "and the outcome becomes unconfirmed" "unconfirmed|" \
    "$(q "select outcome, confirmed_hypothesis_id from midwatch.past_case_outcomes where incident_id = 200")"
t_eq "its recommendations are held back at once" "f|hypothesis rejected" \
    "$(q "select publishable, gate_reason from midwatch.recommendations where id = $rb")"
out=$("$MIDWATCH" confirm 400 2>&1); rc=$?
t_eq "a rejected hypothesis can be confirmed (it flips)" "0 confirmed" \
    "$rc $(q "select status from midwatch.hypotheses where id = 400")"
t_eq "its recommendations are publishable again" "t" \
    "$(q "select publishable from midwatch.recommendations where id = $rb")"
out=$("$MIDWATCH" confirm 99999 2>&1); rc=$?
t_eq "confirm of an unknown hypothesis exits 1" 1 "$rc"
t_match "naming the kind and id" "no hypothesis 99999" "$out"

# --- recommendations -----------------------------------------------------------
so=$(rec_id 402 scale_out)
out=$("$MIDWATCH" dismiss "$so" 2>&1); rc=$?
t_eq "dismiss exits 0" 0 "$rc"
t_eq "dismiss prints one line" "recommendation $so dismissed by alice" "$out"
t_eq "the recommendation is dismissed" "dismissed|feedback|alice" \
    "$(q "select status, status_source, status_changed_by from midwatch.recommendations where id = $so")"
out=$("$MIDWATCH" done "$rb" 2>&1); rc=$?
t_eq "done exits 0" 0 "$rc"
t_eq "done prints one line" "recommendation $rb marked done by alice" "$out"
t_eq "the recommendation is done" "done" "$(q "select status from midwatch.recommendations where id = $rb")"
out=$("$MIDWATCH" dismiss "$rb" 2>&1); rc=$?
t_eq "dismissing a done recommendation exits 1" 1 "$rc"
t_match "and says why" "recommendation $rb is already done" "$out"
t_eq "done then the refused dismiss: one event" 1 "$(events recommendation "$rb")"
out=$("$MIDWATCH" done 99999 2>&1); rc=$?
t_match "done of an unknown recommendation names it" "no recommendation 99999" "$out"

# --- console-only actions (through feedback_record) ----------------------------
ra=$(rec_id 401 revert_config)
t_match "recommendation acknowledged" "^recorded [0-9]+$" \
    "$("$DRIVER" feedback recommendation_acknowledged "$ra" carol)"
t_eq "it is acknowledged by carol" "acknowledged|carol" \
    "$(q "select status, acknowledged_by from midwatch.recommendations where id = $ra")"
t_match "incident triaged" "^recorded" "$("$DRIVER" feedback incident_triaged 200 carol)"
t_eq "the incident is triaged" "triaged|feedback" \
    "$(q "select status, status_source from midwatch.incidents where id = 200")"
q "insert into midwatch.alerts (id, project_id, incident_id, fingerprint, title)
    select 802, id, 200, 'fixture:802', 'still firing' from midwatch.projects where slug = 'default'" >/dev/null
t_match "incident resolved" "^recorded" \
    "$("$DRIVER" feedback incident_resolved 200 carol '{"resolution": "rolled back"}')"
t_eq "the incident is resolved by carol" "resolved|carol|rolled back|t" \
    "$(q "select status, resolved_by, resolution, resolved_at is not null from midwatch.incidents where id = 200")"
t_eq "its alerts keep their own status" "active" "$(q "select status from midwatch.alerts where id = 802")"
t_eq "resolving records the case" "unconfirmed" \
    "$(q "select outcome from midwatch.past_case_outcomes where incident_id = 200")"
t_match "resolving again in the same minute records once" "^already" \
    "$("$DRIVER" feedback incident_resolved 200 carol '{"resolution": "rolled back"}')"
out=$("$DRIVER" feedback incident_triaged 200 carol 2>&1); rc=$?
t_eq "a resolved incident cannot be triaged" "1" "$rc"
t_match "and the refusal says why" "incident 200 is resolved" "$out"
t_match "incident reopened" "^recorded" "$("$DRIVER" feedback incident_reopened 200 carol)"
t_eq "the incident is open again" "open||" \
    "$(q "select status, resolved_by, resolved_at from midwatch.incidents where id = 200")"
t_match "confirming the root cause of a resolved case" "^recorded" \
    "$("$DRIVER" feedback hypothesis_confirmed 410 carol '{"root_cause": true}')"
"$DRIVER" feedback incident_resolved 203 carol >/dev/null
t_eq "a confirmed outcome survives the incident's resolution" "confirmed|410" \
    "$(q "select outcome, confirmed_hypothesis_id from midwatch.past_case_outcomes where incident_id = 203")"

# --- notes ---------------------------------------------------------------------
out=$("$MIDWATCH" note incident 203 checked the dashboards 2>&1); rc=$?
t_eq "note exits 0" 0 "$rc"
t_eq "note prints one line" "note added to incident 203 by alice" "$out"
t_eq "the note is an event with its text" "human_note_added|incident|203|checked the dashboards" \
    "$(q "select event_type, target_kind, target_id, payload->>'text' from midwatch.feedback_events where event_type = 'human_note_added'")"
t_eq "a note changes no status" "resolved" "$(q "select status from midwatch.incidents where id = 203")"
out=$("$MIDWATCH" note evidence 300 this deploy touched the cart 2>&1); rc=$?
t_eq "a note on evidence records its incident" "0 evidence|200" \
    "$rc $(q "select target_kind, incident_id from midwatch.feedback_events where target_kind = 'evidence'")"
"$MIDWATCH" note incident 203 a second, different note >/dev/null 2>&1
t_eq "two different notes in one minute are two events" 2 \
    "$(q "select count(*) from midwatch.feedback_events where event_type = 'human_note_added' and target_kind = 'incident'")"
out=$("$MIDWATCH" note incident 203 retried with Authorization: Bearer s3cr3tT0ken123456 2>&1); rc=$?
t_eq "a note holding a secret is recorded" 0 "$rc"
t_eq "the secret is redacted before it is stored, the rest kept" \
    "retried with Authorization: Bearer [redacted]" \
    "$(q "select payload->>'text' from midwatch.feedback_events where payload->>'text' like 'retried with%'")"
t_eq "nothing in the feedback log holds it" 0 \
    "$(q "select count(*) from midwatch.feedback_events where payload::text like '%s3cr3tT0ken%'")"
"$MIDWATCH" note deploy 1 text >/dev/null 2>&1; rc=$?
t_eq "note on an unknown kind is a usage error" 2 "$rc"
"$MIDWATCH" note incident 203 >/dev/null 2>&1; rc=$?
t_eq "note without text is a usage error" 2 "$rc"
out=$("$MIDWATCH" note alert 99999 hello 2>&1); rc=$?
t_eq "note on an unknown alert exits 1" 1 "$rc"
t_match "naming the kind and id" "no alert 99999" "$out"

# --- one operator intent, one key; no clock ---------------------------------------
q "insert into midwatch.alerts (id, project_id, incident_id, fingerprint, title)
    select x, p.id, 200, 'fixture:' || x, 'key test ' || x
      from midwatch.projects p, generate_series(810, 813) x where p.slug = 'default'" >/dev/null
ack_events() { q "select count(*) from midwatch.feedback_events where target_id = $1 and event_type = 'alert_acknowledged'"; }
out=$("$MIDWATCH" ack 810 --key deploy-42 2>&1); rc=$?
t_eq "ack --key K records" "0 alert 810 acknowledged by alice" "$rc $out"
t_eq "... under the key given" "deploy-42" \
    "$(q "select idempotency_key from midwatch.feedback_events where target_id = 810")"
"$MIDWATCH" --as bob resolve 810 >/dev/null 2>&1
out=$("$MIDWATCH" ack 810 --key deploy-42 2>&1); rc=$?
t_eq "the same key again, after bob resolved the alert, is a no-op (exit 0)" "0" "$rc"
t_match "... already recorded" "^already recorded: alert 810 acknowledged" "$out"
t_eq "... one acknowledgement" "1" "$(ack_events 810)"
"$MIDWATCH" ack 812 >/dev/null 2>&1
t_match "without --key each invocation gets its own key (cli:<uuid>)" \
    "^cli:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" \
    "$(q "select idempotency_key from midwatch.feedback_events where target_id = 812")"
# alice acknowledged 811 ten minutes ago (dated back: across minute
# boundaries and any window): pressing again still changes nothing.
q "with a as (update midwatch.alerts set status = 'acknowledged', status_source = 'feedback',
              acknowledged_by = 'alice', acknowledged_at = now() - interval '10 minutes'
              where id = 811 returning project_id, id, incident_id)
   insert into midwatch.feedback_events (project_id, actor_type, actor_id, event_type,
              target_kind, target_id, incident_id, payload, idempotency_key, created_at)
   select project_id, 'user', 'alice', 'alert_acknowledged', 'alert', id, incident_id, '{}',
          'an-old-press', now() - interval '10 minutes' from a" >/dev/null
out=$("$MIDWATCH" ack 811 2>&1); rc=$?
t_eq "the same person acknowledging again ten minutes later exits 0" "0" "$rc"
t_match "... and is already recorded: nothing changed in between, whatever the clock says" \
    "^already recorded: alert 811 acknowledged by alice" "$out"
t_eq "... one event" "1" "$(ack_events 811)"
out=$("$MIDWATCH" --as bob ack 811 2>&1)
t_eq "another person acknowledging it is recorded" "alert 811 acknowledged by bob (it was acknowledged already)" "$out"
t_eq "... two events" "2" "$(ack_events 811)"
"$MIDWATCH" note incident 203 the same words >/dev/null 2>&1
"$MIDWATCH" note incident 203 the same words >/dev/null 2>&1
t_eq "the same note twice, without --key, is two intents: two events" "2" \
    "$(q "select count(*) from midwatch.feedback_events where payload->>'text' = 'the same words'")"
"$MIDWATCH" note --key note-7 incident 203 a keyed note >/dev/null 2>&1
out=$("$MIDWATCH" note --key note-7 incident 203 a keyed note 2>&1); rc=$?
t_eq "note --key K retried exits 0" "0" "$rc"
t_match "... already recorded" "^already recorded: note added to incident 203" "$out"
t_eq "... one event" "1" "$(q "select count(*) from midwatch.feedback_events where idempotency_key = 'note-7'")"
"$MIDWATCH" ack 813 --key '' >/dev/null 2>&1; rc=$?
t_eq "an empty --key is a usage error" "2" "$rc"
"$MIDWATCH" ack 813 --key "$(printf 'a\tb')" >/dev/null 2>&1; rc=$?
t_eq "a --key with a control character is a usage error" "2" "$rc"
"$MIDWATCH" ack 813 --key "$(printf '%0201d' 0)" >/dev/null 2>&1; rc=$?
t_eq "a --key of 201 bytes is a usage error" "2" "$rc"
"$MIDWATCH" ack 813 --key "$(printf '%0200d' 0)" >/dev/null 2>&1; rc=$?
t_eq "200 bytes are accepted" "0" "$rc"

# --- a confirmed root cause ranks first at once ----------------------------------
before=$(q "select string_agg(id || ':' || rank, ',' order by id) from midwatch.hypotheses where incident_id = 200")
out=$("$MIDWATCH" --as carol confirm 402 --root-cause 2>&1); rc=$?
t_eq "confirming a lower-ranked hypothesis as root cause exits 0" 0 "$rc"
t_eq "it ranks first at once, the others keep their order" "400:2,401:3,402:1" \
    "$(q "select string_agg(id || ':' || rank, ',' order by id) from midwatch.hypotheses where incident_id = 200")"
t_match "(it was not first before)" "402:[2-9]" "$before"
win=$(q "select to_char(window_start at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' ' || to_char(coalesce(window_end, window_start) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from midwatch.incidents where id = 200")
"$top_builddir/tests/model/stage_driver" --since "${win% *}" --at "${win#* }" report >/dev/null 2>&1
md=$("$MIDWATCH" report 200 2>&1)
t_match "the report says who confirmed it" "confirmed root cause by carol" "$md"

# --- one NOTIFY per event ------------------------------------------------------
out=$(printf 'LISTEN midwatch;\n\\! "%s" note incident 202 notify check >/dev/null\nSELECT 1;\n' "$MIDWATCH" |
	psql -X -q 2>&1)
t_eq "recording an event notifies the consoles once" 1 \
    "$(printf '%s\n' "$out" | grep -c 'Asynchronous notification "midwatch"')"
t_match "with the event in the payload" '"event_type" : "human_note_added"' "$out"
t_done
