# tests/tui/screen_lib.sh - screen tests in the style of tig's (sourced after
# console_lib.sh): a fixed world, the console at exactly 80x24 with TZ=UTC,
# LANG=C.UTF-8 and its clock pinned (MIDWATCH_TEST_NOW), scripted keys, and
# the whole screen compared with a stored expectation,
# tests/tui/screens/NAME.screen; a difference is printed as a unified diff.
# UPDATE_SCREENS=1 writes the expectations instead (tests/tui/README).
#
#   scr_emit                  start writing the demo's scenario (seed 1) in
#                             the background: call it before pgtest_start
#   scr_world                 the demo (seed 1) from SCR_FROM to SCR_AT,
#                             ingested, one `midwatch run --at SCR_AT`, and
#                             every time this test wrote pinned at SCR_AT
#   scr_start NAME [ENV=V...] -- ARGS   the console at 80x24, clock pinned
#   scr_check NAME SCREEN REGEX [SEC]  wait until console NAME shows REGEX,
#                             is still and is not its previous screen, then
#                             compare with SCREEN.screen (one TAP result)
#   scr_pin_times T0          every timestamp written since T0 becomes SCR_AT

SCR_DIR="$top_srcdir/tests/tui/screens"
SCR_SEED=1
SCR_FROM=2026-11-16T19:00:00Z
SCR_AT=2026-11-16T22:30:00Z	# the run's --at; what the test wrote is stamped so
SCR_CLOCK=2026-11-16T22:35:00Z	# the console's clock: it looks five minutes later
SCR_W=80
SCR_H=24

# scr_pin_times T0: the pipeline, ingest and the console's actions stamp
# rows with the database's clock (created_at, finished_at, acked_at...);
# those written by this test (at or after T0) are set to SCR_AT, as if it
# had all happened at the pinned instant, whichever columns the schema
# has.  Triggers are off meanwhile (session_replication_role: feedback is
# append-only, "touch" triggers would stamp the update itself).
scr_pin_times() {
	psql -X -q -v ON_ERROR_STOP=1 -v t0="$1" -v pin="$SCR_AT" <<'EOF'
SET session_replication_role = replica;
SELECT set_config('mw.t0', :'t0', false), set_config('mw.pin', :'pin', false) \g /dev/null
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT k.table_name, k.column_name
	           FROM information_schema.columns k
	           JOIN information_schema.tables t
	             ON t.table_schema = k.table_schema AND t.table_name = k.table_name
	          WHERE k.table_schema = 'midwatch' AND t.table_type = 'BASE TABLE'
	            AND k.data_type LIKE 'timestamp%'
	LOOP
		EXECUTE format('UPDATE midwatch.%I SET %I = $1 WHERE %I >= $2',
		               c.table_name, c.column_name, c.column_name)
		    USING current_setting('mw.pin')::timestamptz,
		          current_setting('mw.t0')::timestamptz;
	END LOOP;
END $$;
EOF
}

# scr_emit: `midwatch demo --emit` takes seconds (the whole demo day) and
# needs no database: it runs while the cluster starts.  Into a directory of
# its own, since TAP_TMP does not exist yet; scr_world removes it.
scr_emit() {
	SCR_EMIT_DIR=$(mktemp -d /tmp/mwscreens.XXXXXX)
	"$MIDWATCH" demo --emit "$SCR_EMIT_DIR/demo.jsonl" --seed "$SCR_SEED" \
	    >"$SCR_EMIT_DIR/emit.log" 2>&1 &
	SCR_EMIT_PID=$!
}

scr_cleanup() {
	[ -n "${SCR_EMIT_PID:-}" ] && kill "$SCR_EMIT_PID" 2>/dev/null
	[ -n "${SCR_EMIT_DIR:-}" ] && rm -rf "$SCR_EMIT_DIR"
	con_cleanup
}

