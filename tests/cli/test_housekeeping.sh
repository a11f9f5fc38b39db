#!/bin/sh
# test_housekeeping.sh - housekeeping (issue 10), against a real PostgreSQL,
# over generated random valid rows of random ages (HK_SEED reproduces a run):
#  * `purge --dry-run` removes nothing and reports, per table, what an
#    independent SQL count says is past its policy and not needed by another
#    row; `purge` then removes exactly that, and nothing within its policy;
#    feedback_events are never purged;
#  * the pipeline runner's housekeeping runs once a UTC day (a second run the
#    same day does nothing), each step audited once: dead letters expire,
#    stale case signatures are rebuilt;
#  * `erase --actor NAME` leaves no trace of the name anywhere in a
#    pg_dump --data-only while every feedback event still exists with its
#    skeleton; `export --actor NAME` holds their events and notes.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
M() { "$MIDWATCH" --project hk "$@"; }
q() { pgtest_psql -c "$1"; }
SEED=${HK_SEED:-$(awk 'BEGIN { srand(); print int(rand() * 1000000) }')}
echo "# HK_SEED=$SEED"

"$MIDWATCH" project create hk >/dev/null 2>&1 || { echo "Bail out! project create failed"; exit 1; }
P=$(q "select id from midwatch.projects where slug = 'hk'")

# --- generated rows: ages in whole days + 12 h from the data clock T (the end
# of the latest completed window), so none sits on a policy's boundary.
pgtest_psql -v p="$P" -v seed="$SEED" <<'EOF' >/dev/null
SELECT setseed(:seed / 1000000.0);
INSERT INTO midwatch.services (project_id, name) VALUES (:p, 'api'), (:p, 'db');
INSERT INTO midwatch.pipeline_runs (project_id, status, window_start, window_end, requested_by)
VALUES (:p, 'completed', now() - interval '2 hours', now() - interval '1 hour', 'gen');
CREATE TEMP TABLE clock AS SELECT now() - interval '1 hour' AS t;
CREATE FUNCTION pg_temp.age(maxdays int) RETURNS interval LANGUAGE sql AS
	$$ SELECT make_interval(days => floor(random() * maxdays)::int, hours => 12) $$;
INSERT INTO midwatch.audit_entries (project_id, actor, action, created_at)
SELECT :p, 'gen', 'gen.row', (SELECT t FROM clock) - pg_temp.age(730)
  FROM generate_series(1, 40 + floor(random() * 40)::int);
INSERT INTO midwatch.ingest_errors (project_id, source, line_no, payload, error, created_at, resolved_at)
SELECT :p, 'gen.jsonl', g, 'x' || g, 'bad', (SELECT t FROM clock) - pg_temp.age(60), now()
  FROM generate_series(1, 30 + floor(random() * 30)::int) g;
INSERT INTO midwatch.incidents (project_id, dedupe_key, trigger_type, status, window_start, window_end)
SELECT :p, 'gen-' || g, 'custom', s, w - interval '1 hour', w
  FROM (SELECT g, (ARRAY['open', 'triaged', 'resolved', 'resolved', 'suppressed'])[1 + floor(random() * 5)::int] AS s,
               (SELECT t FROM clock) - pg_temp.age(1460) AS w
          FROM generate_series(1, 40 + floor(random() * 30)::int) g) x;
INSERT INTO midwatch.alerts (project_id, incident_id, fingerprint, title, status, created_at)
SELECT :p, CASE WHEN random() < 0.6 THEN (SELECT id FROM midwatch.incidents WHERE project_id = :p
                                          ORDER BY random() + g * 0 LIMIT 1) END,
       'gen-' || g, 'generated', (ARRAY['active', 'acknowledged', 'resolved', 'resolved', 'silenced'])[1 + floor(random() * 5)::int],
       (SELECT t FROM clock) - pg_temp.age(730)
  FROM generate_series(1, 40 + floor(random() * 30)::int) g;
