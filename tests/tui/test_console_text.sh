#!/bin/sh
# test_console_text.sh - text from outside drawn by the console cannot
# reorder or hide what is on the screen (issue 11, "The terminal and the
# text"; doc/reliability.md): a service name with U+202E (right-to-left
# override), titles and messages with zero-width characters, bidi isolates
# and a BOM are drawn with '?' in their place -- in the panes, in a wrapped
# detail view and in the status line -- never as the raw character.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwtuitext
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture tuitext || { echo "Bail out! fixture failed"; exit 1; }
# U+202E in a service name; U+200B, U+2066/U+2069, U+FEFF, U+2028 and
# U+00AD in an incident title and an alert's title and message.
con_q "update midwatch.services set name = U&'pay\\202Eipa-db' where id = 1001;
       update midwatch.incidents set title = U&'Fixture latency\\200B on \\2066db\\2069' where id = 1101;
       update midwatch.alerts set title = U&'Fixture bidi \\202Etxt.exe',
              message = U&'first\\2028second \\FEFFthird \\00ADfourth \\200Dfifth' where id = 1502;
       select 1" >/dev/null || { echo "Bail out! fixture update failed"; exit 1; }

RLO=$(printf '\342\200\256')
ZWSP=$(printf '\342\200\213')
ZWJ=$(printf '\342\200\215')
LRI=$(printf '\342\201\246')
PDI=$(printf '\342\201\251')
BOM=$(printf '\357\273\277')
LSEP=$(printf '\342\200\250')
SHY=$(printf '\302\255')

# raw DESC TEXT: one result per character that must not be on the screen
raw() {
	for _c in RLO ZWSP ZWJ LRI PDI BOM LSEP SHY; do
		eval "_v=\$$_c"
		case $2 in
		*"$_v"*) t_ok 1 "$1: no raw $_c" ;;
		*) t_ok 0 "$1: no raw $_c" ;;
		esac
	done
}

con_start a 120 30 -- --project tuitext --as tess
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
s=$(con_screen a)
t_match "a service name with U+202E is drawn with '?' in its place" "pay\?ipa-db" "$s"
t_match "a title with zero-width and isolate characters likewise" \
    "Fixture latency\? on \?db\?" "$s"
raw "the panes" "$s"

# The alert's title in the pane, its message wrapped in the detail view.
con_keys a Tab Tab Tab
con_keys a /
con_keys a -l "bidi"
con_keys a Enter
t_run "the alert's title is drawn with '?' for U+202E" \
    con_wait a "Fixture bidi \?txt\.exe" 5
con_keys a Enter
t_run "its message, wrapped, shows each invisible character as '?'" \
    con_wait a "first\?second \?third \?fourth \?fifth" 5
raw "the detail view" "$(con_screen a)"
con_keys a Escape Escape

# A filter typed with a bidi override is echoed in the prompt as '?'.
con_keys a Tab
con_keys a /
con_keys a -l "pay"
con_keys a -l "$RLO"
t_run "a filter typed with U+202E is echoed as '?'" con_wait a "/pay\?" 5
raw "the prompt" "$(con_screen a)"
con_keys a Escape

con_keys a Q
t_eq "the console quits cleanly" "0" "$(con_exited a 10)"
t_done
