#!/bin/sh
# test_migrate.sh - migrations against a real PostgreSQL: apply on an empty
# database, re-apply as a no-op, --status, a changed applied file refused, a
# failing migration rolled back whole, two processes migrating at once, a
# migration that loses the race for a role to another database, tried again.
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
out=$(MIDWATCH_SQL_DIR=$alt "$MIDWATCH" migrate --status 2>&1)
t_match "status shows the changed file CHANGED" "CHANGED +[0-9a-f]{16} +001_schema.sql" "$out"
t_eq "... and every other one applied" "$((nfiles - 1))" "$(printf '%s\n' "$out" | grep -c ' applied ')"
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
t_match "status shows it applied" "^999 +applied +[0-9a-f]{16} +999_extra.sql" \
    "$(MIDWATCH_SQL_DIR=$alt "$MIDWATCH" migrate --status 2>&1)"

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

# Two databases of one cluster migrating at once, before midwatch's roles
# exist: roles are the cluster's while the migration lock is per database.
for d in mw mw2; do
	PGDATABASE=$d pgtest_psql -c "drop owned by midwatch_admin, midwatch_operator, midwatch_viewer" >/dev/null 2>&1
done
pgtest_psql -c "drop role midwatch_admin" -c "drop role midwatch_operator" -c "drop role midwatch_viewer" >/dev/null 2>&1
t_eq "the cluster has no midwatch role any more" "0" \
    "$(pgtest_psql -c "select count(*) from pg_roles where rolname like 'midwatch\_%'")"
# Another database creates the first role meanwhile (a session holding it
# uncommitted): the migration waits on it, loses the race when it commits,
# and is tried again.
pgtest_createdb race >/dev/null
mkfifo "$TAP_TMP/hold"
pgtest_psql <"$TAP_TMP/hold" >/dev/null 2>&1 & holder=$!
exec 3>"$TAP_TMP/hold"
echo "BEGIN; CREATE ROLE midwatch_viewer NOLOGIN; SELECT 1;" >&3
PGDATABASE=race "$MIDWATCH" migrate >"$TAP_TMP/race" 2>&1 & mig=$!
k=0
while [ $k -lt 300 ] && [ "$(pgtest_psql -c "select count(*) from pg_stat_activity where datname = 'race' and wait_event_type = 'Lock'")" = 0 ]; do
	sleep 0.1; k=$((k + 1))
done
t_ok "$([ $k -lt 300 ]; echo $?)" "the migration waits on the role another session is creating"
echo "COMMIT;" >&3
exec 3>&-
wait $holder
wait $mig; rc=$?
t_eq "it loses that race and is tried again: it succeeds" "0|applied $nfiles migration(s)" "$rc|$(cat "$TAP_TMP/race")"
t_eq "... with every file recorded once" "$nfiles" \
    "$(PGDATABASE=race pgtest_psql -c "select count(*) from midwatch.schema_migrations")"
t_done
