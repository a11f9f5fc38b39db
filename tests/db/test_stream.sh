#!/bin/sh
# test_stream.sh - streams of reads (db_stream_*, src/db/db_stream.c; the
# detect stage's read-ahead connection sends its reads that way), through
# tests/db/stream_probe against a real PostgreSQL:
#  - results come back in the order sent, each the right one, binary
#    float8 decoded;
#  - a statement that fails fails alone: the ones sent after it in the same
#    stream still run (each has its own transaction);
#  - a statement is prepared once and executed each time it is sent;
#  - when the connection is killed, every statement sent after fails with
#    a cause, and the program ends normally (no crash, no hang).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
PROBE=$top_builddir/tests/db/stream_probe
"$MIDWATCH" migrate >/dev/null 2>&1
q() { pgtest_psql -c "$1"; }

# services a (10 points), b (20 points), c (none), one minute apart
P=$(q "SELECT id FROM midwatch.projects WHERE slug = 'default'")
q "INSERT INTO midwatch.services (project_id, name) VALUES ($P, 'a'), ($P, 'b'), ($P, 'c')"
A=$(q "SELECT id FROM midwatch.services WHERE name = 'a'")
B=$(q "SELECT id FROM midwatch.services WHERE name = 'b'")
C=$(q "SELECT id FROM midwatch.services WHERE name = 'c'")
q "SELECT midwatch.ensure_metric_partitions('2026-01-01T00:00Z', '2026-01-02T00:00Z')" >/dev/null
q "INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
   SELECT $P, s.id, 'm', '2026-01-01T10:00Z'::timestamptz + g * interval '1 minute', g
     FROM midwatch.services s, generate_series(0, 19) g
    WHERE s.name = 'b' OR (s.name = 'a' AND g >= 10)"
T0=$(q "SELECT extract(epoch FROM '2026-01-01T10:00Z'::timestamptz)::bigint")
WIN="2026-01-01T09:00Z|2026-01-01T11:00Z|3600"
RD=pipeline/detect_read_all

# a logged session: every parse, bind and execute of the probe's statements
q "ALTER DATABASE mw SET log_min_duration_statement = 0"
log0=$(wc -l <"$PGTEST_DIR/log")
out=$("$PROBE" "$RD|$P|$A|$WIN" "$RD|$P|not-a-number|$WIN" "$RD|$P|$B|$WIN" \
    "$RD|$P|$C|$WIN" "pipeline/detect_services|$P|2026-01-01T09:00Z|2026-01-01T11:00Z" \
    "$RD|$P|$A|$WIN"); rc=$?
q "ALTER DATABASE mw RESET log_min_duration_statement"
t_eq "the probe ends normally" 0 "$rc"
t_eq "results in the order sent, each its own; the failure fails alone" \
"ok 10 $((T0 + 600))
fail
ok 20 $T0
ok 0 -
ok 2 -
ok 10 $((T0 + 600))" "$(printf '%s\n' "$out" | sed 's/^fail .*/fail/')"
t_match "... the failed statement says why" "^fail .*bigint" "$out"
log=$(tail -n +"$((log0 + 1))" "$PGTEST_DIR/log")
t_eq "a statement sent five times is prepared once" 1 \
    "$(printf '%s\n' "$log" | grep -c 'parse mw_stream_0:')"
t_eq "... and executed each time but the failing one" 4 \
    "$(printf '%s\n' "$log" | grep -c 'execute mw_stream_0:')"

# the connection killed between two rounds
rm -f "$TAP_TMP/go"
"$PROBE" "$RD|$P|$A|$WIN" --pause "$TAP_TMP/go" "$RD|$P|$B|$WIN" "$RD|$P|$A|$WIN" \
    >"$TAP_TMP/kill.out" 2>&1 &
pid=$!
i=0
while ! grep -q '^paused' "$TAP_TMP/kill.out" && [ "$i" -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE datname = 'mw' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >/dev/null
touch "$TAP_TMP/go"
wait "$pid"; rc=$?
out=$(cat "$TAP_TMP/kill.out")
t_eq "killed connection: the probe still ends normally" 0 "$rc"
t_eq "... the round before is read" "ok 10 $((T0 + 600))" "$(printf '%s\n' "$out" | head -n 1)"
t_eq "... every statement after fails" 2 "$(printf '%s\n' "$out" | grep -c '^fail ')"
t_match "... saying the connection failed" \
    "^fail .*(connection|terminat|server closed)" "$out"
t_done
