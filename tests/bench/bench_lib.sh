# tests/bench/bench_lib.sh - what the parts of `make bench` share (sourced
# by bench.sh): a clock, peak RSS, min/median of several runs, and the
# results file every part appends its rows to (bench_row), from which
# bench.sh prints the table and writes results.json.
#
#   bench_now                   seconds since the epoch, to the nanosecond
#   bench_since T0              seconds since T0, 6 decimals
#   bench_rss FILE CMD...       runs CMD (output to $W/out); peak RSS in KiB
#                               to FILE ("n/a" without /usr/bin/time)
#   bench_stats VALUES...       "MIN MEDIAN" of the numbers (n/a when none)
#   bench_pct P FILE            the P-th percentile (nearest rank) of the
#                               numbers in FILE, one a line
#   bench_row KEY LABEL UNIT RUNS "MIN MEDIAN" [VS] [GOAL]
#                               one row: VS is the median's ratio to its
#                               reference ("-" when none), GOAL what the
#                               issue asks of it (text)
#   bench_note TEXT             a line printed under the table

bench_now() {
	date +%s.%N
}

bench_since() {
	echo "$(bench_now) $1" | awk '{ printf "%.6f\n", $1 - $2 }'
}

bench_rss() {
	_f=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$_f" "$@" >"$W/out" 2>&1
		_rc=$?
		# time writes "Command exited with non-zero status N" first
		tail -n 1 "$_f" >"$_f.tmp" && mv "$_f.tmp" "$_f"
		return $_rc
	fi
	"$@" >"$W/out" 2>&1
	_rc=$?
	echo n/a >"$_f"
	return $_rc
}

bench_stats() {
	printf '%s\n' "$@" | awk '/^-?[0-9.]+(e[-+]?[0-9]+)?$/ { print }' |
	    sort -g | awk '{ v[NR] = $1 }
	    END {
		if (NR == 0) { print "n/a n/a"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6g %.6g\n", v[1], m
	    }'
}

bench_pct() {
	sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 }
	    END {
		if (NR == 0) { print "n/a"; exit }
		k = int(p / 100 * NR); if (k < p / 100 * NR) k++
		if (k < 1) k = 1
		printf "%.6g\n", v[k]
	    }'
}

# The median of a row's "MIN MEDIAN" pair.
bench_median_of() {
	echo "$1" | awk '{ print $2 }'
}

# The ratio a / b to 2 decimals, or "-" when either is not a number.
bench_ratio() {
	echo "$1 $2" | awk '$1 ~ /^[0-9.e+-]+$/ && $2 ~ /^[0-9.e+-]+$/ && $2 > 0 {
	    printf "%.2f\n", $1 / $2; ok = 1 } END { if (!ok) print "-" }'
}

bench_row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
	    "$(echo "$5" | awk '{ print $1 }')" "$(echo "$5" | awk '{ print $2 }')" \
	    "${6:--}" "${7:--}" >>"$BENCH_ROWS"
}

bench_note() {
	printf '%s\n' "$*" >>"$BENCH_NOTES"
}

# bench_log TEXT: progress on stderr (the table is on stdout).
bench_log() {
	printf 'bench: %s\n' "$*" >&2
}
