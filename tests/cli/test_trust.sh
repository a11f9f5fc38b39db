#!/bin/sh
# test_trust.sh - issue 11, "Read-only and projects", against a real
# PostgreSQL (doc/reliability.md lists each guarantee and its test here):
#  - --readonly writes nothing, from any command: every writing command is
#    refused up front (exit 1, "CMD: refused: --readonly (it writes)"),
#    before or after the command's name; psql too (exit 2: a psql session
#    can always write); the reading ones work (export records no audit
#    entry); the content
#    of every midwatch table is unchanged and no transaction id was handed
#    out (nothing wrote, not even a NOTIFY); a database that is empty or
#    behind is not migrated ("database schema is behind (N pending
#    migrations)"); no embedded cluster is created; the console's pipeline
#    timer and R run nothing;
#  - an unknown --project is an error (exit 1, "no project 'X' (known:
#    ...)", sorted, at most 10) and creates nothing; only ingest, demo and
#    `project create` create one; a slug breaking the rule is a usage error
#    (exit 2) naming the rule, and no SQL ever sees it;
#  - error messages quoting --project, --db or a server message carry no
#    escape sequence.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
con_setup
DRIVER=$top_builddir/tests/model/stage_driver
ESC=$(printf '\033')
# never the user's embedded cluster
MIDWATCH_STATE_DIR=$TAP_TMP/state-none; export MIDWATCH_STATE_DIR
MIDWATCH_ACTOR=tester; export MIDWATCH_ACTOR
unset XDG_CONFIG_HOME
HOME=$TAP_TMP; export HOME

