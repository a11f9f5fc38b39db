# embed.awk - compiles the statements of sql/queries/<module>/<name>.sql into
# the C table of src/db/db_queries_gen.c (make runs it; doc/architecture.md,
# "Queries").  Each file starts with a header of "--" lines: free text, one
# "-- $N what" line per parameter and one or more "-- columns: a, b, c" lines
# naming the result columns in order ("-- columns: none" when it returns no
# rows).  The header is not sent to the server; the rest is, as written.
# Files must come sorted by name (db_queries.c looks names up by bisection).
function flush() {
	if (name == "")
		return
	if (!hascols) {
		printf "%s: no \"-- columns:\" line in the header\n", file >"/dev/stderr"
		exit 1
	}
	if (nbody == 0) {
		printf "%s: no statement\n", file >"/dev/stderr"
		exit 1
	}
	while (nbody > 0 && body[nbody] ~ /^[ \t]*$/)
		nbody--
	printf "\t{ \"%s\", %d, \"%s\",\n", name, nparams, cols
	for (i = 1; i <= nbody; i++)
		printf "\t    \"%s%s\"\n", body[i], i < nbody ? "\\n" : ""
	printf "\t},\n"
	count++
}
BEGIN {
	print "/* Generated from sql/queries/ by make (sql/queries/embed.awk); do not edit. */"
	print "#include \"config.h\""
	print "#include \"midwatch/db.h\""
	print "const struct db_query_text db_query_texts[] = {"
}
FNR == 1 {
	flush()
	file = FILENAME
	name = FILENAME
	sub(/^.*sql\/queries\//, "", name)
	sub(/\.sql$/, "", name)
	inhead = 1; nparams = 0; cols = ""; hascols = 0; nbody = 0
}
inhead && /^--/ {
	if (match($0, /^--[ \t]*\$[0-9]+/)) {
		n = substr($0, 1, RLENGTH)
		sub(/^--[ \t]*\$/, "", n)
		if (n + 0 > nparams)
			nparams = n + 0
	} else if ($0 ~ /^--[ \t]*columns:/) {
		c = $0
		sub(/^--[ \t]*columns:[ \t]*/, "", c)
		gsub(/[, \t]+/, " ", c)
		sub(/ $/, "", c)
		if (c != "none")
			cols = cols == "" ? c : cols " " c
		hascols = 1
	}
	next
}
inhead && /^[ \t]*$/ { next }
{
	inhead = 0
	line = $0
	gsub(/\\/, "&&", line)	# doubles each backslash (any awk)
	gsub(/"/, "\\\"", line)
	body[++nbody] = line
}
END {
	flush()
	print "};"
	printf "const size_t db_query_ntexts = %d;\n", count
}
