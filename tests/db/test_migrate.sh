#!/bin/sh
# test_migrate.sh - migrations against a real PostgreSQL: apply on an empty
# database, re-apply as a no-op, --status, a changed applied file refused, a
# failing migration rolled back whole, two processes migrating at once.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw

nfiles=$(ls "$top_srcdir"/sql/[0-9]*_*.sql | wc -l)

out=$("$MIDWATCH" migrate --status 2>&1)
t_match "status on an empty database lists pending migrations" "pending +[0-9a-f]{16} +001_schema.sql" "$out"

out=$("$MIDWATCH" migrate 2>&1)
t_eq "migrate applies every file" "applied $nfiles migration(s)" "$out"

n=$(pgtest_psql -c "select count(*) from midwatch.schema_migrations")
t_eq "each applied file is recorded" "$nfiles" "$n"

out=$("$MIDWATCH" migrate 2>&1)
t_eq "re-applying is a no-op" "applied 0 migration(s)" "$out"

out=$("$MIDWATCH" migrate --status 2>&1)
t_match "status shows applied with checksum" "applied +[0-9a-f]{16} +001_schema.sql" "$out"
t_ok "$(printf '%s' "$out" | grep -c pending | grep -qx 0; echo $?)" "nothing pending after migrate"

# A copy of the SQL directory we can change.
alt=$TAP_TMP/sql
cp -r "$top_srcdir/sql" "$alt"
echo "-- edited after the fact" >>"$alt/001_schema.sql"
out=$(MIDWATCH_SQL_DIR=$alt "$MIDWATCH" migrate 2>&1); rc=$?
t_eq "a changed applied migration is refused (exit 1)" "1" "$rc"
t_match "the refusal names the file" "001_schema.sql was changed" "$out"
cp "$top_srcdir/sql/001_schema.sql" "$alt/001_schema.sql"

printf 'CREATE TABLE midwatch.half_done (x int);\nSELECT nonsense FROM;\n' >"$alt/998_bad.sql"
out=$(MIDWATCH_SQL_DIR=$alt "$MIDWATCH" migrate 2>&1); rc=$?
t_eq "a failing migration exits 1" "1" "$rc"
t_match "the failure names the file" "998_bad.sql failed" "$out"
n=$(pgtest_psql -c "select count(*) from pg_tables where schemaname='midwatch' and tablename='half_done'")
t_eq "the failing migration left nothing behind" "0" "$n"
rm "$alt/998_bad.sql"

printf 'CREATE TABLE midwatch.extra_table (x int);\n' >"$alt/999_extra.sql"
out=$(MIDWATCH_SQL_DIR=$alt "$MIDWATCH" migrate 2>&1)
t_eq "a new migration is applied on its own" "applied 1 migration(s)" "$out"

# Two processes migrating an empty database at once.
pgtest_createdb mw2
"$MIDWATCH" migrate >"$TAP_TMP/m1" 2>&1 & p1=$!
"$MIDWATCH" migrate >"$TAP_TMP/m2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
t_eq "two concurrent migrations both succeed" "0 0" "$r1 $r2"
t_eq "together they applied each file once" "applied $nfiles migration(s)" \
    "$(cat "$TAP_TMP/m1" "$TAP_TMP/m2" | grep -v 'applied 0' | grep applied)"
n=$(pgtest_psql -c "select count(*) from midwatch.schema_migrations")
t_eq "the concurrent run recorded each file once" "$nfiles" "$n"
t_done