INSERT INTO midwatch.outbound_messages (project_id, channel, status, dedupe_key, created_at)
SELECT :p, 'gen', (ARRAY['pending', 'sending', 'sent', 'failed', 'dead'])[1 + floor(random() * 5)::int],
       'gen-' || g, (SELECT t FROM clock) - pg_temp.age(180)
  FROM generate_series(1, 30 + floor(random() * 30)::int) g;
SELECT midwatch.ensure_metric_partitions((SELECT t FROM clock) - interval '60 days', (SELECT t FROM clock));
INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
SELECT DISTINCT ON (ts) :p, (SELECT min(id) FROM midwatch.services WHERE project_id = :p), 'rps', ts, 1
  FROM (SELECT date_trunc('minute', (SELECT t FROM clock) - random() * interval '60 days') AS ts
          FROM generate_series(1, 200)) x;
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id, event_type, target_kind,
                                      target_id, payload, idempotency_key, created_at)
SELECT :p, 'user', 'gen', 'human_note_added', 'incident', 1, '{"text": "old"}', 'gen-' || g,
       (SELECT t FROM clock) - pg_temp.age(3000)
  FROM generate_series(1, 20) g;
EOF
T="(select least(now(), max(window_end)) from midwatch.pipeline_runs where project_id = $P and status = 'completed')"

# what is past its policy and not kept by a guard, counted independently
expect() {
	q "select 'alerts=' || (select count(*) from midwatch.alerts where project_id = $P and status = 'resolved' and created_at < $T - interval '365 days')
	 || ' audit_entries=' || (select count(*) from midwatch.audit_entries where project_id = $P and created_at < $T - interval '365 days')
	 || ' incidents=' || (select count(*) from midwatch.incidents i where project_id = $P and status in ('resolved', 'suppressed') and window_end < $T - interval '730 days'
	        and not exists (select 1 from midwatch.alerts a where a.incident_id = i.id and a.status <> 'resolved'))
	 || ' ingest_errors=' || (select count(*) from midwatch.ingest_errors where project_id = $P and created_at < $T - interval '30 days')
	 || ' metric_points=' || (select count(*) from midwatch.metric_points where ts < (date_trunc('day', ($T - interval '30 days') at time zone 'UTC') at time zone 'UTC'))
	 || ' outbound_messages=' || (select count(*) from midwatch.outbound_messages where project_id = $P and status in ('sent', 'dead') and created_at < $T - interval '90 days')"
}
# rows per table, and those within their policy (which must all stay)
counts() {
	q "select (select count(*) from midwatch.alerts) || ' ' || (select count(*) from midwatch.audit_entries where action = 'gen.row')
	 || ' ' || (select count(*) from midwatch.incidents) || ' ' || (select count(*) from midwatch.ingest_errors)
	 || ' ' || (select count(*) from midwatch.metric_points) || ' ' || (select count(*) from midwatch.outbound_messages)
	 || ' ' || (select count(*) from midwatch.feedback_events)"
}
kept() {
	q "select (select count(*) from midwatch.alerts where created_at >= $T - interval '365 days' or status <> 'resolved')
	 || ' ' || (select count(*) from midwatch.incidents where window_end >= $T - interval '730 days' or status in ('open', 'triaged'))
	 || ' ' || (select count(*) from midwatch.outbound_messages where created_at >= $T - interval '90 days' or status not in ('sent', 'dead'))
	 || ' ' || (select count(*) from midwatch.metric_points where ts >= $T - interval '30 days')
	 || ' ' || (select count(*) from midwatch.ingest_errors where created_at >= $T - interval '30 days')"
}
# purge --json's tables as "t=n ..." for the tables above
reported() {
	jq -r '.tables | [ "alerts", "audit_entries", "incidents", "ingest_errors", "metric_points", "outbound_messages" ]
	    as $k | [ $k[] as $t | "\($t)=\(.[$t])" ] | join(" ")'
}

