#!/bin/sh
# test_schema.sh - the schema's guarantees against a real PostgreSQL:
# append-only feedback, CHECK constraints, project scope, metric partitions,
# idempotent defaults (tests/db/schema_checks.sql prints TAP itself).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
t_run "migrations apply on an empty database" "$MIDWATCH" migrate
# schema_checks.sql prints its own plan and ok/not ok lines.
cd "$top_srcdir/tests/db" || exit 1
psql -X -q -At -v ON_ERROR_STOP=1 -f schema_checks.sql >"$TAP_TMP/checks.out" 2>&1
rc=$?
sed -n 's/^\(ok\|not ok\) [0-9]* - \(.*\)$/\1|\2/p' "$TAP_TMP/checks.out" | while IFS='|' read -r st desc; do
	if [ "$st" = ok ]; then echo "ok - $desc"; else echo "not ok - $desc"; fi
done
n=$(grep -c '^ok ' "$TAP_TMP/checks.out")
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$TAP_TMP/checks.out")
TAP_N=$((TAP_N + n))
t_eq "schema_checks.sql ran to the end (exit 0)" "0" "$rc"
t_eq "every planned schema check passed" "$plan" "$n"
[ "$rc" -ne 0 ] && sed 's/^/# /' "$TAP_TMP/checks.out" | tail -n 20
t_done
