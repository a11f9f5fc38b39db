#!/bin/sh
# test_ingest_outage.sh - the ingest summary counts what was stored (issue
# 11): 200,000 metric lines and some error lines are ingested (batches of
# 50,000 points); the third batch is held in the database by a trigger and
# the server is stopped under it.  The summary printed then says exactly
# what the tables hold - valid and inserted equal the rows stored, the lines
# of the lost batch count as not stored - and ingesting the file again once
# the server is back stores the rest, to the same totals as a clean ingest.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }

q() { pgtest_psql -c "$1"; }
# kind_counts OUT KIND: "valid inserted" of KIND's row in a summary
kind_counts() {
	printf '%s\n' "$1" | awk -v k="$2" '$1 == k { print $2, $3 }'
}

# 200,000 points: 4 services x 50,000 seconds; an error line every 1,000
# lines; point 120,000 carries the value the trigger waits on.
big=$TAP_TMP/big.jsonl
awk 'BEGIN {
	for (i = 0; i < 200000; i++) {
		s = i % 50000; svc = int(i / 50000);
		ts = sprintf("2026-11-16T%02d:%02d:%02dZ", int(s / 3600), int(s % 3600 / 60), s % 60);
		printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"svc-%d\",\"metric\":\"request_rate\",\"value\":%d}\n",
		    ts, svc, i == 120000 ? 424242 : i % 100;
		if (i % 1000 == 999)
			printf "{\"kind\":\"error\",\"ts\":\"%s\",\"service\":\"svc-%d\",\"message\":\"boom %d\"}\n", ts, svc, i;
	}
}' >"$big"
t_eq "the input has 200,200 lines" "200200" "$(wc -l <"$big" | tr -d ' ')"

q "CREATE FUNCTION midwatch.test_hold() RETURNS trigger LANGUAGE plpgsql AS
   \$\$ BEGIN PERFORM pg_sleep(120); RETURN NULL; END \$\$;
   CREATE TRIGGER test_hold AFTER INSERT ON midwatch.metric_points
     FOR EACH ROW WHEN (NEW.value = 424242) EXECUTE FUNCTION midwatch.test_hold();" >/dev/null

"$MIDWATCH" ingest "$big" >"$TAP_TMP/out" 2>"$TAP_TMP/err" &
ingester=$!
pgtest_sleepers mw 1 120
t_ok $? "the third batch is held in the database"
pgtest_halt
wait "$ingester"; rc=$?
out=$(cat "$TAP_TMP/out")
t_eq "the ingest exits 1 when the server goes" "1" "$rc"
t_match "... saying the database failed" "midwatch: ingest: .*(connection|terminat|server)" "$(cat "$TAP_TMP/err")"
pgtest_resume || { echo "Bail out! the server did not come back"; exit 1; }

points=$(q "select count(*) from midwatch.metric_points")
errors=$(q "select count(*) from midwatch.error_events")
t_eq "two batches were committed" "100000" "$points"
t_eq "the summary's metric line is what the table holds: valid and inserted" \
    "$points $points" "$(kind_counts "$out" metric)"
t_eq "... and so is the error line" "$errors $errors" "$(kind_counts "$out" error)"
valid=$(printf '%s\n' "$out" | sed -n 's/^read .*: \([0-9]*\) valid,.*/\1/p')
t_eq "the valid count of the first line is the rows stored" "$((points + errors))" "$valid"
unstored=$(printf '%s\n' "$out" | sed -n 's/^read .*, \([0-9]*\) not stored$/\1/p')
read=$(printf '%s\n' "$out" | sed -n 's/^read \([0-9]*\) lines.*/\1/p')
t_ok "$([ "${unstored:-0}" -gt 0 ]; echo $?)" "the lost batch's lines count as not stored (${unstored:-none})"
t_eq "... valid + not stored = the lines read" "$read" "$((valid + ${unstored:-0}))"
t_match "... with a line saying so" "^not stored: $unstored records whose batch the database did not commit" "$out"
services=$(q "select count(*) from midwatch.services")
t_match "new rows counts only stored rows" "^new rows: $((points + errors + services))$" "$out"

q "DROP TRIGGER test_hold ON midwatch.metric_points" >/dev/null
out=$("$MIDWATCH" ingest "$big" 2>&1); rc=$?
t_eq "ingesting the file again exits 0" "0" "$rc"
t_eq "... storing the rest" "200000 200" \
    "$(q "select (select count(*) from midwatch.metric_points) || ' ' || (select count(*) from midwatch.error_events)")"
t_eq "... and says so: inserted what was missing" "200000 $((200000 - points))" \
    "$(kind_counts "$out" metric)"
t_ok "$(printf '%s\n' "$out" | grep -q 'not stored'; [ $? -ne 0 ]; echo $?)" \
    "... with nothing left unstored"
t_done
