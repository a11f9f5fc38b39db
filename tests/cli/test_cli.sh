#!/bin/sh
# test_cli.sh - the command line's contract (doc/interfaces.md): --help,
# --version, exit codes (0 ok, 1 runtime error, 2 usage) and errors that
# name what went wrong; one parser for every command (the global options
# after any command, every command's --help, usage errors that say what was
# wrong); the configuration file read by every command as by the console
# (db, project, as, readonly; a missing --config is an error); `cluster
# status` saying how to reach the embedded database; `midwatch psql`.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
XDG_CONFIG_HOME=$TAP_TMP/xdg; export XDG_CONFIG_HOME
MIDWATCH_STATE_DIR=$TAP_TMP/state; export MIDWATCH_STATE_DIR
unset MIDWATCH_ACTOR

out=$("$MIDWATCH" --help); rc=$?
t_eq "--help exits 0" "0" "$rc"
for c in demo ingest run status incidents report investigate policy ack resolve silence unsilence confirm reject dismiss done note act migrate cluster psql; do
	t_match "--help lists $c" "^  $c" "$out"
done
out=$("$MIDWATCH" --version); rc=$?
t_match "--version prints the version" "^midwatch [0-9]+\.[0-9]+\.[0-9]+$" "$out"
out=$("$MIDWATCH" frobnicate 2>&1); rc=$?
t_eq "an unknown command exits 2" "2" "$rc"
t_match "and names it" "unknown command: frobnicate" "$out"
out=$("$MIDWATCH" --frob 2>&1); rc=$?
t_eq "an unknown option exits 2" "2" "$rc"
t_match "and names it" "unknown option --frob" "$out"
out=$("$MIDWATCH" --db 2>&1); rc=$?
t_eq "a missing option value exits 2" "2" "$rc"
out=$("$MIDWATCH" </dev/null 2>&1 | cat); 
t_match "no command and no terminal: usage, not a hang" "not a terminal" "$out"
out=$("$MIDWATCH" --db "host=/nonexistent-dir dbname=x" migrate 2>&1); rc=$?
t_eq "an unreachable database exits 1" "1" "$rc"
t_match "and says it cannot connect" "cannot connect to PostgreSQL" "$out"
out=$("$MIDWATCH" migrate --bogus 2>&1); rc=$?
t_eq "a subcommand usage error exits 2" "2" "$rc"

# --- every command has --help (exit 0), listed in the contract and the man page
cmds=$("$MIDWATCH" --help | sed -n '/^commands:/,/^$/ s/^  \([a-z][a-z]*\) .*/\1/p')
t_match "the command list is read from --help" "^demo ingest run .* done note act migrate cluster psql channels sources rules stats notify project purge erase export grant revoke grants$" \
    "$(echo $cmds)"