want=$(expect)
echo "# past policy: $want"
t_match "the generated data has rows past their policies" "alerts=[1-9].*incidents=[1-9].*metric_points=[1-9]" "$want"
before=$(counts)
kept_before=$(kept)
linked() { q "select count(*) from midwatch.alerts where status <> 'resolved' and incident_id is not null"; }
open_linked=$(linked)

out=$(M purge --dry-run --json 2>&1); rc=$?
t_eq "purge --dry-run exits 0" 0 "$rc"
t_eq "purge --dry-run reports what is past policy, per table" "$want" "$(printf '%s\n' "$out" | reported)"
t_eq "... and removes nothing" "$before" "$(counts)"
t_eq "... not even an audit entry" 0 "$(q "select count(*) from midwatch.audit_entries where action = 'retention.purged'")"
dry_total=$(printf '%s\n' "$out" | jq .total)

out=$(M purge --json 2>&1); rc=$?
t_eq "purge exits 0" 0 "$rc"
t_eq "purge removes what the dry run reported" "$want" "$(printf '%s\n' "$out" | reported)"
t_eq "... the same total" "$dry_total" "$(printf '%s\n' "$out" | jq .total)"
t_eq "nothing past policy and unguarded is left" \
    "alerts=0 audit_entries=0 incidents=0 ingest_errors=0 metric_points=0 outbound_messages=0" "$(expect)"
t_eq "every row within its policy (or guarded) is still there" "$kept_before" "$(kept)"
after=$(counts)
t_eq "the counts fell by exactly what was reported" \
    "$(echo "$before" | awk -v w="$want" '{ split(w, a, / /); for (i = 1; i <= 6; i++) { split(a[i], kv, /=/); r[i] = kv[2] }
        print $1 - r[1], $2 - r[2], $3 - r[3], $4 - r[4], $5 - r[5], $6 - r[6], $7 }')" "$after"
t_eq "feedback_events are never purged" "$(echo "$before" | cut -d' ' -f7)" "$(echo "$after" | cut -d' ' -f7)"
t_eq "no incident with an alert not resolved was removed" "$open_linked" "$(linked)"
t_eq "the purge is audited with its total" "1|$dry_total|purge" \
    "$(q "select count(*) || '|' || max(details->>'total') || '|' || max(details->>'trigger') from midwatch.audit_entries where action = 'retention.purged'")"
# a purge waits for a pipeline run in progress (it holds the same lock)
pgtest_psql -c "select pg_advisory_lock(7887773272362713090 + $P), pg_sleep(3)" >/dev/null 2>&1 &
holder=$!
pgtest_sleepers mw 1 20 || echo "# the lock holder did not start"
t0=$(date +%s)
out=$(M purge 2>&1)
t1=$(date +%s)
wait "$holder"
t_match "a purge during a pipeline run waits for it" "waiting for the pipeline run in progress" "$out"
t_ok "$([ $((t1 - t0)) -ge 1 ]; echo $?)" "... until the lock is free ($((t1 - t0)) s)"
t_match "a second purge finds nothing" "^total +0$" "$out"
t_fails "feedback_events cannot be given a retention" M purge --keep feedback_events=30
t_run "a policy can be changed" M purge --keep alerts=10
t_eq "... and is audited" "365|10" \
    "$(q "select (details->>'before') || '|' || (details->>'after') from midwatch.audit_entries where action = 'retention.policy_changed'")"
M purge --keep alerts=365 >/dev/null 2>&1

