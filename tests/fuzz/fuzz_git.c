/*
 * fuzz_git.c - fuzz target: `git log --numstat` output, as ingest_git reads
 * it from git (records started by an RS byte, NUL-ended fields, numstat
 * lines), through ingest_git_record (src/ingest/ingest_git.c) and the
 * validation of the `commit` kind.
 *
 * Invariants: a record with its four fields becomes a `commit` object
 * whose strings are valid UTF-8, with one file for every numstat line that
 * names a path, counts never negative; validated, it is a commit record or
 * a refusal with a one-line UTF-8 reason.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/ingest.h"

#define RS 0x1e

/* Numstat lines of the record that name a path: "A<TAB>R<TAB>PATH". */
static size_t
count_files(const char *rec, size_t len)
{
	const char *p = rec, *end = rec + len, *eol, *t1, *t2;
	size_t nul = 0, n = 0;

	for (; nul < 4 && p < end; p++)
		nul += *p == '\0';
	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		t1 = memchr(p, '\t', (size_t)(eol - p));
		t2 = t1 != NULL ? memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1)) : NULL;
		n += t2 != NULL && t2 + 1 < eol;
	}
	return n;
}

static void
check_record(const char *rec, size_t len)
{
	struct ingest_rec r;
	json_t *obj, *files, *f;
	char *cause = NULL;
	size_t i;

	obj = ingest_git_record(rec, len, "repo");
	if (obj == NULL)
		return;
	fuzz_check_json(obj);
	files = json_object_get(obj, "files");
	FUZZ_CHECK(json_is_array(files), "a commit has its files");
	FUZZ_CHECK(json_array_size(files) == count_files(rec, len),
	    "every numstat line with a path is a file");
	json_array_foreach(files, i, f) {
		FUZZ_CHECK(json_integer_value(json_object_get(f, "lines_added")) >= 0 &&
		    json_integer_value(json_object_get(f, "lines_removed")) >= 0,
		    "line counts are not negative");
	}
	if (ingest_kinds_parse_object(obj, &r, &cause) == 0) {
		FUZZ_CHECK(r.kind == INGEST_KIND_COMMIT, "a commit is a commit");
		fuzz_check_json(r.row);
		ingest_kinds_clear(&r);
	} else {
		fuzz_check_cause(cause);
		free(cause);
	}
	json_decref(obj);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *next;

	/* as ingest_git: anything before the first RS is ignored */
	p = memchr(p, RS, size);
	while (p != NULL) {
		p++;
		next = memchr(p, RS, (size_t)(end - p));
		check_record(p, (size_t)((next != NULL ? next : end) - p));
		p = next;
	}
	return 0;
}
