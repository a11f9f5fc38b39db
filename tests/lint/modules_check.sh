#!/bin/sh
# modules_check.sh DOC ROOT - checks ROOT's sources against the module map of
# DOC (the table between <!-- modules:begin --> and <!-- modules:end --> of
# doc/architecture.md).  Prints one line per violation, nothing when the
# tree follows the map; exits 1 when it printed anything, 2 when DOC has no
# map.  Used by test_modules.sh on the real tree and on broken fixtures.
doc=$1 root=$2
[ -f "$doc" ] && [ -d "$root/src" ] || { echo "usage: modules_check.sh DOC ROOT" >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# The map as "module<TAB>path<TAB>headers<TAB>deps", one row a line.
awk -F'|' '
	/<!-- modules:begin -->/ { on = 1; next }
	/<!-- modules:end -->/ { on = 0 }
	!on || $2 !~ /`src\// { next }
	{
		path = $2; gsub(/[` ]/, "", path)
		mod = path; sub(/^src\//, "", mod); sub(/\/$/, "", mod); sub(/\.c$/, "", mod)
		h = $4; gsub(/`/, " ", h); gsub(/  +/, " ", h); gsub(/^ | $/, "", h)
		d = $5; gsub(/`/, " ", d); gsub(/  +/, " ", d); gsub(/^ | $/, "", d)
		printf "%s\t%s\t%s\t%s\n", mod, path, h, d
	}' "$doc" >"$tmp/map"
[ -s "$tmp/map" ] || { echo "$doc: no module map between <!-- modules:begin --> and <!-- modules:end -->"; exit 2; }

cd "$root" || exit 2
# every public include of every source file: "file<TAB>header"
find src -name '*.c' -o -name '*.h' | sort | while read -r f; do
	sed -n 's/^#[[:space:]]*include[[:space:]]*"midwatch\/\([^"]*\)".*/\1/p' "$f" |
	    while read -r h; do printf '%s\t%s\n' "$f" "$h"; done
done >"$tmp/incs"
ls include/midwatch | sort >"$tmp/headers"
{ find src -mindepth 1 -maxdepth 1 -type d | sed 's|$|/|'; find src -maxdepth 1 -name '*.c'; } |
    sort >"$tmp/dirs"

awk -F'\t' -v map="$tmp/map" -v headers="$tmp/headers" -v dirs="$tmp/dirs" '
	BEGIN {
		while ((getline line < map) > 0) {
			split(line, c, "\t")
			mod = c[1]; rowpath[mod] = c[2]; haverow[c[2]] = 1
			n = split(c[3], hs, " ")
			for (i = 1; i <= n; i++) {
				if (hs[i] in owner)
					print "include/midwatch/" hs[i] ": owned by both " owner[hs[i]] " and " mod
				owner[hs[i]] = mod
			}
			n = split(c[4], ds, " ")
			for (i = 1; i <= n; i++) allow[mod, ds[i]] = 1
		}
		while ((getline h < headers) > 0) {
			present[h] = 1
			if (!(h in owner))
				print "include/midwatch/" h ": no module owns it"
		}
		for (h in owner)
			if (!(h in present))
				print "include/midwatch/" h ": in the map, not in include/midwatch"
		while ((getline d < dirs) > 0) {
			present_dir[d] = 1
			if (!(d in haverow))
				print d ": no row in the module map"
		}
		for (p in haverow)
			if (!(p in present_dir))
				print p ": in the map, not in src"
	}
	{
		f = $1; h = $2
		mod = f; sub(/^src\//, "", mod); sub(/\/.*/, "", mod); sub(/\.c$/, "", mod)
		if (!(h in owner)) { print f ": includes midwatch/" h ", which no module owns"; next }
		o = owner[h]
		if (o != mod && !((mod, o) in allow))
			print f ": includes midwatch/" h " (" o "), which " mod " may not include"
		used[mod, o] = 1
	}
	END {	# the map is the code as it is: no arrow nothing uses
		for (k in allow) {
			split(k, mo, SUBSEP)
			if (!(k in used))
				print rowpath[mo[1]] ": may include " mo[2] " but includes none of its headers"
		}
	}' "$tmp/incs" | sort >"$tmp/out"

# the arrows make no circle: tsort reports a loop on stderr
awk -F'\t' '{ n = split($4, d, " "); print $1, $1; for (i = 1; i <= n; i++) print $1, d[i] }' \
    "$tmp/map" | tsort >/dev/null 2>"$tmp/loop"
if [ -s "$tmp/loop" ]; then
	echo "the may-include arrows make a circle:" \
	    "$(awk '/loop/ { if (n++) exit; next } { sub(/^tsort: */, ""); printf "%s ", $0 }' "$tmp/loop")" >>"$tmp/out"
fi
cat "$tmp/out"
[ ! -s "$tmp/out" ]
