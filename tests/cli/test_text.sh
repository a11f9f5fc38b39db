#!/bin/sh
# test_text.sh - what the command line prints cannot take over the terminal
# (issue 11, "The terminal and the text"; doc/reliability.md): an error
# message that quotes input -- a command name, --project, --db, a server
# message -- carries no escape sequence, control, bidi control or invisible
# character, and neither does the text output of `incidents` and `alerts`;
# each such character is shown as '?'.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mwtext

ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
ZWSP=$(printf '\342\200\213')	# U+200B ZERO WIDTH SPACE
LRI=$(printf '\342\201\246')	# U+2066 LEFT-TO-RIGHT ISOLATE
BOM=$(printf '\357\273\277')	# U+FEFF ZERO WIDTH NO-BREAK SPACE
EVIL="$ESC]0;pwned$BEL${ESC}[2J${ESC}[31mred$RLO${ZWSP}x$LRI$BOM"

# clean DESC TEXT: one result per character that must not be in TEXT
clean() {
	for _c in ESC BEL RLO ZWSP LRI BOM; do
		eval "_v=\$$_c"
		case $2 in
		*"$_v"*) t_ok 1 "$1: no raw $_c" ;;
		*) t_ok 0 "$1: no raw $_c" ;;
		esac
	done
}

# ---- error messages that quote input -----------------------------------------
out=$("$MIDWATCH" "cmd$EVIL" 2>&1 >/dev/null); rc=$?
t_eq "an unknown command with escapes is still a usage error" "2" "$rc"
t_match "and is named, its escapes and bidi controls shown as '?'" \
    "unknown command: cmdred\?\?x\?\?" "$out"
clean "unknown command" "$out"

out=$("$MIDWATCH" --project "p$EVIL" incidents 2>&1 >/dev/null); rc=$?
t_ok "$([ "$rc" -ne 0 ]; echo $?)" "--project with escapes fails (exit $rc)"
clean "--project in the error" "$out"

out=$("$MIDWATCH" --db "host=/nonexistent$EVIL dbname=x" incidents 2>&1 >/dev/null); rc=$?
t_eq "--db with escapes: cannot connect, exit 1" "1" "$rc"
t_match "the message names the socket" "nonexistent" "$out"
clean "--db in libpq's message" "$out"

# The server quotes the database name back in its FATAL message.
out=$("$MIDWATCH" --db "host=$PGHOST port=$PGPORT dbname=no$EVIL" incidents \
    2>&1 >/dev/null); rc=$?
t_eq "an unknown database with escapes: exit 1" "1" "$rc"
t_match "the server's message is shown" "does not exist" "$out"
clean "a server message quoting input" "$out"

out=$("$MIDWATCH" --frob "$EVIL" 2>&1 >/dev/null)
clean "an unknown option" "$out"
out=$("$MIDWATCH" report "$EVIL" 2>&1 >/dev/null)
clean "a bad argument" "$out"

# ---- text output ---------------------------------------------------------------
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
printf '%s\n' \
    '{"kind":"alert","ts":"2026-11-16T13:02:00Z","fingerprint":"bidi-1","status":"firing","labels":{"alertname":"Bidi","service":"pay\u202eipa","severity":"critical"},"annotations":{"summary":"cpu \u200bhigh \u2066on\u2069 db\ufeff \u001b]0;pwned\u0007 end"},"source":"alertmanager"}' \
    >"$TAP_TMP/bidi.jsonl"
"$MIDWATCH" --project text ingest "$TAP_TMP/bidi.jsonl" >"$TAP_TMP/ingest.log" 2>&1 ||
    { echo "Bail out! ingest failed"; sed 's/^/# /' "$TAP_TMP/ingest.log"; exit 1; }
out=$("$MIDWATCH" --project text alerts 2>&1); rc=$?
t_eq "midwatch alerts lists the alert" "0" "$rc"
t_match "a service name with U+202E is printed with '?' in its place" "pay\?ipa" "$out"
t_match "zero-width characters and isolates are printed as '?'" \
    "cpu \?high \?on\? db\?" "$out"
clean "midwatch alerts" "$out"
"$MIDWATCH" --project text run >"$TAP_TMP/run.log" 2>&1
out=$("$MIDWATCH" --project text incidents --all 2>&1)
clean "midwatch incidents" "$out"
out=$("$MIDWATCH" --project text status 2>&1)
clean "midwatch status" "$out"

t_done
