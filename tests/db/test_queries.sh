#!/bin/sh
# test_queries.sh - the statements of sql/queries/ (doc/architecture.md,
# "Queries"): every .sql file there is listed in sql/queries/queries.am and
# compiled in, every statement the code names exists, and on a migrated
# database every statement prepares with the parameters and result columns
# its header documents (midwatch migrate --check-queries); a schema that
# drifts from a statement fails the check, naming the statement.  (Every
# result of a named statement is also checked against its header when it
# runs: src/db/db_queries.c.)
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw

files=$(cd "$top_srcdir/sql/queries" && find . -name '*.sql' | sed 's|^\./||; s|\.sql$||' | LC_ALL=C sort)
t_ok "$(test -n "$files"; echo $?)" "sql/queries holds statements"

listed=$(sed -n 's|^SQL_QUERIES += sql/queries/\(.*\)\.sql$|\1|p' "$top_srcdir/sql/queries/queries.am" | LC_ALL=C sort)
t_eq "every file under sql/queries is listed in queries.am" "$files" "$listed"

"$MIDWATCH" migrate >/dev/null 2>&1
out=$("$MIDWATCH" migrate --check-queries 2>&1); rc=$?
t_eq "every statement prepares and matches its header (exit 0)" "0" "$rc"
t_eq "... no statement fails" "" "$(printf '%s\n' "$out" | grep '^FAIL' || true)"
embedded=$(printf '%s\n' "$out" | sed -n 's/^ok //p' | LC_ALL=C sort)
t_eq "every file under sql/queries is compiled in" "$files" "$embedded"

# Every name the code runs (DBQN/DBXN/db_run with the name on the line, and
# the name tables next to them) is a file.
used=$(cd "$top_srcdir" && grep -rhoE '"[a-z_]+/[a-z0-9_]+"' src --include='*.c' |
    tr -d '"' | LC_ALL=C sort -u)
missing=""
for n in $used; do
	case $n in
	feedback/*|notify/*|sources/*|housekeeping/*|rules/*|cli/*|db/*|model/*|pipeline/*|ingest/*|worker/*|tui/*) ;;
	*) continue ;;
	esac
	[ -f "$top_srcdir/sql/queries/$n.sql" ] || missing="$missing $n"
done
t_eq "every statement name in src/ is a file of sql/queries" "" "$missing"

# Each header documents its parameters and columns.
nohead=""
for f in $(cd "$top_srcdir/sql/queries" && find . -name '*.sql'); do
	grep -q '^-- columns:' "$top_srcdir/sql/queries/$f" || nohead="$nohead $f"
done
t_eq "every statement's header lists its result columns" "" "$nohead"

# A schema that drifted: the statements using a renamed column fail, named.
pgtest_psql -c "ALTER TABLE midwatch.feedback_events RENAME COLUMN idempotency_key TO idem_key" >/dev/null
out=$("$MIDWATCH" migrate --check-queries 2>&1); rc=$?
t_eq "a renamed column fails the check (exit 1)" "1" "$rc"
t_match "... naming the statement that uses it" "^FAIL feedback/known: column \"idempotency_key\" does not exist" "$out"
pgtest_psql -c "ALTER TABLE midwatch.feedback_events RENAME COLUMN idem_key TO idempotency_key" >/dev/null

t_done
