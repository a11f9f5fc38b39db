#!/bin/sh
# test_layering.sh - the source tree's rules, checked by grep (STYLE.md):
# only src/db includes libpq, only src/tui includes curses, only src/net
# includes curl; no SQL text is formatted from strings (values go through
# parameters); every file says what it is for; headers are guarded.
. "$top_srcdir/tests/lib/tap.sh"
cd "$top_srcdir" || exit 1

inc() { # inc PATTERN ALLOWED_DIR: files including PATTERN outside ALLOWED_DIR
	grep -rlE "^#[[:space:]]*include[[:space:]]*[<\"]$1" src include tests --include='*.c' --include='*.h' |
	    grep -v "^$2/" || true
}
t_eq "only src/db includes libpq-fe.h" "" "$(inc 'libpq-fe\.h' src/db)"
t_eq "only src/tui includes curses" "" "$(inc '(n?curses|ncursesw/)' src/tui)"
t_eq "only src/net includes curl" "" "$(inc 'curl/' src/net)"

# SQL built with printf-style formatting: only db_listen.c's LISTEN, whose
# identifier is escaped by PQescapeIdentifier.
sqlfmt=$(grep -rnE '(asprintf|snprintf|buf_printf)\(.*"[^"]*\b(SELECT|INSERT|UPDATE|DELETE|WHERE|LISTEN|CREATE|DROP|ALTER)\b[^"]*%' src |
    grep -v '^src/db/db_listen.c:.*LISTEN %s' || true)
t_eq "no SQL text is formatted from strings" "" "$sqlfmt"

nohead=""
for f in $(find src include -name '*.c' -o -name '*.h' | sort); do
	case $f in src/tui/keys_default.c) continue ;; esac
	head -n 1 "$f" | grep -q '^/\*' || nohead="$nohead $f"
done
t_eq "every source file starts with a comment saying what it is for" "" "$nohead"

noguard=""
for f in include/midwatch/*.h; do
	g=$(echo "MIDWATCH_$(basename "$f" .h)_H" | tr 'a-z' 'A-Z')
	grep -q "#ifndef $g" "$f" || noguard="$noguard $f"
done
t_eq "every public header is guarded MIDWATCH_<NAME>_H" "" "$noguard"

nocfg=""
for f in $(find src -name '*.c' | sort); do
	case $f in src/tui/keys_default.c) continue ;; esac
	first=$(grep -m 1 '^#include' "$f")
	case $first in *'"config.h"'*) ;; *) nocfg="$nocfg $f" ;; esac
done
t_eq "config.h is the first include of every .c" "" "$nocfg"
t_done