# scr_world: the fixed world every screen test draws (the demo's payments
# incident, open at SCR_AT, with its hypotheses, evidence,
# recommendations and alerts), after con_setup.  The demo day is cut to
# SCR_FROM..SCR_AT so the test stays fast.
scr_world() {
	trap scr_cleanup EXIT INT TERM
	[ -n "${SCR_EMIT_PID:-}" ] || scr_emit
	_t0=$(con_q "select now()")
	wait "$SCR_EMIT_PID"
	_rc=$?
	SCR_EMIT_PID=""
	cat "$SCR_EMIT_DIR/emit.log" >"$TAP_TMP/world.log"
	[ "$_rc" -eq 0 ] &&
	awk -v from="$SCR_FROM" -v to="$SCR_AT" '
	    # lines without a time (services, dependencies) and those in the window
	    match($0, /"(ts|started_at|detected_at|authored_at|starts_at)":"[^"]*"/) {
		v = substr($0, RSTART, RLENGTH)
		sub(/^"[a-z_]*":"/, "", v)
		sub(/"$/, "", v)
		if (v < from || v > to)
			next
	    }
	    { print }' "$SCR_EMIT_DIR/demo.jsonl" >"$TAP_TMP/world.jsonl" &&
	rm -rf "$SCR_EMIT_DIR" &&
	"$MIDWATCH" ingest "$TAP_TMP/world.jsonl" >>"$TAP_TMP/world.log" 2>&1 &&
	"$MIDWATCH" run --at "$SCR_AT" >>"$TAP_TMP/world.log" 2>&1 &&
	scr_pin_times "$_t0" >>"$TAP_TMP/world.log" 2>&1 && return 0
	echo "Bail out! the screen tests' world could not be made"
	sed 's/^/# /' "$TAP_TMP/world.log"
	exit 1
}

# scr_start NAME [ENV=VALUE...] [-- ARGS...]: the console at 80x24 on the
# world, its clock pinned at SCR_CLOCK.  (What the console's own actions
# stamp later is on the real clock, after SCR_CLOCK: its age shows as 0s.)
scr_start() {
	_sn=$1
	shift
	con_start "$_sn" "$SCR_W" "$SCR_H" MIDWATCH_TEST_NOW="$SCR_CLOCK" "$@"
}

# scr_marks NAME: what the text alone does not show - the lines of console
# NAME whose first character is in the cursor colour (background cyan, or
# reverse video without colours: the focused pane's title and the cursor)
# and those underlined (the selection of the panes without the focus), as
# one line: "@ cursor 2 3; underlined 7 17 22".  capture-pane -e writes an
# attribute when it changes, so the state is carried from line to line.
scr_marks() {
	con_tmux capture-pane -e -p -t "$1:" | awk '
	BEGIN { esc = sprintf("%c", 27); bg = 49; ul = 0; rv = 0 }
	{
		rest = $0
		first = ""
		while (rest != "") {
			if (substr(rest, 1, 2) == esc "[") {
				j = index(rest, "m")
				n = split(substr(rest, 3, j - 3), c, ";")
				if (n == 0) { n = 1; c[1] = 0 }
				for (i = 1; i <= n; i++) {
					v = c[i] + 0
					if (v == 0) { bg = 49; ul = 0; rv = 0 }
					else if (v == 4) ul = 1
					else if (v == 24) ul = 0
					else if (v == 7) rv = 1
					else if (v == 27) rv = 0
					else if (v == 38 || v == 48) {
						if (v == 48) bg = "48:" c[i + 2]
						i += c[i + 1] == 5 ? 2 : 4
					} else if ((v >= 40 && v <= 47) || v == 49 ||
					    (v >= 100 && v <= 107))
						bg = v
				}
				rest = substr(rest, j + 1)
				continue
			}
			if (first == "")
				first = (bg == 46 || rv) ? "c" : ul ? "u" : "-"
			rest = substr(rest, 2)
		}
		if (first == "c") cur = cur " " NR
		if (first == "u") und = und " " NR
	}
	END { printf "@ cursor%s; underlined%s\n", cur == "" ? " -" : cur, und == "" ? " -" : und }'
}

# scr_check NAME SCREEN REGEX [SEC]: one TAP result: the screen of console
# NAME, once it shows REGEX, has stopped changing and is not the screen its
# previous scr_check saw (the keys took effect), is
# tests/tui/screens/SCREEN.screen line for line; a unified diff says how it
# is not.  UPDATE_SCREENS=1 rewrites the file instead (and passes).
scr_check() {
	_exp="$SCR_DIR/$2.screen"
	_act="$TAP_TMP/$2.screen"
	if ! con_stable "$1" "$3" "${4:-15}" "$TAP_TMP/last.$1" >"$_act"; then
		t_ok 1 "screen $2"
		cat "$_act"
		return 1
	fi
	cp "$_act" "$TAP_TMP/last.$1"
	# $(...) dropped the blank lines at the bottom; the file has them all,
	# then where the cursor is (the screen is still: the same state)
	_lines=$(wc -l <"$_act" | tr -d ' ')
	while [ "$_lines" -lt "$SCR_H" ]; do
		echo >>"$_act"
		_lines=$((_lines + 1))
	done
	scr_marks "$1" >>"$_act"
	if [ -n "${UPDATE_SCREENS:-}" ] && [ "$UPDATE_SCREENS" != 0 ]; then
		mkdir -p "$SCR_DIR"
		cp "$_act" "$_exp"
		t_ok 0 "screen $2 (written: UPDATE_SCREENS)"
		return 0
	fi
	if [ ! -f "$_exp" ]; then
		t_ok 1 "screen $2"
		echo "# there is no tests/tui/screens/$2.screen (UPDATE_SCREENS=1 writes it); the screen was:"
		sed 's/^/#   |/' "$_act"
		return 1
	fi
	if diff -u "$_exp" "$_act" >"$TAP_TMP/$2.diff" 2>&1; then
		t_ok 0 "screen $2"
		return 0
	fi
	t_ok 1 "screen $2"
	echo "# the screen is not tests/tui/screens/$2.screen (- expected, + actual); if"
	echo "# the change is meant: UPDATE_SCREENS=1 make check TESTS=tests/tui/test_screens.sh"
	sed 's/^/# /' "$TAP_TMP/$2.diff"
	return 1
}