# --- the runner's daily housekeeping
pgtest_psql -v p="$P" <<'EOF' >/dev/null
INSERT INTO midwatch.ingest_errors (project_id, source, line_no, payload, error, created_at)
VALUES (:p, 'dl', 1, 'a', 'bad', now() - interval '10 days'), (:p, 'dl', 2, 'b', 'bad', now() - interval '1 day');
INSERT INTO midwatch.outbound_messages (project_id, channel, status, dedupe_key, created_at)
VALUES (:p, 'dl', 'failed', 'dl-1', now() - interval '10 days'), (:p, 'dl', 'pending', 'dl-2', now());
INSERT INTO midwatch.past_case_outcomes (project_id, incident_id, outcome)
SELECT :p, id, 'unconfirmed' FROM midwatch.incidents WHERE project_id = :p ORDER BY id LIMIT 3;
EOF
stuck=$(q "select count(*) from midwatch.outbound_messages where status in ('pending', 'failed') and created_at < now() - interval '7 days'")
hk_audits() { q "select count(*) filter (where action = 'dead_letters.expired') || ' ' || count(*) filter (where action = 'case_signatures.refreshed') || ' ' || count(*) filter (where action = 'retention.purged' and details->>'trigger' = 'housekeeping') from midwatch.audit_entries where project_id = $P"; }
t_eq "no housekeeping before the first run" "0 0 0" "$(hk_audits)"
M run >/dev/null 2>&1
t_eq "the first run of the day does housekeeping, each step audited" "1 1 1" "$(hk_audits)"
t_eq "... one housekeeping day recorded, finished" "1|1" \
    "$(q "select count(*) || '|' || count(finished_at) from midwatch.housekeeping_runs where project_id = $P")"
t_eq "old dead letters expired, recent ones not" "1|1|true" \
    "$(q "select count(*) filter (where resolved_at is not null and source = 'dl') || '|' || count(*) filter (where resolved_at is null and source = 'dl') || '|' || bool_and(error like '%expired by housekeeping%') filter (where line_no = 1 and source = 'dl') from midwatch.ingest_errors")"
t_eq "... and the stuck message is a dead letter, the new one not" "dead|no" \
    "$(q "select string_agg(case when dedupe_key = 'dl-2' and status <> 'dead' then 'no' else status end, '|' order by dedupe_key) from midwatch.outbound_messages where channel = 'dl'")"
t_eq "the audit says how many" "1|$stuck" \
    "$(q "select (details->>'ingest_errors') || '|' || (details->>'outbound_messages') from midwatch.audit_entries where action = 'dead_letters.expired'")"
t_eq "stale case signatures are rebuilt" "3|3|3" \
    "$(q "select count(*) || '|' || count(refreshed_at) || '|' || (select details->>'rows' from midwatch.audit_entries where action = 'case_signatures.refreshed') from midwatch.case_signatures where project_id = $P")"
M run >/dev/null 2>&1
M run >/dev/null 2>&1
t_eq "a second and third run the same day do nothing" "1 1 1" "$(hk_audits)"
q "update midwatch.housekeeping_runs set day = day - 1 where project_id = $P" >/dev/null
M run >/dev/null 2>&1
t_eq "the next day it runs again" "2 2 2" "$(hk_audits)"

# --- erasure and export of a person
NAME="Zoe$(printf '%06d' "$SEED")"
lower=$(printf '%s' "$NAME" | tr 'A-Z' 'a-z')
inc=$(q "select id from midwatch.incidents where project_id = $P order by id limit 1")
nnotes=$(( SEED % 4 + 2 ))
i=0
while [ $i -lt $nnotes ]; do
	M --as "$NAME" note incident "$inc" "note $i by me" >/dev/null 2>&1
	M --as other note incident "$inc" "asked $lower about it ($i)" >/dev/null 2>&1
	i=$((i + 1))
done
pgtest_psql -v p="$P" -v n="$NAME" <<'EOF' >/dev/null
UPDATE midwatch.alerts SET acknowledged_by = :'n' WHERE id IN (SELECT id FROM midwatch.alerts ORDER BY id LIMIT 2);
UPDATE midwatch.incidents SET resolved_by = :'n', resolution = 'fixed with ' || :'n' WHERE id = (SELECT max(id) FROM midwatch.incidents);
INSERT INTO midwatch.pipeline_runs (project_id, status, requested_by) VALUES (:p, 'failed', 'console:' || :'n');
INSERT INTO midwatch.audit_entries (project_id, actor, action, details) VALUES (:p, :'n', 'rule.changed', '{}');
INSERT INTO midwatch.commits (project_id, repo, sha, author, message, authored_at) VALUES (:p, 'r', 'abc', :'n', 'm', now());
EOF
mine=$(q "select count(*) from midwatch.feedback_events where actor_id = '$NAME'")
t_eq "the person has their own notes" "$nnotes" "$mine"

