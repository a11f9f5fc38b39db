# receiver.sh - the preamble the delivery tests share (tests/net/test_notify.sh,
# tests/net/test_act.sh): a migrated database holding the fixture of
# tests/model, and the local HTTP receiver (tests/net/receiver) logging every
# request to $LOG and answering as the file $MODE says.  Source it after
# tap.sh and pgtest.sh, then:
#
#   receiver_db                  start the cluster, create, migrate, load
#                                the fixture (bails out on failure)
#   receiver_start [ARGS...]     start the receiver (ARGS go to it, e.g.
#                                --body-file F): sets LOG, MODE, RPID,
#                                PORT, URL, an empty $LOG, mode 200; stops
#                                both on exit
#   q SQL                        one psql value
#   mode WHAT                    how the receiver answers from now on
#   nreq KEY                     requests carrying idempotency key KEY
#   bodies KEY                   the BODY lines of those requests
RECEIVER=$top_builddir/tests/net/receiver

receiver_db() {
	pgtest_start
	pgtest_createdb mw
	"$MIDWATCH" migrate >/dev/null 2>&1 ||
		{ echo "Bail out! migrate failed"; exit 1; }
	pgtest_psql -f "$top_srcdir/tests/model/fixture.sql" >/dev/null ||
		{ echo "Bail out! fixture failed"; exit 1; }
}

receiver_start() {
	LOG=$TAP_TMP/requests.log	# TAP_TMP: made by pgtest_start
	MODE=$TAP_TMP/mode
	echo 200 >"$MODE"
	"$RECEIVER" --port-file "$TAP_TMP/port" --log "$LOG" \
	    --mode-file "$MODE" "$@" &
	RPID=$!
	trap 'kill $RPID 2>/dev/null; pgtest_stop' EXIT INT TERM
	_i=0
	while [ ! -s "$TAP_TMP/port" ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	PORT=$(cat "$TAP_TMP/port" 2>/dev/null)
	[ -n "$PORT" ] || { echo "Bail out! the receiver did not start"; exit 1; }
	: >"$LOG"
	URL=http://127.0.0.1:$PORT
}

q() { pgtest_psql -c "$1"; }
mode() { echo "$1" >"$MODE"; }
nreq() { grep -c "^REQ .* idem=$1 " "$LOG"; }
bodies() {
	awk -v k="$1" '/^REQ / { on = index($0, " idem=" k " ") > 0 } on && /^BODY /' "$LOG"
}