for c in console $cmds; do
	out=$("$MIDWATCH" "$c" --help 2>&1); rc=$?
	t_eq "$c --help exits 0" 0 "$rc"
	t_match "... prints its usage, options and exit statuses" \
	    "^usage: midwatch (\[console\]|$c)" "$out"
	t_match "... with the exit statuses" "^exit status: 0 ok, 1 error, 2 usage error" "$out"
	t_ok "$(grep -q "^| \`$c[ \`]" "$top_srcdir/doc/interfaces.md"; echo $?)" \
	    "... doc/interfaces.md lists $c"
	t_ok "$(grep -Eq "^\.B[IR]? \"?$c[ |\"]|^\.B[IR]? [a-z|]*\b$c\b" "$top_srcdir/doc/midwatch.1"; echo $?)" \
	    "... the man page describes $c"
done
out=$("$MIDWATCH" status --help)
t_match "status --help names its own exit statuses" "0 healthy, 1 degraded, 2 failing, 3 unknown" "$out"
out=$("$MIDWATCH" cluster --help)
t_match "cluster --help: status returns 3 when it does not run" "status: 0 running, 3 not running" "$out"
t_match "the man page documents cluster status's 3" "0 running, 3 not running" \
    "$(sed -n '/^\.SH EXIT STATUS/,/^\.SH FILES/p' "$top_srcdir/doc/midwatch.1")"
out=$("$MIDWATCH" channels --help)
t_match "channels --help lists its settings" "settings \(--set KEY=VALUE\)" "$out"

# --- a usage error says what was wrong, then the usage ------------------------
usage_err() {	# usage_err DESC REGEX ARGS...: exit 2, REGEX said, then the usage
	_d=$1 _r=$2
	shift 2
	_o=$("$MIDWATCH" "$@" 2>&1); _rc=$?
	t_eq "$_d: exit 2" 2 "$_rc"
	t_match "... says what was wrong" "^midwatch: $_r" "$_o"
	t_match "... then the usage" "^usage: midwatch $1" "$_o"
}
usage_err "incidents --bogus" "incidents: unknown option --bogus \(incidents takes --json, --all" incidents --bogus
usage_err "report abc" "report: INCIDENT_ID must be a positive number .*, not abc" report abc
usage_err "report without an id" "report: missing INCIDENT_ID" report
usage_err "report 1 2" "report: unexpected argument 2" report 1 2
usage_err "cluster without a subcommand" "cluster: name a subcommand \(start, stop or status\)" cluster
usage_err "cluster frob" "cluster: unknown subcommand frob" cluster frob
usage_err "run --at without a value" "run: option --at needs a value" run --at
usage_err "run --at yesterday" "run: --at: not an RFC 3339 timestamp: yesterday" run --at yesterday
usage_err "incidents --json=yes" "incidents: option --json takes no value" incidents --json=yes
usage_err "migrate --status extra" "migrate: unexpected argument extra \(migrate takes no arguments" migrate --status extra
usage_err "silence --for 3x" "silence: --for: not a duration: '3x'" silence 12 --for 3x
usage_err "ack abc" "ack: ALERT_ID must be a positive number, not abc" ack abc
usage_err "note deploy 1 x" "note: cannot annotate a deploy" note deploy 1 x
usage_err "policy --json --markdown" "policy: --json or --markdown, not both" policy --json --markdown

# --- the global options after any command ---------------------------------------
bad="host=/nonexistent-dir dbname=x"
while IFS='|' read -r want args; do
	[ -n "$want" ] || continue
	# shellcheck disable=SC2086
	out=$("$MIDWATCH" $args --db "$bad" 2>&1); rc=$?
	t_eq "$args --db X: the option is taken (exit $want, not a usage error)" "$want" "$rc"
	t_match "... it tried that database" "cannot connect to PostgreSQL" "$out"
done <<EOF2
1|run
1|run --at 2026-11-16T15:30:00Z
1|incidents --json
1|alerts
3|status
1|report 1
1|ack 1
1|silence 1 --for 1h30m
1|note incident 1 looked at it
1|migrate --status
1|notify
1|channels list
1|sources list
1|project list
1|investigate --at 2026-11-16T13:10:00Z
1|ingest /dev/null
EOF2
"$MIDWATCH" demo --readonly --no-tui >/dev/null 2>&1; rc=$?
t_eq "demo --readonly is refused, not an unknown option" 1 "$rc"

# --- the configuration file, for every command -------------------------------------
for args in incidents "ack 1" policy "migrate --status" "psql -c select" console; do
	# shellcheck disable=SC2086
	out=$("$MIDWATCH" --config "$TAP_TMP/nope.conf" $args </dev/null 2>&1); rc=$?
	t_eq "a missing --config is an error for $args (exit 1)" 1 "$rc"
	t_match "... naming the file" "nope.conf: No such file" "$out"
done
printf 'db = host=%s dbname=mwcli\nproject = cfgproj\nas = carol\n' "$PGHOST" >"$TAP_TMP/p.conf"
printf 'project = cfgproj\nreadonly = yes\n' >"$TAP_TMP/ro.conf"
pgtest_createdb mwcli
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture cfgproj >/dev/null || { echo "Bail out! fixture failed"; exit 1; }
ev() { pgtest_psql -c "select actor_id || '|' || p.slug from midwatch.feedback_events f join midwatch.projects p on p.id = f.project_id where f.target_id = $1 order by f.id desc limit 1"; }
# PGDATABASE names another database: only the file's db leads to mwcli
out=$(PGDATABASE=postgres "$MIDWATCH" --config "$TAP_TMP/p.conf" incidents 2>&1); rc=$?
t_eq "incidents honours the file's db and project" "0" "$rc"
t_match "... it lists that project's incidents" "Fixture error spike on checkout-api" "$out"
out=$(PGDATABASE=postgres "$MIDWATCH" --config "$TAP_TMP/p.conf" ack 1500 2>&1); rc=$?
t_eq "ack honours the file's as" "0|alert 1500 acknowledged by carol" "$rc|$out"
t_eq "... recorded in the file's database and project" "carol|cfgproj" "$(ev 1500)"
PGDATABASE=postgres "$MIDWATCH" --config "$TAP_TMP/p.conf" ack 1501 --as dave >/dev/null 2>&1
t_eq "--as after the command wins over the file" "dave|cfgproj" "$(ev 1501)"
PGDATABASE=postgres MIDWATCH_ACTOR=erin "$MIDWATCH" --config "$TAP_TMP/p.conf" ack 1502 >/dev/null 2>&1
t_eq "\$MIDWATCH_ACTOR wins over the file's as" "erin|cfgproj" "$(ev 1502)"
out=$("$MIDWATCH" incidents --project default --config "$TAP_TMP/p.conf" 2>&1); rc=$?
t_eq "--project wins over the file's project" "0|no open incidents" "$rc|$out"
out=$("$MIDWATCH" --config "$TAP_TMP/ro.conf" ack 1503 2>&1); rc=$?
t_eq "readonly = yes in the file refuses a writing command" \
    "1|midwatch: ack: refused: --readonly (it writes)" "$rc|$out"
out=$("$MIDWATCH" --config "$TAP_TMP/ro.conf" alerts 2>&1); rc=$?
t_match "... and a reading one runs, in the file's project" "Fixture high error rate" "$out"
printf 'project = not/ok\n' >"$TAP_TMP/bad.conf"
out=$("$MIDWATCH" --config "$TAP_TMP/bad.conf" incidents 2>&1); rc=$?
t_eq "a bad project in the file is a usage error for incidents too" 2 "$rc"
printf 'frobnicate = 1\n' >"$TAP_TMP/wrong.conf"
out=$("$MIDWATCH" --config "$TAP_TMP/wrong.conf" alerts 2>&1); rc=$?
t_eq "a wrong line in the file: exit 1" 1 "$rc"
t_match "... naming the file and line" "wrong.conf:1: unknown setting 'frobnicate'" "$out"
mkdir -p "$XDG_CONFIG_HOME/midwatch"
printf 'project = cfgproj\n' >"$XDG_CONFIG_HOME/midwatch/config"
out=$("$MIDWATCH" alerts 2>&1)
t_match "the default file is read by every command too" "Fixture high error rate" "$out"
rm "$XDG_CONFIG_HOME/midwatch/config"

# --- cluster status says how to reach the embedded database --------------------------
out=$("$MIDWATCH" cluster status 2>&1); rc=$?
t_eq "cluster status of a cluster not created yet: exit 3" 3 "$rc"
t_match "... says so" "^$MIDWATCH_STATE_DIR: not created yet" "$out"
t_match "... the socket directory" "socket directory +$MIDWATCH_STATE_DIR/run" "$out"
t_match "... port, user and database" "port +5432" "$out"
t_match "... user" "user +midwatch" "$out"
t_match "... database" "database +midwatch" "$out"
t_match "... a psql line to paste" "psql -h '$MIDWATCH_STATE_DIR/run' -p 5432 -U midwatch midwatch" "$out"
t_match "... and that midwatch uses another database here" "midwatch uses another database here \(the libpq environment\)" "$out"

# --- midwatch psql ----------------------------------------------------------------------
out=$("$MIDWATCH" psql -X -At -c "select current_database()" 2>&1); rc=$?
t_eq "psql runs on the database midwatch uses, its arguments passed on" "0|mwcli" "$rc|$out"
out=$(PGDATABASE=postgres "$MIDWATCH" --config "$TAP_TMP/p.conf" psql -X -At -c "select current_database()" 2>&1)
t_eq "... the configuration's db too" "mwcli" "$out"
# a psql session can always write (BEGIN READ WRITE): --readonly refuses it
out=$("$MIDWATCH" --readonly psql -X -At -c "begin read write; create table zz (x int); commit" 2>&1); rc=$?
t_eq "--readonly psql is refused (exit 2)" 2 "$rc"
t_match "... saying why and what to use" "psql: refused: --readonly cannot hold in psql \(a session can turn it off: BEGIN READ WRITE\); for read-only SQL connect as a login role that is only in midwatch_viewer" "$out"
out=$("$MIDWATCH" psql -X -At -c "begin read write; create table zz (x int); commit" --readonly 2>&1); rc=$?
t_eq "... --readonly after psql's own words counts too" 2 "$rc"
out=$("$MIDWATCH" --config "$TAP_TMP/ro.conf" psql -X -At -c "select 1" 2>&1); rc=$?
t_eq "... and readonly = yes in the configuration" 2 "$rc"
t_eq "... nothing was created" 0 "$(pgtest_psql -d mwcli -c "select count(*) from pg_class where relname = 'zz'")"
out=$("$MIDWATCH" psql --help 2>&1); rc=$?
t_eq "psql --help is midwatch's (exit 0)" "0" "$rc"
t_match "... naming psql's own" "midwatch psql -- --help" "$out"
out=$("$MIDWATCH" psql -X -At -c "select 1" -c "select 'x' || 2" 2>&1)
t_eq "every word after psql is psql's" "1
x2" "$out"
t_done