out=$(M export --actor "$NAME" 2>&1); rc=$?
t_eq "export exits 0" 0 "$rc"
t_eq "export holds their events and the notes naming them" \
    "$(q "select string_agg(id::text, ',' order by id) from midwatch.feedback_events where actor_id = '$NAME' or payload->>'text' ilike '%$NAME%'")" \
    "$(printf '%s\n' "$out" | jq -r '[.tables.feedback_events[].id] | map(tostring) | join(",")')"
t_eq "... with the texts of their notes" "$nnotes" \
    "$(printf '%s\n' "$out" | jq '[.tables.feedback_events[] | select(.actor_id == "'"$NAME"'") | .payload.text | select(test("^note [0-9]+ by me$"))] | length')"
t_eq "... their alerts, incident, run, audit entry and commit" "2 1 1 1 1" \
    "$(printf '%s\n' "$out" | jq -r '[(.tables.alerts | length), (.tables.incidents | length), (.tables.pipeline_runs | length), ([.tables.audit_entries[] | select(.action == "rule.changed")] | length), (.tables.commits | length)] | map(tostring) | join(" ")')"
t_eq "export is audited" 1 "$(q "select count(*) from midwatch.audit_entries where action = 'actor.exported'")"

skel="select count(*) || ':' || md5(string_agg(id || '/' || event_type || '/' || target_kind || '/' || target_id || '/' || created_at || '/' || idempotency_key, ',' order by id)) from midwatch.feedback_events"
skel_before=$(q "$skel")
dump() { pgtest_as_server "$PGTEST_BIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --data-only "$PGDATABASE" 2>/dev/null; }
t_ok "$(dump | grep -ci "$NAME" | awk '{ exit !($1 > 0) }'; echo $?)" "before erasure the dump holds the name"
out=$(M erase --actor "$NAME" 2>&1); rc=$?
t_eq "erase exits 0" 0 "$rc"
t_match "erase says what it changed" "^erased: [0-9]+ rows now name erased:[0-9a-f]{12} \(.*feedback_events" "$out"
t_eq "no trace of the name in the whole database (pg_dump --data-only, any case)" 0 "$(dump | grep -ci "$NAME")"
t_eq "every event still exists: same ids, types, targets, times, keys" "$skel_before" "$(q "$skel")"
pseudo=$(q "select details->>'pseudonym' from midwatch.audit_entries where action = 'actor.erased' and project_id = $P")
t_eq "their events now carry the pseudonym" "$nnotes" "$(q "select count(*) from midwatch.feedback_events where actor_id = '$pseudo'")"
t_eq "... as do the notes naming them" "$nnotes" "$(q "select count(*) from midwatch.feedback_events where payload->>'text' like 'asked $pseudo about it%'")"
t_eq "the erasure is audited by who ran it, with counts, under the pseudonym only" "actor:$pseudo|true" \
    "$(q "select target || '|' || ((details->>'total')::int > 0) from midwatch.audit_entries where action = 'actor.erased' and project_id = $P")"
t_eq "export finds nothing left" 0 "$(M export --actor "$NAME" 2>/dev/null | jq .rows)"
t_fails "feedback_events stay append-only outside erasure" \
    pgtest_psql -c "update midwatch.feedback_events set payload = '{}' where id = (select min(id) from midwatch.feedback_events)"
out=$(M erase 2>&1); rc=$?
t_eq "erase without --actor is a usage error" 2 "$rc"
t_fails "erase is refused with --readonly" M --readonly erase --actor someone

t_done
