# tests/lib/tap.sh - tiny TAP helpers for the shell tests (sourced).
#   t_ok  STATUS DESC        record a result from an exit status
#   t_run DESC CMD...        run CMD (output to the test log), pass if it exits 0
#   t_fails DESC CMD...      pass if CMD exits non-zero
#   t_eq  DESC EXPECTED ACTUAL
#   t_match DESC REGEX TEXT  (grep -E)
#   t_nomatch DESC REGEX TEXT  pass if no line of TEXT matches
#   t_done                   print the plan; exit 1 if anything failed
TAP_N=0
TAP_FAILED=0

t_ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

t_run() {
	_d=$1; shift
	if "$@" >"${TAP_TMP:-/tmp}/t_run.out" 2>&1; then t_ok 0 "$_d"; else
		t_ok 1 "$_d"; sed 's/^/# /' "${TAP_TMP:-/tmp}/t_run.out"; fi
}

t_fails() {
	_d=$1; shift
	if "$@" >"${TAP_TMP:-/tmp}/t_run.out" 2>&1; then
		t_ok 1 "$_d"; sed 's/^/# /' "${TAP_TMP:-/tmp}/t_run.out"; else t_ok 0 "$_d"; fi
}

t_eq() {
	if [ "$2" = "$3" ]; then t_ok 0 "$1"; else
		t_ok 1 "$1"; echo "# expected: $2"; echo "# actual:   $3"; fi
}

t_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then t_ok 0 "$1"; else
		t_ok 1 "$1"; echo "# no match for /$2/ in:"; printf '%s\n' "$3" | sed 's/^/#   /'; fi
}

t_nomatch() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_ok 1 "$1"; echo "# /$2/ matched in:"; printf '%s\n' "$3" | sed 's/^/#   /'
	else t_ok 0 "$1"; fi
}

t_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
