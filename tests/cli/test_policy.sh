#!/bin/sh
# test_policy.sh - `midwatch policy`: the pipeline's one policy table, named
# once; doc/pipeline.md carries it verbatim (so the documentation cannot
# drift from the numbers the stages use), and the stages really use it.
. "$top_srcdir/tests/lib/tap.sh"
TAP_TMP=$(mktemp -d /tmp/mwpol.XXXXXX); export TAP_TMP
trap 'rm -rf "$TAP_TMP"' EXIT

out=$("$MIDWATCH" policy); rc=$?
t_eq "policy exits 0" "0" "$rc"
t_match "it names the detector's entry threshold with value and unit" \
    "^detect +enter_z +5 z +robust z" "$out"
t_match "... the gate's duplicate window" "^gate +duplicate +1800 s " "$out"
t_match "... the change window evidence searches" \
    "^evidence +change_window +10800 s " "$out"
t_match "... the ranking weights" "^rank +change.lead_15 +0.45 points " "$out"
t_match "... and investigate's thresholds" "^investigate +z_min +3.5 z " "$out"

"$MIDWATCH" policy --json >"$TAP_TMP/p.json"; rc=$?
t_eq "policy --json exits 0" "0" "$rc"
# as many objects as the text has rows, each with its five members
rows=$(printf '%s\n' "$out" | wc -l)
n=$(grep -o '"meaning": *"[^"]' "$TAP_TMP/p.json" | wc -l)
k=$(grep -o '"name": *"[^"]*", *"stage": *"[a-z]*", *"unit": *"[^"]*", *"value": *-\{0,1\}[0-9]' \
    "$TAP_TMP/p.json" | wc -l)
t_eq "... one object per entry, each with stage, name, value, unit, meaning" \
    "$rows $rows" "$n $k"
first=$(head -c 1 "$TAP_TMP/p.json")
t_eq "... in one JSON array" "[" "$first"
d=$(printf '%s\n' "$out" | awk '{ print $1, $2 }' | sort | uniq -d | wc -l)
t_eq "... each name once" "0" "$d"
t_ok "$([ "$rows" -gt 100 ]; echo $?)" "... all of them ($rows)"

# doc/pipeline.md holds the table between the policy markers, verbatim.
"$MIDWATCH" policy --markdown >"$TAP_TMP/p.md"
sed -n '/<!-- policy:begin -->/,/<!-- policy:end -->/p' \
    "$top_srcdir/doc/pipeline.md" | sed '1d;$d' >"$TAP_TMP/doc.md"
if cmp -s "$TAP_TMP/p.md" "$TAP_TMP/doc.md"; then
	t_ok 0 "doc/pipeline.md carries the policy table as midwatch policy prints it"
else
	t_ok 1 "doc/pipeline.md carries the policy table as midwatch policy prints it"
	diff "$TAP_TMP/p.md" "$TAP_TMP/doc.md" | head -10 | sed 's/^/# /'
fi

# No stage keeps its own copy of a number the table holds.
n=$(grep -nE '^#define +(SLACK_SECONDS|CASCADE_SECONDS|DUPLICATE_SECONDS|EXPIRE_SECONDS|MIN_QUALITY|LOOKBACK_SECONDS|NEAR_CHANGE_MIN|MAX_HYPOTHESES|PIPELINE_WATCH_QUALITY)' \
    "$top_srcdir"/src/pipeline/*.c "$top_srcdir"/src/pipeline/*.h | wc -l)
t_eq "no stage defines its own threshold beside the table" "0" "$n"
n=$(grep -nE "interval '(3 hours|30 minutes|10 min|14 minutes)'" \
    "$top_srcdir/src/pipeline/stage_evidence.c" "$top_srcdir/src/pipeline/stage_gate.c" \
    "$top_srcdir"/src/pipeline/gate_*.c \
    "$top_srcdir"/src/pipeline/stage_detect*.c \
    "$top_srcdir"/sql/queries/pipeline/*.sql | wc -l)
t_eq "the windows reach SQL as parameters, not as literals" "0" "$n"
n=$(grep -cE "term\([a-z]+, -?0\.[0-9]+" "$top_srcdir/src/pipeline/rank.c")
t_eq "every ranking weight comes from the table" "0" "$n"

out=$("$MIDWATCH" policy --bogus 2>&1); rc=$?
t_eq "an unknown option is a usage error" "2" "$rc"
t_match "... naming it" "unknown option --bogus" "$out"
out=$("$MIDWATCH" policy --help); rc=$?
t_eq "policy --help exits 0" "0" "$rc"
t_done
