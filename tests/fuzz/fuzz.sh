#!/bin/sh
# fuzz.sh - `make fuzz` (a build configured with --enable-fuzzing): runs
# each libFuzzer target tests/fuzz/fuzz_NAME for FUZZ_SECONDS seconds, one
# after the other, one process each (-jobs is never used), under ASan and
# UBSan, from a copy of its seed corpus and regressions in the build
# directory (fuzz-out/corpus/NAME, which keeps what each run finds, so the
# next run goes on from there; the source tree is never written).
#
# Prints "PASS: fuzz_NAME (...)" or "FAIL: fuzz_NAME" with the crash file
# (fuzz-out/crashes/NAME/crash-..., leak-, timeout-, oom-) and the end of
# the log, then "fuzz: N passed, N failed"; exits 1 when one failed.  A
# crash becomes a regression: copy its file to tests/fuzz/regressions/NAME/
# and fix the code (`make check` replays it from then on).
# Environment: FUZZ_SECONDS (60), FUZZ_NAMES (all), FUZZ_ARGS (more
# libFuzzer flags), top_srcdir, top_builddir.
set -u
secs=${FUZZ_SECONDS:-60}
names=${FUZZ_NAMES:-jsonl git conf duration time sanitize redact alertmanager prom am_api act}
src=${top_srcdir:-.}/tests/fuzz
bin=${top_builddir:-.}/tests/fuzz
out=${top_builddir:-.}/fuzz-out
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export UBSAN_OPTIONS
# Leaks are crashes too (leak-* files), when LeakSanitizer can run here: it
# needs ptrace, which some containers lack.  A caller's ASAN_OPTIONS wins.
if [ -z "${ASAN_OPTIONS:-}" ]; then
	ASAN_OPTIONS=detect_leaks=1
	export ASAN_OPTIONS
	case $("$bin/fuzz_time" -runs=1 </dev/null 2>&1) in
	*"LeakSanitizer has encountered a fatal error"*)
		echo "fuzz: LeakSanitizer cannot run here; leaks are not checked"
		ASAN_OPTIONS=detect_leaks=0 ;;
	esac
fi
export ASAN_OPTIONS
pass=0 fail=0
for n in $names; do
	prog=$bin/fuzz_$n
	corpus=$out/corpus/$n
	crashes=$out/crashes/$n
	log=$out/$n.log
	rm -rf "$crashes"
	mkdir -p "$corpus" "$crashes"
	for d in "$src/corpus/$n" "$src/regressions/$n"; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' \
		    -exec cp "{}" "$corpus/" \;
	done
	dict=
	case $n in jsonl|alertmanager|prom|am_api|act) dict=-dict=$src/json.dict ;; esac
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$prog" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$crashes/" $dict \
	    ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	files=$(find "$crashes" -type f ! -name 'slow-unit-*' | sort)
	if [ "$rc" -eq 0 ] && [ -z "$files" ]; then
		echo "PASS: fuzz_$n (${runs:-?} runs in ${took}s, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l))"
		pass=$((pass + 1))
	else
		echo "FAIL: fuzz_$n (exit $rc after ${took}s)"
		for f in $files; do
			echo "  crash file: $f"
			echo "  (copy it to tests/fuzz/regressions/$n/ with the fix;" \
			    "replay it with tests/fuzz/replay_$n FILE)"
		done
		grep -aE 'ERROR|fuzz invariant|runtime error|SUMMARY|Test unit written' "$log" | head -n 10 | sed 's/^/  /'
		echo "  ---- end of $log"
		tail -n 25 "$log" | sed 's/^/  /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