q() { pgtest_psql -c "$1"; }
# No autovacuum/autoanalyze: a transaction id handed out means we wrote.
q "ALTER SYSTEM SET autovacuum = off" >/dev/null && q "SELECT pg_reload_conf()" >/dev/null
# xid: the next transaction id of the cluster (reading it assigns none).
xid() { q "select txid_snapshot_xmax(txid_current_snapshot())"; }
# state: a digest of every row of every table of schema midwatch, of the
# schema's objects and of the projects.
state() {
	q "select md5(coalesce(string_agg(x, ';' order by x), 'none')) from (
	    select c.relname || ':' || (xpath('/row/h/text()', query_to_xml(format(
	      'select md5(coalesce(string_agg(t::text, ''|'' order by t::text), '''')) as h from %I.%I t',
	      n.nspname, c.relname), false, true, '')))[1]::text as x
	      from pg_class c join pg_namespace n on n.oid = c.relnamespace
	     where n.nspname = 'midwatch' and c.relkind in ('r', 'p')
	    union all
	    select 'objects:' || count(*) from pg_class c
	      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'midwatch') s"
}
has_esc() { printf '%s' "$1" | grep -q "$ESC"; }
nmig=$(ls "$MIDWATCH_SQL_DIR" | grep -c '^[0-9][0-9]*_.*\.sql$')

# --- an empty database: --readonly creates no schema -------------------------
pgtest_createdb empty
x0=$(xid)
err=$("$MIDWATCH" --readonly incidents 2>&1); rc=$?
t_eq "--readonly on an empty database: exit 1" 1 "$rc"
t_eq "... saying the schema is behind" \
    "midwatch: incidents: database schema is behind ($nmig pending migrations); run 'midwatch migrate' without --readonly" "$err"
out=$("$MIDWATCH" --readonly migrate --status 2>&1); rc=$?
t_eq "--readonly migrate --status works on an empty database" 0 "$rc"
t_eq "... listing every migration pending" "$nmig" "$(printf '%s\n' "$out" | grep -c ' pending ')"
err=$("$MIDWATCH" --readonly migrate 2>&1); rc=$?
t_eq "--readonly migrate is refused: exit 1" 1 "$rc"
t_eq "... with the one wording" "midwatch: migrate: refused: --readonly (it writes)" "$err"
"$MIDWATCH" status --readonly >/dev/null 2>&1; rc=$?
t_eq "--readonly status on an empty database: unknown (3)" 3 "$rc"
"$MIDWATCH" --readonly --project nope alerts >/dev/null 2>&1
"$MIDWATCH" --readonly channels list >/dev/null 2>&1
t_eq "no schema was created" 0 "$(q "select count(*) from pg_namespace where nspname = 'midwatch'")"
t_eq "no transaction id was handed out" "$x0" "$(xid)"

# --- no embedded cluster is created with --readonly --------------------------
err=$(env -u PGHOST -u PGDATABASE -u PGSERVICE -u DATABASE_URL \
    "$MIDWATCH" --readonly incidents 2>&1); rc=$?
t_eq "--readonly without a database: exit 1" 1 "$rc"
t_match "... saying there is no embedded database yet" "no embedded database in .*state-none yet" "$err"
t_ok "$([ ! -e "$MIDWATCH_STATE_DIR/data" ]; echo $?)" "... and none was created"

# --- a world: the fixture, recommendations, raw data for a run ---------------
pgtest_createdb trust
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
pgtest_psql -f "$top_srcdir/tests/model/fixture.sql" >/dev/null ||
	{ echo "Bail out! fixture failed"; exit 1; }
"$DRIVER" --since 2026-11-16T12:00:00Z --at 2026-11-16T14:00:00Z recommend >/dev/null ||
	{ echo "Bail out! recommend stage failed"; exit 1; }
rec=$(q "select min(id) from midwatch.recommendations")
{
	echo '{"kind":"service","service":"trusty"}'
	i=0
	while [ $i -lt 30 ]; do
		printf '{"kind":"metric","ts":"2026-11-16T15:%02d:00Z","service":"trusty","metric":"request_rate","value":%d}\n' $i $((100 + i))
		i=$((i + 1))
	done
} >"$TAP_TMP/more.jsonl"
cp "$TAP_TMP/more.jsonl" "$TAP_TMP/other.jsonl"
"$MIDWATCH" ingest "$TAP_TMP/more.jsonl" >/dev/null 2>&1 || { echo "Bail out! ingest failed"; exit 1; }
"$MIDWATCH" sources add prometheus prom http://127.0.0.1:9/ >/dev/null 2>&1 ||
	{ echo "Bail out! sources add failed"; exit 1; }
rule=ro-errors
"$MIDWATCH" rules add $rule --metric error_ratio --op '>' --value 0.5 >/dev/null 2>&1 ||
	{ echo "Bail out! rules add failed"; exit 1; }
echo '[]' >"$TAP_TMP/rules.json"

# --- every writing command is refused, before or after its name --------------
s0=$(state)
x0=$(xid)
while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	err=$("$MIDWATCH" --readonly $args 2>&1 >/dev/null); rc=$?
	t_eq "--readonly $args: exit 1" 1 "$rc"
	t_eq "... refused up front" "midwatch: $name: refused: --readonly (it writes)" "$err"
	# shellcheck disable=SC2086
	err=$("$MIDWATCH" $args --readonly 2>&1 >/dev/null); rc=$?
	t_eq "$args --readonly: refused too (exit 1)" "1|midwatch: $name: refused: --readonly (it writes)" "$rc|$err"
done <<EOF
run|run
run|run --at 2026-11-16T15:30:00Z
ingest|ingest $TAP_TMP/other.jsonl
demo|demo --no-tui --seed 2
migrate|migrate
ack|ack 800
resolve|resolve 800
silence|silence 800 --for 1h
confirm|confirm 400 --root-cause
reject|reject 400
dismiss|dismiss $rec
done|done $rec
note|note incident 200 looked at it
investigate|investigate --at 2026-11-16T13:10:00Z
channels add|channels add webhook hook https://example.invalid/hook
channels remove|channels remove log
channels test|channels test log
notify|notify
project create|project create brandnew
project set|project set incident.quiet_period 1h
project unset|project unset incident.quiet_period
cluster start|cluster start
cluster stop|cluster stop
unsilence|unsilence 800
sources add|sources add prometheus prom2 http://127.0.0.1:9/
sources remove|sources remove prom
rules add|rules add ro-rule --metric error_ratio --op > --value 1
rules edit|rules edit $rule --severity low
rules enable|rules enable $rule
rules disable|rules disable $rule
rules apply|rules apply $TAP_TMP/rules.json
grant|grant viewer nobody
revoke|revoke nobody
purge|purge
purge|purge --dry-run
purge|purge --policies
purge|purge --keep alerts=30
erase|erase --actor tester
stats recompute|stats recompute
act|act $rec send_message --channel log --text hi
EOF
# psql: a psql session can always write (BEGIN READ WRITE), so --readonly
# refuses it, a usage error pointing to midwatch_viewer
for pos in before after; do
	if [ $pos = before ]; then
		err=$("$MIDWATCH" --readonly psql -X -c "begin read write; create table midwatch.zz (x int); commit" 2>&1 >/dev/null); rc=$?
	else
		err=$("$MIDWATCH" psql -X -c "begin read write; create table midwatch.zz (x int); commit" --readonly 2>&1 >/dev/null); rc=$?
	fi
	t_eq "--readonly psql ($pos): exit 2" 2 "$rc"
	t_match "... saying why, and what gives read-only SQL" "^midwatch: psql: refused: --readonly cannot hold in psql \(a session can turn it off: BEGIN READ WRITE\); for read-only SQL connect as a login role that is only in midwatch_viewer" "$err"
done

# --- the reading commands work ----------------------------------------------
# (every statement logged from here to the console's end: each session
# midwatch opens with --readonly must make itself read-only)
q "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
q "ALTER SYSTEM SET log_line_prefix = '%p|%a| '" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 1
logpos=$(wc -l <"$PGTEST_DIR/log")
while IFS='|' read -r want args; do
	[ -n "$want" ] || continue
	# shellcheck disable=SC2086
	"$MIDWATCH" --readonly $args >"$TAP_TMP/ro.out" 2>&1; rc=$?
	t_eq "--readonly $args runs (exit $want)" "$want" "$rc"
	if grep -q "refused" "$TAP_TMP/ro.out"; then
		t_ok 1 "... and is not refused"; sed 's/^/# /' "$TAP_TMP/ro.out"
	else t_ok 0 "... and is not refused"; fi
done <<EOF
0|incidents
0|incidents --json --all
0|alerts --all
0|alerts --json
0|policy
0|migrate --status
0|channels list
0|project list
0|project list --json
0|project show
0|stats
0|stats --json
0|grants
0|sources list
0|sources show prom
0|rules list
0|rules show $rule
0|export --actor tester
0|act --list
EOF
audits() { q "select count(*) from midwatch.audit_entries"; }
a0=$(audits)
"$MIDWATCH" --readonly export --actor tester >/dev/null 2>&1
t_eq "--readonly export records no audit entry" "$a0" "$(audits)"
out=$("$MIDWATCH" --readonly status 2>&1); rc=$?
t_ok "$([ $rc -le 2 ]; echo $?)" "--readonly status reports the pipeline's state ($rc)"
out=$("$MIDWATCH" --readonly incidents)
t_match "--readonly incidents shows the fixture" "Checkout|checkout" "$out"
err=$("$MIDWATCH" report 200 --readonly 2>&1 >/dev/null); rc=$?
t_match "--readonly report reads (a report or \"no report ... yet\")" "^(0\|\$|1\|midwatch: report: no report for incident 200)" "$rc|$err"

t_eq "after all of that, every midwatch table is unchanged" "$s0" "$(state)"
t_eq "... and no transaction id was handed out" "$x0" "$(xid)"

# --- the console: --readonly runs no pipeline, on its timer or on R ---------
printf 'pipeline-interval = 1s\nrefresh-interval = 1s\n' >"$TAP_TMP/ro.conf"
con_start ro 100 30 -- --readonly --as rita --config "$TAP_TMP/ro.conf"
t_run "a read-only console opens" con_wait ro "rita \[read-only\]" 20
con_keys ro R
sleep 3
con_keys ro Tab Tab Tab a
sleep 1
con_keys ro Q
t_eq "... and quits" 0 "$(con_exited ro 10)"
t_eq "the console ran nothing and recorded nothing" "$s0" "$(state)"
t_eq "... no transaction id was handed out" "$x0" "$(xid)"
tail -n +"$((logpos + 1))" "$PGTEST_DIR/log" >"$TAP_TMP/ro.log"
pids=$(sed -n 's/^\([0-9][0-9]*\)|midwatch| .*statement: SET search_path.*/\1/p' "$TAP_TMP/ro.log" | sort -u)
npids=$(printf '%s\n' "$pids" | grep -c .)
t_ok "$([ "$npids" -ge 10 ]; echo $?)" "the read-only commands and console opened sessions ($npids)"
bad=""
for p in $pids; do
	grep -q "^$p|midwatch| LOG:  statement: SET default_transaction_read_only = on" "$TAP_TMP/ro.log" || bad="$bad $p"
done
t_eq "every one of them was read-only (SET default_transaction_read_only = on)" "" "$bad"
q "ALTER SYSTEM RESET log_statement" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

# --- a schema that is behind is not migrated with --readonly -----------------
cp -R "$MIDWATCH_SQL_DIR" "$TAP_TMP/sql-ahead"
echo "CREATE TABLE midwatch.zz_ahead (x int);" >"$TAP_TMP/sql-ahead/999_ahead.sql"
err=$(MIDWATCH_SQL_DIR=$TAP_TMP/sql-ahead "$MIDWATCH" --readonly incidents 2>&1); rc=$?
t_eq "--readonly on a database one migration behind: exit 1" 1 "$rc"
t_eq "... naming the count and the remedy" \
    "midwatch: incidents: database schema is behind (1 pending migration); run 'midwatch migrate' without --readonly" "$err"
out=$(MIDWATCH_SQL_DIR=$TAP_TMP/sql-ahead "$MIDWATCH" --readonly migrate --status 2>&1)
t_match "--readonly migrate --status lists it pending" "^999 +pending" "$out"
t_eq "nothing was migrated" "$s0" "$(state)"
t_eq "... no transaction id was handed out" "$x0" "$(xid)"

# (without --readonly, export is audited: the check above can fail)
"$MIDWATCH" export --actor tester >/dev/null 2>&1
t_eq "export without --readonly records an audit entry" "$((a0 + 1))" "$(audits)"

# --- an unknown project is an error, and creates nothing ---------------------
projects() { q "select string_agg(slug, ',' order by slug) from midwatch.projects"; }
p0=$(projects)
while IFS='|' read -r want args; do
	[ -n "$want" ] || continue
	# shellcheck disable=SC2086
	err=$("$MIDWATCH" --project shpo $args 2>&1 </dev/null >/dev/null); rc=$?
	t_eq "--project shpo $args: exit $want" "$want" "$rc"
	t_match "... no project 'shpo' (known: default)" "no project 'shpo' \(known: default\)$" "$err"
done <<EOF
1|incidents
1|incidents --json
1|alerts
1|report 200
1|run
1|ack 800
1|note incident 200 hello
1|investigate --at 2026-11-16T13:10:00Z
1|channels list
1|notify
3|status
EOF
err=$("$MIDWATCH" --project shpo incidents 2>&1)
t_eq "the whole message" "midwatch: incidents: no project 'shpo' (known: default)" "$err"
con_start shpo 100 30 -- --project shpo --config "$TAP_TMP/ro.conf"
t_eq "the console on an unknown project: exit 1" 1 "$(con_exited shpo 20)"
t_match "... saying so" "no project 'shpo' \(known: default\)" "$(con_screen shpo)"
t_eq "no project was created" "$p0" "$(projects)"

out=$("$MIDWATCH" --project newbie ingest "$TAP_TMP/more.jsonl" 2>&1); rc=$?
t_eq "ingest creates its project" "0|t" "$rc|$(q "select count(*) = 1 from midwatch.projects where slug = 'newbie'")"
out=$("$MIDWATCH" project create Team.A-1 --name "Team A" 2>&1); rc=$?
t_eq "project create: exit 0" 0 "$rc"
t_match "... saying so" "^project Team.A-1 created" "$out"
t_eq "... with its name" "Team A" "$(q "select name from midwatch.projects where slug = 'Team.A-1'")"
t_eq "... and the project defaults (alert rules)" "t" \
    "$(q "select count(*) > 0 from midwatch.alert_rules r join midwatch.projects p on p.id = r.project_id where p.slug = 'Team.A-1'")"
err=$("$MIDWATCH" project create Team.A-1 2>&1); rc=$?
t_eq "creating it again: exit 1" "1|midwatch: project create: project 'Team.A-1' exists already" "$rc|$err"
out=$("$MIDWATCH" --project Team.A-1 incidents 2>&1); rc=$?
t_eq "the new project is there" "0|no open incidents" "$rc|$out"
out=$("$MIDWATCH" project list)
t_match "project list lists it" "^Team\.A-1 .* Team A$" "$out"
n_open=$(q "select count(*) from midwatch.incidents i join midwatch.projects p on p.id = i.project_id where p.slug = 'default' and i.status in ('open', 'triaged')")
t_match "... with the open incidents of each" "^default +[^ ]+ +[^ ]+ +$n_open +[0-9]+  Default project\$" "$out"
out=$("$MIDWATCH" project list --json)
t_eq "project list --json: one object per project" \
    "$(q "select count(*) from midwatch.projects")" \
    "$(q "select jsonb_array_length('$out'::jsonb)")"
t_eq "... with slug, name and counts" "Team A|0|0" \
    "$(q "select e->>'name' || '|' || (e->>'open_incidents') || '|' || (e->>'active_alerts') from jsonb_array_elements('$out'::jsonb) e where e->>'slug' = 'Team.A-1'")"

i=1
while [ $i -le 12 ]; do
	"$MIDWATCH" project create "p$(printf %02d $i)" >/dev/null 2>&1
	i=$((i + 1))
done
err=$("$MIDWATCH" --project zzz alerts 2>&1); rc=$?
t_eq "the known projects are listed sorted, at most 10" \
    "1|midwatch: alerts: no project 'zzz' (known: Team.A-1, default, newbie, p01, p02, p03, p04, p05, p06, p07, ... 5 more)" \
    "$rc|$err"

# --- a bad slug is a usage error naming the rule; no SQL sees it -------------
rule="a project slug is 1 to 63 characters: a letter or digit, then letters, digits, '_', '.' or '-'"
long=$(printf 'a%.0s' $(seq 1 64))
p0=$(projects)
for label in space lead-dash lead-underscore slash tab escape 64-chars empty; do
	case $label in
	space) s="bad slug" ;;
	lead-dash) s="-lead" ;;
	lead-underscore) s="_x" ;;
	slash) s="a/b" ;;
	tab) s="tab	x" ;;
	escape) s="x${ESC}[31m" ;;
	64-chars) s=$long ;;
	empty) s="" ;;
	esac
	err=$("$MIDWATCH" --project "$s" incidents 2>&1); rc=$?
	t_eq "a slug with $label: exit 2" 2 "$rc"
	t_match "... naming the rule" "$rule" "$err"
	t_ok "$(has_esc "$err" && echo 1 || echo 0)" "... with no escape sequence"
done
err=$("$MIDWATCH" project create "a b" 2>&1); rc=$?
t_eq "project create 'a b': exit 2" 2 "$rc"
t_match "... naming the rule" "bad project slug 'a b': $rule" "$err"
"$MIDWATCH" ingest --project "a b" "$TAP_TMP/more.jsonl" >/dev/null 2>&1; rc=$?
t_eq "ingest --project 'a b': exit 2" 2 "$rc"
"$MIDWATCH" demo --project "a/b" --no-tui >/dev/null 2>&1; rc=$?
t_eq "demo --project 'a/b': exit 2" 2 "$rc"
"$MIDWATCH" channels list --project ".x" >/dev/null 2>&1; rc=$?
t_eq "channels list --project '.x': exit 2" 2 "$rc"
"$MIDWATCH" investigate --project "a b" --at 2026-11-16T13:10:00Z >/dev/null 2>&1; rc=$?
t_eq "investigate --project 'a b': exit 2" 2 "$rc"
printf 'project = not/ok\n' >"$TAP_TMP/badproj.conf"
err=$("$MIDWATCH" --config "$TAP_TMP/badproj.conf" console </dev/null 2>&1); rc=$?
t_eq "a bad project in the configuration file: exit 2" 2 "$rc"
t_match "... naming the rule" "console: bad project slug 'not/ok': $rule" "$err"
t_eq "no project was created" "$p0" "$(projects)"
t_eq "the server never saw a bad slug (no check violation logged)" 0 \
    "$(grep -c 'projects_slug_check' "$PGTEST_DIR/log")"

# --- a database without any project ------------------------------------------
pgtest_createdb noproj
"$MIDWATCH" migrate >/dev/null 2>&1
q "DELETE FROM midwatch.projects" >/dev/null
err=$("$MIDWATCH" incidents 2>&1); rc=$?
t_eq "no projects at all: exit 1" 1 "$rc"
t_match "... saying how to make one" "no project 'default' \(no projects yet: run 'midwatch demo' or 'midwatch ingest FILE'" "$err"
con_start noproj 100 30 -- --readonly --config "$TAP_TMP/ro.conf"
t_eq "the console too: exit 1" 1 "$(con_exited noproj 20)"
t_match "... with the same words" "no project 'default' \(no projects yet" "$(con_screen noproj)"

# --- messages quoting --db and server messages are sanitised -----------------
err=$("$MIDWATCH" --db "host=/nonexistent${ESC}]0;pwned${ESC}\\ dbname=x" incidents 2>&1); rc=$?
t_eq "an unreachable --db: exit 1" 1 "$rc"
t_ok "$(has_esc "$err" && echo 1 || echo 0)" "... and the message quoting it has no escape sequence"
err=$("$MIDWATCH" --db "dbname=no${ESC}[31mdb" incidents 2>&1); rc=$?
t_match "a server message quoting input" "does not exist" "$err"
t_ok "$(has_esc "$err" && echo 1 || echo 0)" "... has no escape sequence"
t_done
