#!/bin/sh
# test_cli.sh - the command line's contract: --help, --version, exit codes
# (0 ok, 1 runtime error, 2 usage) and errors that name what went wrong.
. "$top_srcdir/tests/lib/tap.sh"
TAP_TMP=$(mktemp -d /tmp/mwcli.XXXXXX); export TAP_TMP
trap 'rm -rf "$TAP_TMP"' EXIT

out=$("$MIDWATCH" --help); rc=$?
t_eq "--help exits 0" "0" "$rc"
for c in demo ingest run status incidents report investigate policy ack resolve silence confirm reject dismiss done note migrate; do
	t_match "--help lists $c" "^  $c" "$out"
done
out=$("$MIDWATCH" --version); rc=$?
t_match "--version prints the version" "^midwatch [0-9]+\.[0-9]+\.[0-9]+$" "$out"
out=$("$MIDWATCH" frobnicate 2>&1); rc=$?
t_eq "an unknown command exits 2" "2" "$rc"
t_match "and names it" "unknown command: frobnicate" "$out"
out=$("$MIDWATCH" --frob 2>&1); rc=$?
t_eq "an unknown option exits 2" "2" "$rc"
t_match "and names it" "unknown option --frob" "$out"
out=$("$MIDWATCH" --db 2>&1); rc=$?
t_eq "a missing option value exits 2" "2" "$rc"
out=$("$MIDWATCH" </dev/null 2>&1 | cat); 
t_match "no command and no terminal: usage, not a hang" "not a terminal" "$out"
out=$("$MIDWATCH" --db "host=/nonexistent-dir dbname=x" migrate 2>&1); rc=$?
t_eq "an unreachable database exits 1" "1" "$rc"
t_match "and says it cannot connect" "cannot connect to PostgreSQL" "$out"
out=$("$MIDWATCH" migrate --bogus 2>&1); rc=$?
t_eq "a subcommand usage error exits 2" "2" "$rc"
t_done
