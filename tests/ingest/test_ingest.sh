#!/bin/sh
# test_ingest.sh - `midwatch ingest` and `midwatch demo` against a real
# PostgreSQL: every kind of the JSON Lines format lands in its table, bad
# lines land in ingest_errors with line number and reason, re-ingesting is a
# no-op, secrets never reach the database, services are created on the fly,
# deploys link to commits from either side, metric points straight in or
# through the staging table (overlaps, duplicates, exact values), stdin,
# hostile input, a git repository, and the demo scenario (emit and load).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw

SECRET=S3cr3tValue-4242
OLDSECRET=0ldPassw0rd-4242

# count TABLE PROJECT: rows of midwatch.TABLE in project PROJECT
count() {
	pgtest_psql -c "select count(*) from midwatch.$1 t join midwatch.projects p on p.id = t.project_id where p.slug = '$2'"
}

# q SQL: one value
q() {
	pgtest_psql -c "$1"
}

# ---- a file with every kind, and bad lines ---------------------------------
good=$TAP_TMP/good.jsonl
cat >"$good" <<EOF
{"kind":"service","service":"api","cluster":"prod","namespace":"shop","tier":"backend","team":"core"}
{"kind":"dependency","from":"api","to":"orders-db","dep_kind":"database"}
{"kind":"metric","ts":"2026-11-16T13:00:00Z","service":"api","metric":"error_ratio","value":0.01}
{"kind":"metric","ts":"2026-11-16T13:01:00Z","service":"api","metric":"error_ratio","value":0.02,"labels":{"zone":"a"}}
{"kind":"metric","ts":"2026-11-16T13:01:00Z","service":"ghost","metric":"request_rate","value":5}
{"kind":"deploy","id":"dep-1","service":"api","started_at":"2026-11-16T12:55:00Z","finished_at":"2026-11-16T12:58:00Z","commits":["aaaaaaa"],"image_ref":"api:v2"}
{"kind":"commit","sha":"aaaaaaa111111111111111111111111111111111","repo":"shop","message":"retry less","authored_at":"2026-11-16T12:00:00Z","author":"ann","files":[{"path":"internal/retry/policy.go","lines_added":3,"lines_removed":1},{"path":"db/migrations/002_orders.sql","lines_added":10,"lines_removed":0}]}
{"kind":"config_change","service":"api","detected_at":"2026-11-16T12:59:00Z","change_kind":"env_var","resource_name":"api-env","diff":[{"field":"DB_PASSWORD","old_value":"$OLDSECRET","new_value":"$SECRET"},{"field":"TIMEOUT_MS","old_value":"500","new_value":"50"}]}
{"kind":"error","ts":"2026-11-16T13:01:00Z","service":"api","message":"timeout after 503 ms calling 10.0.0.7","severity":"error"}
{"kind":"error","ts":"2026-11-16T13:01:30Z","service":"api","message":"timeout after 1200 ms calling 10.0.0.9"}
{"kind":"health","ts":"2026-11-16T13:01:00Z","service":"api","status":"degraded","response_time_ms":900,"error_rate":0.1}
{"kind":"funnel","ts":"2026-11-16T13:00:00Z","funnel":"checkout","steps":[{"name":"cart","count":100},{"name":"paid","count":40}],"revenue_per_conversion":30}
{"kind":"alert","ts":"2026-11-16T13:02:00Z","fingerprint":"am-1","status":"firing","labels":{"alertname":"HighErrorRatio","service":"api"},"annotations":{"summary":"errors up"},"source":"alertmanager"}
{"kind":"maintenance","service":"orders-db","starts_at":"2026-11-16T02:00:00Z","ends_at":"2026-11-16T03:00:00Z","reason":"vacuum"}
{"kind":"metric","ts":"2026-11-16T13:00:00Z","service":"api"
{"kind":"metrics","ts":"2026-11-16T13:00:00Z","service":"api","metric":"m","value":1}
{"kind":"health","ts":"2026-11-16T13:05:00Z","service":"api"}
{"kind":"error","ts":"16/11/2026 13:00","service":"api","message":"x"}
{"kind":"metric","ts":"2026-11-16T13:00:00Z","service":"api","metric":"m","value":"high"}

{"kind":"config_change","service":"api","detected_at":"not-a-time","change_kind":"env_var","resource_name":"api-env","diff":[{"field":"API_TOKEN","old_value":null,"new_value":"$SECRET"}]}
{"password": $SECRET
EOF

out=$("$MIDWATCH" --project t1 ingest "$good" 2>&1); rc=$?
t_eq "a file with good and bad lines exits 0" "0" "$rc"
t_match "the summary counts valid and rejected lines" "read 22 lines from 1 source: 14 valid, 7 rejected, 1 blank" "$out"
t_match "the summary quotes the first rejection with file and line" "good.jsonl:15: invalid JSON" "$out"
t_match "the summary counts new rows" "new rows: [1-9]" "$out"
t_match "services created on the fly are counted" "services created on the fly: 2" "$out"

for spec in services:3 service_dependencies:1 metric_points:3 deployment_events:1 \
    commits:1 commit_files:2 deployment_commit_ranges:1 config_change_events:1 \
    error_events:2 health_checks:1 funnel_snapshots:1 external_alerts:1 \
    maintenance_windows:1 ingest_errors:7; do
	t=${spec%:*}; n=${spec#*:}
	t_eq "$t has the good lines ($n)" "$n" "$(count "$t" t1)"
done

errs=$(q "select line_no || ' ' || error from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = 't1' order by line_no")
t_match "line 15: invalid JSON" "^15 invalid JSON" "$errs"
t_match "line 16: unknown kind" "^16 unknown kind \"metrics\"" "$errs"
t_match "line 17: missing required field" "^17 missing required field \"status\"" "$errs"
t_match "line 18: bad timestamp" "^18 field \"ts\" is not an RFC 3339 timestamp" "$errs"
t_match "line 19: wrong type" "^19 field \"value\" must be a number" "$errs"
t_eq "dead letters keep the source file name" "$good" \
    "$(q "select distinct source from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = 't1'")"
t_match "the raw payload is kept" "\"kind\":\"metrics\"" \
    "$(q "select payload from midwatch.ingest_errors where line_no = 16")"

t_eq "a dependency target is created as a service with tier = dep_kind" "database|default|default" \
    "$(q "select tier || '|' || cluster || '|' || namespace from midwatch.services where name = 'orders-db'")"
t_eq "a service only referenced by a metric is created in default/default" "default|default" \
    "$(q "select cluster || '|' || namespace from midwatch.services where name = 'ghost'")"
t_eq "the declared service keeps its cluster and unknown fields" "prod|shop|core" \
    "$(q "select cluster || '|' || namespace || '|' || (extra->>'team') from midwatch.services where name = 'api'")"
t_eq "the dependency points at the created service" "1" \
    "$(q "select count(*) from midwatch.service_dependencies d join midwatch.services s on s.id = d.to_service_id where s.name = 'orders-db' and d.dep_kind = 'database'")"
t_eq "metric labels are stored with a canonical key" "zone=a" \
    "$(q "select labels_key from midwatch.metric_points where labels_key <> ''")"
t_eq "a batch with a labelled point keeps every point's labels" "|{} zone=a|{\"zone\": \"a\"}" \
    "$(q "select string_agg(labels_key || '|' || labels::text, ' ' order by ts) from midwatch.metric_points m join midwatch.services s on s.id = m.service_id where s.name = 'api' and m.metric_name = 'error_ratio'")"
# a batch without labels is COPYed without those columns (their defaults)
plain=$TAP_TMP/plain.jsonl
awk 'BEGIN { for (i = 0; i < 30; i++)
	printf "{\"kind\":\"metric\",\"ts\":\"2026-11-16T14:%02d:00Z\",\"service\":\"svc-%d\",\"metric\":\"m\",\"value\":%d.25}\n", i, i % 3, i }' >"$plain"
t_eq "a batch without labels is stored" "0" "$("$MIDWATCH" --project plain ingest "$plain" >/dev/null 2>&1; echo $?)"
t_eq "its points have the default labels and exact values" "30 30 442.5" \
    "$(q "select count(*) || ' ' || count(*) filter (where labels_key = '' and labels = '{}') || ' ' || sum(value) from midwatch.metric_points m join midwatch.projects p on p.id = m.project_id where p.slug = 'plain'")"
t_eq "commit files are classified from their paths" "db/migrations/002_orders.sql=db_migration internal/retry/policy.go=timeout_retry" \
    "$(q "select string_agg(path || '=' || change_type, ' ' order by path) from midwatch.commit_files")"
t_eq "the deploy is linked to its commit by abbreviated sha" "dep-1 aaaaaaa111111111111111111111111111111111" \
    "$(q "select d.ext_id || ' ' || c.sha from midwatch.deployment_commit_ranges r join midwatch.deployment_events d on d.id = r.deployment_id join midwatch.commits c on c.id = r.commit_id")"
t_eq "errors with the same shape share a fingerprint" "1" \
    "$(q "select count(distinct fingerprint) from midwatch.error_events")"
t_eq "log levels map to severities" "high medium" \
    "$(q "select string_agg(severity, ' ' order by ts) from midwatch.error_events")"
t_eq "the secret diff field is redacted, the other kept" "[redacted] [redacted] true 50" \
    "$(q "select (diff->0->>'old_value') || ' ' || (diff->0->>'new_value') || ' ' || (diff->0->>'changed') || ' ' || (diff->1->>'new_value') from midwatch.config_change_events")"
t_match "a config change without id gets a computed one" "^cc-[0-9a-f]{16}$" \
    "$(q "select ext_id from midwatch.config_change_events")"
t_eq "the external alert is attached to its service" "api" \
    "$(q "select s.name from midwatch.external_alerts a join midwatch.services s on s.id = a.service_id")"

# ---- idempotence ----------------------------------------------------------
before=$(q "select string_agg(c, ',') from (select (xpath('/row/c/text()', query_to_xml('select count(*) as c from midwatch.' || tablename, false, true, '')))[1]::text as c from pg_tables where schemaname = 'midwatch' and tablename not like 'metric_points_%' order by tablename) x")
out=$("$MIDWATCH" --project t1 ingest "$good" 2>&1); rc=$?
t_eq "ingesting the same file again exits 0" "0" "$rc"
t_match "the second run reports 0 new rows" "new rows: 0" "$out"
t_match "the second run reports every line unchanged" "metric +3 +0 +0 +3" "$out"
t_match "the second run adds no dead letters" "7 lines \\(0 new in ingest_errors\\)" "$out"
after=$(q "select string_agg(c, ',') from (select (xpath('/row/c/text()', query_to_xml('select count(*) as c from midwatch.' || tablename, false, true, '')))[1]::text as c from pg_tables where schemaname = 'midwatch' and tablename not like 'metric_points_%' order by tablename) x")
t_eq "every table's row count is unchanged" "$before" "$after"

# ---- metric points: straight in, or through the staging table -------------
# New points are COPYed straight into metric_points; a batch that meets
# stored points is redone through the staging table (ingest_copy.c).
pts=$TAP_TMP/pts.jsonl
awk 'BEGIN { for (i = 0; i < 120; i++) printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"pts\",\"metric\":\"request_rate\",\"value\":%d}\n", strftime("%Y-%m-%dT%H:%M:%SZ", 1794787200 + i * 60, 1), i }' >"$pts"
head -n 60 "$pts" >"$TAP_TMP/pts-a.jsonl"
out=$("$MIDWATCH" --project pts ingest "$TAP_TMP/pts-a.jsonl" 2>&1)
t_match "new points go in" "metric +60 +60 +0 +0" "$out"
out=$("$MIDWATCH" --project pts ingest "$pts" 2>&1)
t_match "a file overlapping stored points inserts only the new ones" "metric +120 +60 +0 +60" "$out"
t_eq "... and each point is stored once" "120|7140" "$(q "select count(*) || '|' || sum(value) from midwatch.metric_points m join midwatch.projects p on p.id = m.project_id where p.slug = 'pts'")"
line='{"kind":"metric","ts":"2026-11-17T00:00:00Z","service":"pts","metric":"dup","value":1}'
printf '%s\n' "$line" "$line" '{"kind":"metric","ts":"2026-11-17T00:01:00Z","service":"pts","metric":"dup","value":2}' >"$TAP_TMP/dup.jsonl"
out=$("$MIDWATCH" --project pts ingest "$TAP_TMP/dup.jsonl" 2>&1)
t_match "a point twice in one file is stored once" "metric +3 +2 +0 +1" "$out"
cat >"$TAP_TMP/exact.jsonl" <<'EOF'
{"kind":"metric","ts":"2026-11-16T13:00:00.123456+02:00","service":"pts","metric":"exact","value":0.1}
{"kind":"metric","ts":"2026-11-16T13:00:01.5Z","service":"pts","metric":"exact","value":-0.0}
{"kind":"metric","ts":"1969-07-20T20:17:40Z","service":"pts","metric":"exact","value":1e-300}
{"kind":"metric","ts":"9999-12-30T12:00:00.25Z","service":"pts","metric":"exact","value":1.7976931348623157e308}
{"kind":"metric","ts":"2026-11-16T13:00:02Z","service":"pts","metric":"exact","value":9007199254740993}
EOF
"$MIDWATCH" --project pts ingest "$TAP_TMP/exact.jsonl" >/dev/null 2>&1
# (Far from 1970 the epoch seconds are a double: .25 s in the year 9999 is
# stored as .249984, as PostgreSQL's to_timestamp() makes it.)
t_eq "timestamps and values are stored exactly (UTC, to the microsecond)" \
    "1969-07-20 20:17:40.000000|1e-300,2026-11-16 11:00:00.123456|0.1,2026-11-16 13:00:01.500000|-0,2026-11-16 13:00:02.000000|9.007199254740992e+15,9999-12-30 12:00:00.249984|1.7976931348623157e+308" \
    "$(q "select string_agg(to_char(ts at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '|' || value::text, ',' order by ts) from midwatch.metric_points where metric_name = 'exact'")"
out=$("$MIDWATCH" --project pts ingest "$TAP_TMP/exact.jsonl" 2>&1)
t_match "... and ingesting them again is a no-op" "metric +5 +0 +0 +5" "$out"

# ---- secrets ----------------------------------------------------------------
pg_dump --data-only mw >"$TAP_TMP/dump.sql" 2>/dev/null
t_ok "$(grep -c "$SECRET" "$TAP_TMP/dump.sql" | grep -qx 0; echo $?)" "the new secret value is nowhere in the database"
t_ok "$(grep -c "$OLDSECRET" "$TAP_TMP/dump.sql" | grep -qx 0; echo $?)" "the old secret value is nowhere in the database"
t_ok "$(grep -q 'redacted' "$TAP_TMP/dump.sql"; echo $?)" "the dump shows the redaction marker"
t_ok "$(printf '%s' "$out" | grep -q "$SECRET"; test $? -ne 0; echo $?)" "the summary does not print the secret"

# ---- links from the other side: the commit arrives after the deploy ------
printf '%s\n' '{"kind":"deploy","id":"dep-2","service":"api","started_at":"2026-11-16T14:00:00Z","commits":["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]}' >"$TAP_TMP/late1.jsonl"
printf '%s\n' '{"kind":"commit","sha":"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB","repo":"shop","message":"late","authored_at":"2026-11-16T13:30:00Z","files":[{"path":"README.md"}]}' >"$TAP_TMP/late2.jsonl"
"$MIDWATCH" --project t1 ingest "$TAP_TMP/late1.jsonl" >/dev/null 2>&1
t_eq "a deploy whose commits are unknown has no links yet" "1" "$(count deployment_commit_ranges t1)"
"$MIDWATCH" --project t1 ingest "$TAP_TMP/late2.jsonl" >/dev/null 2>&1
t_eq "the commit arriving later is linked to the deploy" "2" "$(count deployment_commit_ranges t1)"
"$MIDWATCH" --project t1 ingest "$TAP_TMP/late1.jsonl" "$TAP_TMP/late2.jsonl" >/dev/null 2>&1
t_eq "linking again changes nothing" "2" "$(count deployment_commit_ranges t1)"

# ---- only bad lines, unreadable files, usage --------------------------------
printf '%s\n' 'nope' '{"kind":"service"}' >"$TAP_TMP/bad.jsonl"
out=$("$MIDWATCH" --project t2 ingest "$TAP_TMP/bad.jsonl" 2>&1); rc=$?
t_eq "a file with only bad lines exits 1" "1" "$rc"
t_match "and says nothing could be ingested" "nothing could be ingested" "$out"
t_eq "its bad lines are still dead-lettered" "2" "$(count ingest_errors t2)"
out=$("$MIDWATCH" --project t2 ingest "$TAP_TMP/missing.jsonl" 2>&1); rc=$?
t_eq "a missing file exits 1" "1" "$rc"
t_match "and is named" "missing.jsonl: No such file" "$out"
out=$("$MIDWATCH" --project t2 ingest "$TAP_TMP/missing.jsonl" "$TAP_TMP/late1.jsonl" 2>&1); rc=$?
t_eq "a missing file next to a good one exits 0" "0" "$rc"
"$MIDWATCH" ingest >/dev/null 2>&1; rc=$?
t_eq "no file is a usage error (2)" "2" "$rc"

# ---- stdin ----------------------------------------------------------------
out=$(printf '%s\n' '{"kind":"metric","ts":"2026-11-16T13:00:00Z","service":"web","metric":"request_rate","value":7}' \
    '{"kind":"metric"}' | "$MIDWATCH" --project stdin ingest - 2>&1); rc=$?
t_eq "ingest - reads stdin" "0 1" "$rc $(count metric_points stdin)"
t_eq "stdin dead letters are named - with their line" "-:2" \
    "$(q "select source || ':' || line_no from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = 'stdin'")"

# ---- hostile input ----------------------------------------------------------
hostile=$TAP_TMP/hostile.jsonl
{
	printf '{"kind":"service","service":"a\000b"}\n'
	head -c 2100000 /dev/zero | tr '\0' 'x'; printf '\n'
	awk 'BEGIN { for (i = 0; i < 50000; i++) printf "["; for (i = 0; i < 50000; i++) printf "]"; printf "\n" }'
	printf '{"kind":"service","service":"caf\377\376"}\n'
	printf '{"kind":"metric","ts":"2026-11-16T13:00:00Z","service":"a","metric":"m","value":1e999999}\n'
	printf '{"kind":"deploy","id":99999999999999999999999999,"service":"a","started_at":"2026-11-16T13:00:00Z"}\n'
	printf '{"kind":"service","service":"ok-one"}\r\n'
} >"$hostile"
out=$("$MIDWATCH" --project hostile ingest "$hostile" 2>&1); rc=$?
t_eq "hostile lines do not crash ingest (exit 0, one good line)" "0" "$rc"
t_eq "each hostile line is a dead letter" "6" "$(count ingest_errors hostile)"
t_eq "the good CRLF line is ingested" "ok-one" "$(q "select s.name from midwatch.services s join midwatch.projects p on p.id = s.project_id where p.slug = 'hostile'")"
t_match "a long line is rejected as too long" "line too long \\(2100000 bytes" \
    "$(q "select error from midwatch.ingest_errors where line_no = 2 and source like '%hostile.jsonl'")"
t_ok "$(test "$(q "select length(payload) from midwatch.ingest_errors where line_no = 2 and source like '%hostile.jsonl'")" -lt 5000; echo $?)" \
    "the long line's payload is truncated"
t_match "deep nesting is rejected with a reason" "nested deeper than 64" \
    "$(q "select error from midwatch.ingest_errors where line_no = 3 and source like '%hostile.jsonl'")"
t_match "a NUL byte is kept visible in the payload" '\\x00' \
    "$(q "select payload from midwatch.ingest_errors where line_no = 1 and source like '%hostile.jsonl'")"

# ---- a NUL byte anywhere refuses the line (issue 11) ----------------------------
# jansson reports a NUL inside a string, but one right after a number slipped
# through its lexer ({"value":1<NUL>} was {"value":1}).
{
	printf '{"kind":"metric","ts":"2026-11-16T13:00:00Z","service":"n","metric":"m","value":1\000}\n'
	printf '{"kind":"metric","ts":"2026-11-16T13:01:00Z","service":"n","metric":"m","value":2}\n'
	printf '{"kind":"service","service":"n\000x"}\n'
	printf '{"kind":"metric","ts":"2026-11-16T13:02:00Z","service":"n","metric":"m","value":3}\000\n'
	printf '{"kind":"metric","ts":"2026-11-16T13:03:00Z","service":"n","metric":"m","value":4}\n'
} >"$TAP_TMP/nul.jsonl"
out=$("$MIDWATCH" --project nul ingest "$TAP_TMP/nul.jsonl" 2>&1); rc=$?
t_eq "lines with a NUL byte do not stop the ingest (exit 0)" "0" "$rc"
t_eq "each line with a NUL is a dead letter, the good ones are kept" "3 2" \
    "$(count ingest_errors nul) $(count metric_points nul)"
t_eq "a NUL right after a number is refused, with its column" \
    "1|NUL byte at column 82" \
    "$(q "select line_no || '|' || error from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = 'nul' and line_no = 1")"
t_eq "a NUL in a string and one at the end of a line likewise" \
    "3|NUL byte at column 31 4|NUL byte at column 83" \
    "$(q "select string_agg(line_no || '|' || error, ' ' order by line_no) from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = 'nul' and line_no > 1")"
t_match "the summary names file, line and column" "nul\.jsonl:1: NUL byte at column 82" "$out"
t_eq "only the good values are stored" "2 4" \
    "$(q "select string_agg(value::text, ' ' order by value) from midwatch.metric_points t join midwatch.projects p on p.id = t.project_id where p.slug = 'nul'")"

# ---- a line the database refuses: only that line is lost ------------------------
# (a trigger stands in for any refusal validation did not foresee)
pgtest_psql -c "create function midwatch.test_refuse() returns trigger language plpgsql as \$\$ begin if new.error_rate = 0.777 then raise exception 'refused for the test'; end if; return new; end \$\$" \
    -c "create trigger test_refuse before insert on midwatch.health_checks for each row execute function midwatch.test_refuse()"
cat >"$TAP_TMP/refused.jsonl" <<'EOF'
{"kind":"health","ts":"2026-11-16T13:01:00Z","service":"api","status":"degraded","error_rate":0.1}
{"kind":"health","ts":"2026-11-16T13:02:00Z","service":"api","status":"degraded","error_rate":0.777}
{"kind":"metric","ts":"9999-12-31T12:00:00Z","service":"api","metric":"m","value":1}
{"kind":"metric","ts":"1900-01-01T00:00:00Z","service":"api","metric":"m","value":1}
{"kind":"health","ts":"2026-11-16T13:03:00Z","service":"api","status":"down"}
EOF
out=$("$MIDWATCH" --project refused ingest "$TAP_TMP/refused.jsonl" 2>&1); rc=$?
t_eq "a batch with a refused line still exits 0" "0" "$rc"
t_eq "the other lines of the batch are ingested" "2 2" "$(count health_checks refused) $(count metric_points refused)"
t_eq "the refused line is a dead letter with the database's reason" "2 rejected by the database: refused for the test" \
    "$(q "select line_no || ' ' || split_part(error, ' (', 1) from midwatch.ingest_errors e join midwatch.projects p on p.id = e.project_id where p.slug = 'refused'")"
pgtest_psql -c "drop trigger test_refuse on midwatch.health_checks" -c "drop function midwatch.test_refuse()"

# ---- git ----------------------------------------------------------------------
repo=$TAP_TMP/shop-repo
g() { git -C "$repo" -c user.name=Tess -c user.email=tess@example.org "$@"; }
git init -q "$repo"
mkdir -p "$repo/db/migrations" "$repo/tests" "$repo/docs" "$repo/src" "$repo/assets"
printf 'create table t (id int);\n' >"$repo/db/migrations/001_init.sql"
printf '{"lockfileVersion": 3}\n' >"$repo/package-lock.json"
g add -A && g commit -q -m "initial schema and deps"
printf 'def test_cart():\n    pass\n' >"$repo/tests/test_cart.py"
printf '# Guide\n\nhello\n' >"$repo/docs/guide.md"
printf '\000\001\002\003' >"$repo/assets/logo.png"
g add -A && g commit -q -m "tests, docs and a logo"
printf 'package retry\n\nconst Max = 3\n' >"$repo/src/retry.go"
g add -A && g commit -q -m "retry three times"
out=$("$MIDWATCH" --project git ingest --git "$repo" 2>&1); rc=$?
t_eq "ingest --git exits 0" "0" "$rc"
t_eq "every commit is stored under the directory's name" "3 shop-repo" \
    "$(q "select count(*) || ' ' || min(repo) from midwatch.commits c join midwatch.projects p on p.id = c.project_id where p.slug = 'git'")"
t_eq "files get their change_type" "assets/logo.png=other db/migrations/001_init.sql=db_migration docs/guide.md=docs package-lock.json=dependency src/retry.go=timeout_retry tests/test_cart.py=test" \
    "$(q "select string_agg(path || '=' || change_type, ' ' order by path) from midwatch.commit_files f join midwatch.projects p on p.id = f.project_id where p.slug = 'git'")"
t_eq "numstat counts are kept, binary files count 0" "0 3" \
    "$(q "select string_agg(lines_added::text, ' ' order by path) from midwatch.commit_files f join midwatch.projects p on p.id = f.project_id where p.slug = 'git' and path in ('assets/logo.png', 'src/retry.go')")"
t_eq "author and message come along" "Tess|retry three times" \
    "$(q "select author || '|' || message from midwatch.commits c join midwatch.projects p on p.id = c.project_id where p.slug = 'git' and message like 'retry%'")"
out=$("$MIDWATCH" --project git ingest --git "$repo" 2>&1)
t_match "ingesting the repository again adds nothing" "new rows: 0" "$out"
out=$("$MIDWATCH" --project git2 ingest --git "$repo" --repo-name shop --since HEAD~1 2>&1); rc=$?
t_eq "--since REV and --repo-name" "0 1 shop" "$rc $(q "select count(*) || ' ' || min(repo) from midwatch.commits c join midwatch.projects p on p.id = c.project_id where p.slug = 'git2'")"
out=$("$MIDWATCH" --project git3 ingest --git "$TAP_TMP/not-a-repo" 2>&1); rc=$?
t_eq "a path that is not a repository exits 1" "1" "$rc"
t_match "and says git failed" "git log in .*not-a-repo failed" "$out"
out=$("$MIDWATCH" --project git3 ingest --git "$repo" --since=--output=/tmp/x 2>&1); rc=$?
t_eq "an option-like --since is refused" "1 0" "$rc $(count commits git3)"

# ---- a larger metric file goes in quickly -------------------------------------
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "{\"kind\":\"metric\",\"ts\":\"2026-11-%02dT%02d:%02d:00Z\",\"service\":\"svc-%d\",\"metric\":\"request_rate\",\"value\":%d.5}\n", 17 + int(i / 144000), int((i / 100) % 1440 / 60), (i / 100) % 60, i % 100, i % 997 }' >"$TAP_TMP/big.jsonl"
t0=$(date +%s)
out=$("$MIDWATCH" --project big ingest "$TAP_TMP/big.jsonl" 2>&1); rc=$?
t1=$(date +%s)
t_eq "200000 metric lines are ingested" "0 200000" "$rc $(count metric_points big)"
t_ok "$(test $((t1 - t0)) -lt 60; echo $?)" "in well under a minute ($((t1 - t0))s, sanitizers included)"
t_eq "the services were created on the fly" "100" "$(count services big)"

# ---- demo ---------------------------------------------------------------------
"$MIDWATCH" demo --emit "$TAP_TMP/d1a.jsonl" --truth "$TAP_TMP/t1a.json" --seed 1; rc1=$?
"$MIDWATCH" demo --emit "$TAP_TMP/d1b.jsonl" --seed 1; rc2=$?
"$MIDWATCH" demo --emit "$TAP_TMP/d2.jsonl" --seed 2; rc3=$?
t_eq "demo --emit exits 0" "0 0 0" "$rc1 $rc2 $rc3"
t_ok "$(cmp -s "$TAP_TMP/d1a.jsonl" "$TAP_TMP/d1b.jsonl"; echo $?)" "the same seed gives identical files"
t_ok "$(cmp -s "$TAP_TMP/d1a.jsonl" "$TAP_TMP/d2.jsonl"; test $? -ne 0; echo $?)" "different seeds give different files"
t_ok "$(test -s "$TAP_TMP/t1a.json"; echo $?)" "--truth writes the ground truth"
t_eq "--emit touches no database" "0" "$(q "select count(*) from midwatch.projects where slug = 'demo'")"

if grep -q "not available in this build yet" "$top_srcdir/src/pipeline/pipeline.c"; then
	pipeline_ready=0
else
	pipeline_ready=1
fi
out=$("$MIDWATCH" --project demo demo --no-tui --seed 3 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
t_match "demo reports what it ingested" "demo: seed 3: [0-9]+ lines ingested into project demo" "$out"
for t in services service_dependencies metric_points deployment_events config_change_events commits error_events health_checks; do
	n=$(count "$t" demo)
	t_ok "$(test "$n" -gt 0; echo $?)" "demo filled $t ($n rows)"
done
t_eq "the demo's lines are all valid" "0" "$(count ingest_errors demo)"
if [ "$pipeline_ready" -eq 1 ]; then
	t_eq "demo --no-tui exits 0 with the pipeline" "0" "$rc"
	t_match "demo prints the pipeline summary" "demo: pipeline" "$out"
else
	t_eq "demo --no-tui exits 1 while the pipeline is a placeholder" "1" "$rc"
	t_match "and says why" "pipeline is not available" "$out"
fi
points=$(count metric_points demo)
out=$("$MIDWATCH" --project demo demo --no-tui --seed 3 2>&1); rc2=$?
t_match "running the demo twice ingests nothing new" "\\(0 new rows, 0 rejected\\)" "$out"
t_eq "and changes no raw data" "$points" "$(count metric_points demo)"
t_eq "and exits as the first run did" "$rc" "$rc2"
t_done
