#!/bin/sh
# test_tui_layers.sh - the console's files call each other one way (issue
# 14): loop -> screen -> views -> primitives.  screen.c composes a frame from
# every view, so only the loop (loop.c, tui.c) calls it; draw.c holds the
# primitives every view draws with, so it calls no view and not the screen.
. "$top_srcdir/tests/lib/tap.sh"
cd "$top_srcdir" || exit 1

# defs FILE...: the functions FILEs define for others (not static), one a line
defs() {
	awk 'FNR == 1 { prev = "" }
	     /^[a-z_][a-z0-9_]*\(/ && prev !~ /static/ { sub(/\(.*/, ""); print }
	     { prev = $0 }' "$@" | sort -u
}
# calls NAMES FILE...: the lines of FILEs calling one of NAMES
calls() {
	names=$1; shift
	[ -n "$names" ] || return 0
	pat=$(printf '%s\n' $names | paste -sd'|' -)
	grep -nE "\\b($pat)\\(" "$@" /dev/null | grep -vE ':[0-9]+:(#|[a-z_][a-z0-9_]*\()' || true
}

screen=$(defs src/tui/screen.c)
t_match "screen.c defines screen_draw" '^screen_draw$' "$screen"
views=$(ls src/tui/*.c | grep -vE '/(loop|tui|screen)\.c$')
t_eq "no view (nor draw.c) calls into screen.c" "" "$(calls "$screen" $views)"

others=$(defs $(ls src/tui/*.c | grep -vE '/(draw|text)\.c$'))
t_eq "draw.c calls no view, screen or loop function" "" \
    "$(calls "$others" src/tui/draw.c)"

# The checks do catch a call the wrong way.
T=${TAP_TMP:-$(mktemp -d)}
mkdir -p "$T/layers" && T=$T/layers
{ cat src/tui/draw.c; printf 'static void\nx(struct ui *ui)\n{\n\tscreen_draw(ui);\n\tpane_draw(ui, 0);\n}\n'; } >"$T/draw.c"
t_match "a primitive calling the screen is caught" 'screen_draw\(' "$(calls "$screen" "$T/draw.c")"
t_match "a primitive calling a view is caught" 'pane_draw\(' "$(calls "$others" "$T/draw.c")"
t_done
