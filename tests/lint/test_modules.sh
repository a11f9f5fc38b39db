#!/bin/sh
# test_modules.sh - the module map of doc/architecture.md is the rule: every
# #include "midwatch/..." in src/ follows it (modules_check.sh), and the
# checker fails on maps the tree breaks - an arrow taken away (random ones
# each run), a circle, a header or a directory nobody owns, an unused arrow.
. "$top_srcdir/tests/lib/tap.sh"
cd "$top_srcdir" || exit 1
chk=tests/lint/modules_check.sh
doc=doc/architecture.md
T=${TAP_TMP:-$(mktemp -d)}
mkdir -p "$T/mod" && T=$T/mod

out=$(sh "$chk" "$doc" . 2>&1); rc=$?
t_eq "the sources follow doc/architecture.md's module map" "0:" "$rc:$out"

# the map's rows as "module dep" arrows
arrows=$(awk -F'|' '/<!-- modules:begin -->/ { on = 1; next } /<!-- modules:end -->/ { on = 0 }
	on && $2 ~ /`src\// { p = $2; gsub(/[` ]/, "", p); m = p; sub(/^src\//, "", m); sub(/\/$/, "", m); sub(/\.c$/, "", m)
	n = split($5, d, "`"); for (i = 2; i <= n; i += 2) print m, d[i] }' "$doc")
t_match "the map has arrows (tui -> worker)" '^tui worker$' "$arrows"

# Take away random arrows, one at a time: each must be reported as the
# includes it forbids now (every arrow is used, so each removal breaks).
seed=${MODULES_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# seed $seed"
picked=$(printf '%s\n' "$arrows" | awk -v s="$seed" 'BEGIN { srand(s) } { print rand(), $0 }' |
    sort -n | head -n 6 | cut -d' ' -f2-)
printf '%s\n' "$picked" | while read -r m d; do
	awk -v m="$m" -v d="$d" -F'|' 'BEGIN { OFS = "|" }
		$2 ~ /`src\// { p = $2; gsub(/[` ]/, "", p); sub(/^src\//, "", p); sub(/\/$/, "", p); sub(/\.c$/, "", p)
		if (p == m) sub("`" d "` ?", "", $5) } { print }' "$doc" >"$T/doc.md"
	out=$(sh "$chk" "$T/doc.md" . 2>&1); rc=$?
	printf '%s\n' "$out" >"$T/out"
	t_eq "without the arrow $m -> $d the checker fails" "1" "$rc"
	t_match "... naming a file of $m that includes a header of $d" \
	    "^src/$m(/[^:]*)?(\\.c)?: includes midwatch/[^ ]* \\($d\\), which $m may not include" "$out"
done >"$T/tap"
# the subshell's results, renumbered into this test's plan
while read -r line; do
	case $line in
	"ok "*) t_ok 0 "${line#ok [0-9]* - }" ;;
	"not ok "*) t_ok 1 "${line#not ok [0-9]* - }" ;;
	*) echo "$line" ;;
	esac
done <"$T/tap"

# a circle: core may include tui
sed '/^| `src\/core\/`/s/| | libc/| `tui` | libc/' "$doc" >"$T/doc.md"
out=$(sh "$chk" "$T/doc.md" . 2>&1)
t_match "an arrow up the table is reported as a circle" 'make a circle: .*core.*tui' "$out"
t_match "... and as unused" '^src/core/: may include tui but includes none of its headers' "$out"

# a header and a directory nobody owns: a fixture tree
mkdir -p "$T/tree/include/midwatch" "$T/tree/src/a" "$T/tree/src/b" "$T/tree/src/c"
printf '/* a.h */\n' >"$T/tree/include/midwatch/a.h"
printf '/* b.h */\n' >"$T/tree/include/midwatch/b.h"
printf '/* orphan.h */\n' >"$T/tree/include/midwatch/orphan.h"
printf '#include "config.h"\n#include "midwatch/a.h"\n' >"$T/tree/src/a/a.c"
printf '#include "config.h"\n#include "midwatch/b.h"\n#include "midwatch/a.h"\n' >"$T/tree/src/b/b.c"
printf '#include "config.h"\n#include "midwatch/b.h"\n' >"$T/tree/src/a/bad.c"
printf '#include "midwatch/orphan.h"\n' >"$T/tree/src/c/c.c"
cat >"$T/tree/map.md" <<'MAP'
<!-- modules:begin -->
| module | what | headers | may include | libraries |
| --- | --- | --- | --- | --- |
| `src/a/` | a | `a.h` | | |
| `src/b/` | b | `b.h` | `a` | |
<!-- modules:end -->
MAP
out=$(sh "$chk" "$T/tree/map.md" "$T/tree" 2>&1); rc=$?
t_eq "the fixture tree fails the check" "1" "$rc"
t_match "a lower module including a higher one is reported" \
    '^src/a/bad.c: includes midwatch/b.h \(b\), which a may not include$' "$out"
t_match "a header no row owns is reported" '^include/midwatch/orphan.h: no module owns it$' "$out"
t_match "a directory with no row is reported" '^src/c/: no row in the module map$' "$out"
t_nomatch "an allowed include is not reported" '^src/b/b.c' "$out"
printf 'no map here\n' >"$T/tree/none.md"
sh "$chk" "$T/tree/none.md" "$T/tree" >/dev/null 2>&1
t_eq "a document without the map is an error, not a pass" "2" "$?"
t_done
