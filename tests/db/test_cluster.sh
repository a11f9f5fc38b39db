#!/bin/sh
# test_cluster.sh - the embedded default: with no database named, midwatch
# creates a private cluster under $XDG_STATE_HOME/midwatch, starts it, and
# reuses it next time; without PostgreSQL's binaries it says so clearly.
# With --readonly it starts and creates nothing: a stopped cluster or a
# missing database midwatch is an error saying so (doc/reliability.md).
. "$top_srcdir/tests/lib/tap.sh"
unset PGHOST PGPORT PGDATABASE PGSERVICE PGUSER DATABASE_URL MIDWATCH_STATE_DIR
TAP_TMP=$(mktemp -d /tmp/mwcl.XXXXXX)
chmod 755 "$TAP_TMP"
XDG_STATE_HOME=$TAP_TMP/state
export XDG_STATE_HOME TAP_TMP
dir=$XDG_STATE_HOME/midwatch
cleanup() { "$MIDWATCH" cluster stop >/dev/null 2>&1; rm -rf "$TAP_TMP"; }
trap cleanup EXIT INT TERM

out=$("$MIDWATCH" migrate 2>&1); rc=$?
t_eq "first use creates and starts the cluster and migrates it" "0" "$rc"
t_match "it applied the schema" "applied [1-9][0-9]* migration" "$out"
t_ok "$(test -f "$dir/data/PG_VERSION"; echo $?)" "the cluster lives under \$XDG_STATE_HOME/midwatch"
t_ok "$(test -S "$dir/run/.s.PGSQL.5432"; echo $?)" "it listens on a Unix socket in the state directory"
la=$(psql -X -At -h "$dir/run" -U midwatch -d midwatch -c "show listen_addresses" 2>&1)
t_eq "no TCP port: listen_addresses is empty" "" "$la"
pid1=$(head -n 1 "$dir/data/postmaster.pid")

out=$("$MIDWATCH" cluster status 2>&1); rc=$?
t_match "cluster status says running" "running" "$out"
t_eq "... exit 0" 0 "$rc"
t_match "... and how to reach it: the socket directory" "socket directory +$dir/run" "$out"
t_match "... a psql line to paste" "psql -h '$dir/run' -p 5432 -U midwatch midwatch" "$out"
t_ok "$(echo "$out" | grep -q "another database"; [ $? -ne 0 ]; echo $?)" \
    "... and no note of another database (this is the one midwatch uses)"
line=$(echo "$out" | sed -n "s/^  psql  *//p")
t_eq "the pasted psql line reaches it" "midwatch" \
    "$(eval "$line -X -At -c 'select current_database()'" 2>&1)"
t_eq "midwatch psql reaches it too, passing its arguments" "midwatch|true" \
    "$("$MIDWATCH" psql -X -At -c "select current_database() || '|' || (select count(*) > 0 from midwatch.schema_migrations)" 2>&1)"

out=$("$MIDWATCH" migrate 2>&1)
t_eq "the second use reuses the running cluster (nothing to apply)" "applied 0 migration(s)" "$out"
pid2=$(head -n 1 "$dir/data/postmaster.pid")
t_eq "the same server process is reused" "$pid1" "$pid2"

"$MIDWATCH" cluster stop >/dev/null 2>&1
"$MIDWATCH" cluster status >/dev/null 2>&1; rc=$?
t_eq "cluster stop stops it (status exits 3)" "3" "$rc"

# --readonly on the stopped cluster: no pg_ctl start, no file written
ls -laR --time-style=full-iso "$dir" >"$TAP_TMP/ls0" 2>&1
for args in incidents status "migrate --status" "channels list" alerts; do
	# shellcheck disable=SC2086
	err=$("$MIDWATCH" --readonly $args </dev/null 2>&1); rc=$?
	t_match "--readonly $args on a stopped cluster: an error (exit $rc)" "^[13]$" "$rc"
	t_match "... saying it does not start it" "embedded cluster at $dir is not running; --readonly does not start it \(run 'midwatch cluster start'\)" "$err"
done
ls -laR --time-style=full-iso "$dir" >"$TAP_TMP/ls1" 2>&1
t_eq "... and nothing under the state directory changed" "" "$(diff "$TAP_TMP/ls0" "$TAP_TMP/ls1")"
"$MIDWATCH" cluster status >/dev/null 2>&1; rc=$?
t_eq "... and it is still stopped" "3" "$rc"
err=$("$MIDWATCH" --readonly psql -X -c "select 1" 2>&1); rc=$?
t_eq "--readonly psql is refused (exit 2) before reaching any database" "2" "$rc"
t_match "... pointing to midwatch_viewer for read-only SQL" "psql: refused: --readonly cannot hold in psql .*midwatch_viewer" "$err"

out=$("$MIDWATCH" migrate 2>&1); rc=$?
t_eq "a stopped cluster is started again and its data kept" "0 applied 0 migration(s)" "$rc $out"
n=$(grep -c "creating\|initdb" "$dir/setup.log" 2>/dev/null || true)
t_ok "$(test "$(grep -c 'Success. You can now start' "$dir/setup.log")" -le 1; echo $?)" "initdb ran only once"

# --readonly on a running cluster without the database midwatch creates none
out=$("$MIDWATCH" --readonly incidents 2>&1); rc=$?
t_eq "--readonly reads a running cluster" "0" "$rc"
psql -X -q -h "$dir/run" -U midwatch -d postgres -c "drop database midwatch" >/dev/null 2>&1
err=$("$MIDWATCH" --readonly incidents 2>&1); rc=$?
t_eq "--readonly on a cluster without the database midwatch: exit 1" "1" "$rc"
t_eq "... saying it does not create it" "midwatch: incidents: the embedded cluster at $dir: it has no database midwatch; --readonly does not create it (run 'midwatch migrate' without --readonly)" "$err"
t_eq "... and it did not" "0" "$(psql -X -At -h "$dir/run" -U midwatch -d postgres -c "select count(*) from pg_database where datname = 'midwatch'" 2>&1)"

out=$(MIDWATCH_PG_BINDIR=/nonexistent XDG_STATE_HOME=$TAP_TMP/other "$MIDWATCH" migrate 2>&1); rc=$?
t_eq "without PostgreSQL's programs it exits 1" "1" "$rc"
t_match "and says what is missing" "initdb, pg_ctl.*not installed" "$out"
t_done
