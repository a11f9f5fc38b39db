#!/bin/sh
# test_confidence.sh - one way to round a confidence (issue 12): what the
# CLI and the console print for a hypothesis's confidence (units_confidence)
# is what the database prints in the evidence gate's reason
# (to_char(confidence, 'FM0.00') in midwatch.apply_recommendation_gate),
# for the halves where rounding methods part (0.125, 0.675, 0.005, ...)
# and for random values (seed printed).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwconf
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture conf >/dev/null || { echo "Bail out! fixture failed"; exit 1; }
q() { pgtest_psql -c "$1"; }

# Hypothesis 1301 gets a supporting evidence item, so below the floor its
# recommendation 1401 is blocked for its confidence alone.
q "insert into midwatch.hypothesis_evidence (project_id, run_id, hypothesis_id, evidence_id, role, weight)
  select project_id, 1000, 1301, 1201, 'supports', 1 from midwatch.hypotheses where id = 1301" >/dev/null

seed=$(awk 'BEGIN { srand(); print int(rand() * 1000000) }')
echo "# seed $seed"
values="0.125 0.675 0.005 0.015 0.145 0.195 0.185 0.035 0.285 0.625 0.875 0.0049 0.0051
$(awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 30; i++) {
	printf "%.3f\n", rand() * 0.2; printf "%.*f\n", 2 + int(rand() * 5), rand() } }')"

bad=""
n=0
gated=0
for v in $values; do
	q "update midwatch.hypotheses set confidence = $v where id = 1301" >/dev/null
	q "select midwatch.apply_recommendation_gate(id, array[1401]::bigint[]) from midwatch.projects where slug = 'conf'" >/dev/null
	want=$(q "select to_char(confidence, 'FM0.00') from midwatch.hypotheses where id = 1301")
	reason=$(q "select coalesce(gate_reason, '') from midwatch.recommendations where id = 1401")
	case $reason in
	"confidence "*)
		gated=$((gated + 1))
		want=$(printf '%s\n' "$reason" | sed -n 's/^confidence \([0-9.]*\) below.*/\1/p') ;;
	esac
	got=$("$MIDWATCH" --project conf incidents 2>&1 |
	    sed -n 's/^ *[0-9]*\. [a-z]* *\([0-9.-]*\)  .*\[hypothesis 1301.*/\1/p')
	n=$((n + 1))
	[ "$got" = "$want" ] || bad="$bad $v:cli=$got,db=$want"
done
t_eq "the CLI prints every confidence as the database does ($n values)" "" "$bad"
t_ok "$([ "$gated" -ge 10 ]; echo $?)" "the gate's reason gave the number for $gated of them"

# The fixed halves, one by one, against what the gate wrote.
for v in 0.125 0.675 0.005; do
	q "update midwatch.hypotheses set confidence = $v where id = 1301" >/dev/null
	q "select midwatch.apply_recommendation_gate(id, array[1401]::bigint[]) from midwatch.projects where slug = 'conf'" >/dev/null
	db=$(q "select to_char(confidence, 'FM0.00') from midwatch.hypotheses where id = 1301")
	got=$("$MIDWATCH" --project conf incidents 2>&1 |
	    sed -n 's/^ *[0-9]*\. [a-z]* *\([0-9.-]*\)  .*\[hypothesis 1301.*/\1/p')
	t_eq "confidence $v: the CLI and the database both print $db" "$db" "$got"
done
t_done
