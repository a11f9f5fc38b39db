# tests/lib/pgtest.sh - a throwaway PostgreSQL cluster for one test script
# (sourced).  pgtest_start creates and starts it on a Unix socket in a
# temporary directory and exports PGHOST/PGPORT/PGUSER/PGDATABASE; it is
# stopped and removed when the script exits.  PostgreSQL refuses to run as
# root, so as root the server runs as the "postgres" user.
#   pgtest_start            start the cluster
#   pgtest_createdb NAME    create a database and make it PGDATABASE
#   pgtest_psql ARGS...     psql -X -q -At -v ON_ERROR_STOP=1
#   pgtest_halt             stop the server (fast: sessions are ended), keep it
#   pgtest_sleepers DB N [S] wait (at most S seconds, default 60) until N
#                           sessions of DB sit in pg_sleep; 0 when they do
#   pgtest_resume           start it again, as pgtest_start did

pgtest_bindir() {
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pgtest_as_server() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgtest_stop() {
	if [ -n "${PGTEST_DIR:-}" ] && [ -d "$PGTEST_DIR/data" ]; then
		pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	[ -n "${PGTEST_DIR:-}" ] && rm -rf "$PGTEST_DIR"
	[ -n "${TAP_TMP:-}" ] && rm -rf "$TAP_TMP"
}

pgtest_server_start() {
	pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -l "$PGTEST_DIR/log" -w \
	    -o "-c listen_addresses='' -k $PGTEST_DIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
	    start >"$TAP_TMP/pgctl.log" 2>&1
}

pgtest_sleepers() {
	_i=0
	_max=$(( ${3:-60} * 10 ))
	while [ "$(pgtest_psql -c "select count(*) from pg_stat_activity where wait_event = 'PgSleep' and datname = '$1'")" != "$2" ]; do
		[ "$_i" -ge "$_max" ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

pgtest_halt() {
	pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -m fast -w stop >/dev/null 2>&1
}

pgtest_resume() {
	pgtest_server_start
}

pgtest_start() {
	PGTEST_BIN=$(pgtest_bindir)
	if [ -z "$PGTEST_BIN" ] || [ ! -x "$PGTEST_BIN/initdb" ]; then
		echo "Bail out! PostgreSQL server binaries not found (install postgresql)"
		exit 1
	fi
	PGTEST_DIR=$(mktemp -d /tmp/mwpg.XXXXXX)
	TAP_TMP=$(mktemp -d /tmp/mwtap.XXXXXX)
	export TAP_TMP
	chmod 755 "$PGTEST_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PGTEST_DIR"
	trap pgtest_stop EXIT INT TERM
	if ! pgtest_as_server "$PGTEST_BIN/initdb" -D "$PGTEST_DIR/data" -U postgres \
	    -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$TAP_TMP/initdb.log" 2>&1; then
		echo "Bail out! initdb failed"; sed 's/^/# /' "$TAP_TMP/initdb.log"; exit 1
	fi
	if ! pgtest_server_start; then
		echo "Bail out! pg_ctl start failed"; sed 's/^/# /' "$TAP_TMP/pgctl.log" "$PGTEST_DIR/log"; exit 1
	fi
	PGHOST=$PGTEST_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	export PGHOST PGPORT PGUSER PGDATABASE
	unset DATABASE_URL PGSERVICE
}

pgtest_createdb() {
	"$PGTEST_BIN/createdb" "$1" && PGDATABASE=$1 && export PGDATABASE
}

pgtest_psql() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}
