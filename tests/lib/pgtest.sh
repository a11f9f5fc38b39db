# tests/lib/pgtest.sh - a throwaway PostgreSQL cluster for one test script
# (sourced).  pgtest_start creates and starts it on a Unix socket in a
# temporary directory and exports PGHOST/PGPORT/PGUSER/PGDATABASE; it is
# stopped and removed when the script exits.  PostgreSQL refuses to run as
# root, so as root the server runs as the "postgres" user.
#   pgtest_start            start the cluster
#   pgtest_createdb NAME    create a database and make it PGDATABASE
#   pgtest_psql ARGS...     psql -X -q -At -v ON_ERROR_STOP=1

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
	if ! pgtest_as_server "$PGTEST_BIN/pg_ctl" -D "$PGTEST_DIR/data" -l "$PGTEST_DIR/log" -w \
	    -o "-c listen_addresses='' -k $PGTEST_DIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
	    start >"$TAP_TMP/pgctl.log" 2>&1; then
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
