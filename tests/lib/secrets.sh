# secrets.sh - the corpus of secret formats (tests/ingest/secrets/corpus.txt)
# for the tests that check no secret comes out of midwatch
# (tests/ingest/test_secrets.sh, tests/net/test_error_secrets.sh).  Source it
# after tap.sh, then:
#
#   secrets_corpus DIR   writes DIR/secrets (one bare secret a line),
#                        DIR/texts (the texts carrying them, JSON-escaped,
#                        one a line) and DIR/kinds (their formats)
#   secrets_leaks FILE   the corpus secrets FILE holds (at most 5, one a
#                        line): nothing when none
#   secrets_chunks MAX   the texts, their JSON escapes decoded, packed in
#                        files DIR/chunk.1 ... of at most MAX bytes (a longer
#                        text goes alone); prints how many
CORPUS=$top_srcdir/tests/ingest/secrets/corpus.txt

secrets_corpus() {
	SECRETS_DIR=$1
	awk -F '\t' -v S="$1/secrets" -v T="$1/texts" -v K="$1/kinds" '
		/^#/ || NF != 3 { next }
		{ i = index($3, "{}")
		  print $2 >S
		  print substr($3, 1, i - 1) $2 substr($3, i + 2) >T
		  print $1 >K }' "$CORPUS"
}

secrets_leaks() {
	grep -o -F -f "$SECRETS_DIR/secrets" "$1" | sort -u | head -n 5
}

secrets_chunks() {
	rm -f "$SECRETS_DIR"/chunk.*
	awk -v D="$SECRETS_DIR" -v MAX="$1" '
		{ gsub(/\\n/, "\n"); gsub(/\\"/, "\"")
		  if (n == 0 || length(buf) + length($0) + 3 > MAX) {
			if (n > 0) close(f)
			f = D "/chunk." ++n
			buf = ""
		  } else
			printf " | " >f
		  printf "%s", $0 >f
		  buf = buf " | " $0 }
		END { print n }' "$SECRETS_DIR/texts"
}
