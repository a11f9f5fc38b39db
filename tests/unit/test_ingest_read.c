/*
 * test_ingest_read.c - the reader thread (src/ingest/ingest_read.c) splits
 * input exactly as the one-byte-at-a-time reader it replaced: random inputs
 * of lines around the read block (256 KiB) and the line limit (1 MiB),
 * empty lines, CRs, NULs, with and without a final newline, read from a
 * file (read(2)) and from memory (fread), give the same lines - text kept,
 * bytes counted - as that reader (kept here as the reference).  The seed is
 * printed (TEST_SEED sets it).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../../src/ingest/ingest_int.h"

static unsigned long long rng_state;

/* A random number below n (xorshift64*). */
static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

/* The reference: the reader ingest.c had, getc by getc.  1 a line (*len
 * bytes kept in buf, *full read), 0 at EOF. */
static int
ref_next(FILE *f, char *buf, size_t *len, size_t *full)
{
	int c, got = 0;

	*len = *full = 0;
	while ((c = getc(f)) != EOF) {
		got = 1;
		if (c == '\n')
			break;
		(*full)++;
		if (*len >= INGEST_MAX_LINE)
			continue;
		buf[(*len)++] = (char)c;
	}
	if (!got)
		return 0;
	if (*len > 0 && *len == *full && buf[*len - 1] == '\r')
		(*len)--, (*full)--;
	return 1;
}

/* A random input of about n bytes. */
static char *
gen_input(size_t *n)
{
	static const size_t sizes[] = { 0, 1, 2, 80, 150, 262143, 262144,
		262145, 524288, 1048575, 1048576, 1048577, 1100000 };
	size_t cap = 6 * 1024 * 1024, len = 0, want, i;
	char *s = malloc(cap + 2 * 1100000);
	int lines = 1 + (int)rnd(60), l;

	for (l = 0; l < lines && len < cap; l++) {
		want = rnd(3) == 0 ? sizes[rnd(sizeof sizes / sizeof *sizes)] +
		    rnd(3) : rnd(200);
		for (i = 0; i < want; i++)
			s[len++] = rnd(50) == 0 ? '\r' : rnd(200) == 0 ? '\0' :
			    (char)('a' + rnd(26));
		if (rnd(4) == 0)
			s[len++] = '\r';
		if (l + 1 < lines || rnd(2))
			s[len++] = '\n';
	}
	*n = len;
	return s;
}

/* Reads input both ways, from a file or from memory, and compares. */
static void
compare(const char *in, size_t n, int from_file)
{
	struct ingest_reader *rd;
	struct ingest_line *line;
	char *buf = malloc(INGEST_MAX_LINE + 1), *text;
	size_t len, full;
	FILE *ref, *f;
	int a, b, k = 0;

	ref = fmemopen((void *)in, n ? n : 1, "r");
	if (n == 0)
		fgetc(ref);	/* fmemopen wants a size: read it empty */
	if (from_file) {
		f = tmpfile();
		assert_int_equal(fwrite(in, 1, n, f), n);
		fflush(f);
		rewind(f);
	} else
		f = fmemopen((void *)in, n ? n : 1, "r");
	if (!from_file && n == 0)
		fgetc(f);
	rd = ingest_reader_start(f);
	for (;;) {
		a = ref_next(ref, buf, &len, &full);
		b = ingest_reader_next(rd, &line, &text);
		if (a != b)
			print_error("line %d: reference %d, reader %d\n", k, a, b);
		assert_int_equal(a, b);
		if (a == 0)
			break;
		assert_int_equal(len, line->len);
		assert_int_equal(full, line->full);
		assert_memory_equal(buf, text, len);
		assert_int_equal(text[len], '\0');
		k++;
	}
	ingest_reader_stop(rd);
	fclose(f);
	fclose(ref);
	free(buf);
}

static void
test_read_same_lines(void **state)
{
	char *in;
	size_t n;
	int i;

	(void)state;
	compare("", 0, 1);
	compare("\n", 1, 0);
	for (i = 0; i < 12; i++) {
		in = gen_input(&n);
		compare(in, n, i % 2);
		free(in);
	}
}

/* Stopping early (the database went away) with lines still queued and the
 * thread waiting for room frees everything (ASan checks). */
static void
test_read_stop_early(void **state)
{
	struct ingest_reader *rd;
	struct ingest_line *line;
	char *in, *text;
	size_t n, i;
	FILE *f;

	(void)state;
	n = 3 * 1024 * 1024;
	in = malloc(n);
	for (i = 0; i < n; i++)
		in[i] = i % 10 == 9 ? '\n' : 'x';
	f = fmemopen(in, n, "r");
	rd = ingest_reader_start(f);
	assert_int_equal(ingest_reader_next(rd, &line, &text), 1);
	assert_string_equal(text, "xxxxxxxxx");
	ingest_reader_stop(rd);
	fclose(f);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_same_lines),
		cmocka_unit_test(test_read_stop_early),
	};
	const char *env = getenv("TEST_SEED");

	rng_state = env != NULL ? strtoull(env, NULL, 10) :
	    (unsigned long long)time(NULL);
	if (rng_state == 0)
		rng_state = 1;
	printf("# TEST_SEED=%llu\n", rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
