#!/bin/sh
# test_channels_conf.sh - notification channels declared in the
# configuration file (issue 9): `channel NAME KIND [URL] [KEY=VALUE]...
# [all-rules]` lines are added to the database, or updated when they
# differ, by channels list/test, notify, run and the console, audited with
# the file and line; a bad line is named and skipped (exit 1) while the
# others land; nothing is written with --readonly; secrets stay named.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
"$MIDWATCH" project create team >/dev/null 2>&1
q() { pgtest_psql -c "$1"; }
conf="$TAP_TMP/config"
M() { "$MIDWATCH" --project team --config "$conf" "$@"; }

cat >"$conf" <<'EOC'
# the team's channels
channel hooks webhook http://127.0.0.1:9/hook retry-base=5s max-attempts=3 all-rules
channel pager pagerduty key-env=PD_ROUTING_KEY
channel broken sms http://127.0.0.1:9/x
channel leaky webhook https://user:hunter2pass@hooks.example/x
EOC
out=$(M channels list 2>&1); rc=$?
t_eq "a bad channel line makes channels list exit 1" 1 "$rc"
t_match "naming the file, the line and the reason" \
    "config:4: channel broken: unknown channel kind sms" "$out"
t_match "a URL with credentials is refused, named by its line" \
    "config:5: channel leaky: the URL holds credentials" "$out"
t_nomatch "without echoing the password" "hunter2pass" "$out"
t_match "the good lines were added, saying from where" \
    "channel hooks added from .*config:2, on every alert rule" "$out"
t_match "and they are listed" "^hooks +webhook .*http://127.0.0.1:9/hook" "$out"
t_match "the pagerduty one with its secret named, not stored" \
    "^pager +pagerduty .*key-env PD_ROUTING_KEY" "$out"
t_eq "two channel rows from the file, with their settings" \
    "hooks|webhook|5|3;pager|pagerduty||" \
    "$(q "select string_agg(c.name || '|' || c.kind || '|' || coalesce(c.settings->>'retry-base', '') || '|' || coalesce(c.settings->>'max-attempts', ''), ';' order by c.name) from midwatch.channels c join midwatch.projects p on p.id = c.project_id where p.slug = 'team' and c.name in ('hooks', 'pager', 'broken', 'leaky')")"
t_eq "each addition audited with the file and line it came from" \
    "channel.added|config:2;channel.added|config:3" \
    "$(q "select string_agg(action || '|' || regexp_replace(details->>'origin', '^.*/', ''), ';' order by target) from midwatch.audit_entries where target in ('channel:hooks', 'channel:pager')")"
rules=$(q "select count(*) from midwatch.alert_rules r join midwatch.projects p on p.id = r.project_id where p.slug = 'team'")
t_eq "all-rules put hooks on every alert rule ($rules)" "$rules" \
    "$(q "select count(*) from midwatch.alert_rules r join midwatch.projects p on p.id = r.project_id where p.slug = 'team' and r.channels @> '[{\"name\": \"hooks\"}]'")"
t_eq "nothing of the secret or the credentials is stored" 0 \
    "$(q "select count(*) from midwatch.channels where settings::text ~ 'hunter2' or url ~ 'hunter2'")"

n=$(q "select count(*) from midwatch.audit_entries")
out=$(M channels list 2>&1)
t_nomatch "reading the same file again changes nothing" "added from|updated from" "$out"
t_eq "and audits nothing" "$n" "$(q "select count(*) from midwatch.audit_entries")"

# a changed line updates its channel, audited with the row before
sed -i 's/retry-base=5s/retry-base=20s/; /broken/d; /leaky/d' "$conf"
out=$(M --readonly channels list 2>&1); rc=$?
t_eq "with --readonly channels list exits 0" 0 "$rc"
t_eq "and writes nothing: the row keeps its old setting" 5 \
    "$(q "select settings->>'retry-base' from midwatch.channels where name = 'hooks'")"
out=$(M notify 2>&1); rc=$?
t_eq "notify with a good file exits 0" 0 "$rc"
t_match "and brings the changed channel in line" "channel hooks updated from .*config:2" "$out"
t_eq "the row has the new setting" 20 \
    "$(q "select settings->>'retry-base' from midwatch.channels where name = 'hooks'")"
t_eq "audited as changed, with the setting before" "channel.changed|5|20" \
    "$(q "select action || '|' || (details->'before'->'settings'->>'retry-base') || '|' || (details->'settings'->>'retry-base') from midwatch.audit_entries where target = 'channel:hooks' order by id desc limit 1")"

# a new line lands at the next run
echo "channel ops slack - key-env=SLACK_URL" >>"$conf"
printf '{"kind":"metric","service":"api","metric":"error_ratio","ts":"2026-11-20T00:00:00Z","value":0.01}\n' >"$TAP_TMP/m.jsonl"
M ingest "$TAP_TMP/m.jsonl" >/dev/null 2>&1
out=$(M run 2>&1); rc=$?
t_match "run brings a new line in too" "channel ops added from .*config:4" "$out"
t_eq "a slack channel whose URL is the secret: no URL stored" "slack|true" \
    "$(q "select kind || '|' || (url is null)::text from midwatch.channels where name = 'ops'")"
t_eq "run exits as it would without channels" 0 "$rc"
t_done
