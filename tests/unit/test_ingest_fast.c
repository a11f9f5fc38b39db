/*
 * test_ingest_fast.c - the metric fast path (src/ingest/ingest_fast.c)
 * against the full jansson parser: random metric lines, valid and broken
 * (fields in any order, blanks, escapes, UTF-8, labels, unknown and
 * duplicate fields, numbers of every form, timestamps in and out of range,
 * secret-shaped names, then random byte edits), each validated both ways;
 * the outcomes must be identical: the same reason, or the same record with
 * the same stored values bit for bit (names, secret-shaped ones too, repeat,
 * so the redaction cache is exercised).  The seed is printed (TEST_SEED sets
 * it).
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

#include "midwatch/buf.h"
#include "midwatch/ingest.h"

#define LINES 60000

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

/* Random blanks (mostly none). */
static void
gen_blank(struct buf *b)
{
	static const char *const blanks[] = { " ", "\t", "  ", " \t", "\r",
		"\n", "\f", "\v" };

	if (rnd(4) == 0)
		buf_adds(b, blanks[rnd(rnd(8) == 0 ? 8 : 4)]);
}

/* A random name: plain, or with the characters the fast path leaves to
 * jansson, or secret-shaped. */
static void
gen_name(struct buf *b)
{
	static const char *const special[] = { "", "api", "svc-001", "a\\\"b",
		"caf\xc3\xa9", "x\\u00e9y", "tab\\tname", "password=hunter22",
		"ghp_abcdefghijklmnopqrstuvwxyz0123456789", "AKIAIOSFODNN7EXAMPLE",
		"\x7f", "back\\\\slash", "sp ace", "<html>", "a,b=c" };
	unsigned n, i;

	buf_addc(b, '"');
	if (rnd(4) == 0)
		buf_adds(b, special[rnd(sizeof special / sizeof *special)]);
	else {
		n = rnd(4) == 0 ? rnd(300) : 1 + rnd(20);
		for (i = 0; i < n; i++) {
			char ch = (char)(0x20 + rnd(0x5f));

			buf_addc(b, ch == '"' ? 'q' : ch);
		}
	}
	buf_addc(b, '"');
}

/* A random timestamp string (sometimes not a string at all). */
static void
gen_ts(struct buf *b)
{
	static const char *const odd[] = { "\"\"", "null", "1700000000",
		"\"2026-13-01T00:00:00Z\"", "\"1899-12-31T23:59:59Z\"",
		"\"9999-12-31T23:59:59Z\"", "\"2026-11-16\"", "\"now\"",
		"\"2026-11-16T13:00:00\"", "\"2026-11-16 13:00:00Z\"",
		"\"1900-01-01T00:00:00Z\"", "\"2026-02-29T00:00:00Z\"" };

	if (rnd(8) == 0) {
		buf_adds(b, odd[rnd(sizeof odd / sizeof *odd)]);
		return;
	}
	buf_printf(b, "\"%04u-%02u-%02uT%02u:%02u:%02u", 1970 + rnd(80),
	    1 + rnd(12), 1 + rnd(28), rnd(24), rnd(60), rnd(61));
	switch (rnd(5)) {
	case 0:
		buf_printf(b, ".%0*u", 1 + (int)rnd(9), rnd(1000000));
		break;
	case 1:
		buf_printf(b, "%c%02u:%02u", rnd(2) ? '+' : '-', rnd(15),
		    rnd(60));
		buf_addc(b, '"');
		return;
	default:
		break;
	}
	buf_adds(b, rnd(10) == 0 ? "z\"" : "Z\"");
}

/* A random JSON value for "value": numbers of every form, and others. */
static void
gen_value(struct buf *b)
{
	static const char *const odd[] = { "-0", "0", "-0.0", "0.0", "01",
		"1.", ".5", "-", "1e5", "1E-3", "2.5e+10", "1e400", "-1e400",
		"9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809",
		"123456789012345678901234567890", "0.1000000000000000055511151231",
		"null", "true", "\"5\"", "[]", "{}", "NaN", "Infinity", "0x10",
		"+1", "1.5.5", "4.9406564584124654e-324", "1.7976931348623157",
		"17976931348623157000000000000000.0" };
	unsigned i, n;

	switch (rnd(6)) {
	case 0:
		buf_adds(b, odd[rnd(sizeof odd / sizeof *odd)]);
		break;
	case 1:
		buf_printf(b, "%s%u", rnd(2) ? "-" : "", rnd(1000000));
		break;
	case 2:
		/* long integers around the 64-bit limit */
		n = 1 + rnd(21);
		buf_adds(b, rnd(3) == 0 ? "-" : "");
		buf_addc(b, (char)('1' + rnd(9)));
		for (i = 1; i < n; i++)
			buf_addc(b, (char)('0' + rnd(10)));
		break;
	default:
		buf_printf(b, "%s%u.", rnd(3) == 0 ? "-" : "", rnd(100000));
		n = 1 + rnd(25);
		for (i = 0; i < n; i++)
			buf_addc(b, (char)('0' + rnd(10)));
		break;
	}
}

/* One random metric line (before byte edits). */
static void
gen_line(struct buf *b)
{
	static const char *const keys[] = { "kind", "ts", "service", "metric",
		"value" };
	unsigned order[5] = { 0, 1, 2, 3, 4 }, i, j, t, nf = 5;
	int extra = rnd(6) == 0, dup = rnd(20) == 0, drop = rnd(20) == 0;

	for (i = 4; i > 0; i--) {
		j = rnd(i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	if (drop)
		nf = 4;
	gen_blank(b);
	buf_addc(b, '{');
	for (i = 0; i < nf; i++) {
		gen_blank(b);
		buf_printf(b, "\"%s\"", keys[order[i]]);
		gen_blank(b);
		buf_addc(b, ':');
		gen_blank(b);
		switch (order[i]) {
		case 0:
			buf_adds(b, rnd(30) == 0 ? "\"deploy\"" : rnd(30) == 0 ?
			    "\"metr\\u0069c\"" : rnd(40) == 0 ? "7" : "\"metric\"");
			break;
		case 1:
			gen_ts(b);
			break;
		case 4:
			gen_value(b);
			break;
		default:
			gen_name(b);
			break;
		}
		gen_blank(b);
		if (i + 1 < nf)
			buf_addc(b, ',');
	}
	if (extra)
		buf_adds(b, rnd(2) ? ",\"labels\":{\"zone\":\"a\",\"n\":1}" :
		    rnd(2) ? ",\"host\":\"h1\"" : ",\"labels\":{}");
	if (dup)
		buf_adds(b, ",\"value\":2");
	gen_blank(b);
	buf_addc(b, '}');
	gen_blank(b);
	if (rnd(40) == 0)
		buf_adds(b, rnd(2) ? "x" : "{}");
}

/* Random byte edits: a broken line (sometimes). */
static void
gen_edit(struct buf *b, char **out, size_t *len)
{
	char *s = malloc(b->len + 1);
	size_t n = b->len, at;
	unsigned edits = rnd(3) == 0 ? 1 + rnd(3) : 0, e;

	memcpy(s, b->s, b->len);

	for (e = 0; e < edits && n > 0; e++) {
		at = rnd((unsigned)n);
		switch (rnd(4)) {
		case 0:		/* delete */
			memmove(s + at, s + at + 1, n - at - 1);
			n--;
			break;
		case 1:		/* replace */
			s[at] = (char)rnd(256);
			break;
		case 2:		/* truncate */
			n = at;
			break;
		default:	/* a structural character */
			s[at] = "{}[]:,\"\\0 "[rnd(10)];
			break;
		}
	}
	*out = s;
	*len = n;
}

/* Asserts the two outcomes are the same. */
static void
same_outcome(const char *line, size_t len, int rc1, struct ingest_rec *a,
    char *why1, int rc2, struct ingest_rec *b, char *why2)
{
	if (rc1 != rc2 || (rc1 != 0 && strcmp(why1, why2) != 0))
		print_error("line %.*s: jansson %d (%s), fast %d (%s)\n",
		    (int)len, line, rc1, why1 ? why1 : "", rc2, why2 ? why2 : "");
	assert_int_equal(rc1, rc2);
	if (rc1 != 0) {
		assert_string_equal(why1, why2);
		return;
	}
	assert_int_equal(a->kind, b->kind);
	if (a->kind != INGEST_KIND_METRIC)
		return;
	assert_string_equal(a->m_service, b->m_service);
	assert_string_equal(a->m_metric, b->m_metric);
	assert_memory_equal(&a->m_ts, &b->m_ts, sizeof a->m_ts);
	if (memcmp(&a->m_value, &b->m_value, sizeof a->m_value) != 0)
		print_error("line %.*s: value %.17g vs %.17g\n", (int)len, line,
		    a->m_value, b->m_value);
	assert_memory_equal(&a->m_value, &b->m_value, sizeof a->m_value);
	assert_string_equal(a->m_labels_key, b->m_labels_key);
	if (a->m_labels == NULL)
		assert_null(b->m_labels);
	else
		assert_string_equal(a->m_labels, b->m_labels);
	assert_int_equal(a->redacted, b->redacted);
}

/* The property: random lines, both paths, the same outcome; and the fast
 * path takes a good share of them. */
static void
test_fast_same_as_full(void **state)
{
	struct ingest_fast_cache *fc = ingest_fast_cache_new();
	struct ingest_rec a, b;
	struct buf gen;
	char *line, *copy, *why1, *why2;
	size_t len;
	int i, rc1, rc2, fast, taken = 0, accepted = 0;

	(void)state;
	buf_init(&gen);
	for (i = 0; i < LINES; i++) {
		buf_reset(&gen);
		gen_line(&gen);
		gen_edit(&gen, &line, &len);
		copy = malloc(len + 1);
		memcpy(copy, line, len);
		copy[len] = '\0';
		why1 = why2 = NULL;
		rc1 = ingest_kinds_parse_line(line, len, &a, &why1);
		rc2 = ingest_kinds_parse_fast(copy, len, &b, &why2, &fast, fc);
		same_outcome(line, len, rc1, &a, why1, rc2, &b, why2);
		taken += fast;
		accepted += rc1 == 0;
		if (rc1 == 0)
			ingest_kinds_clear(&a);
		if (rc2 == 0)
			ingest_kinds_clear(&b);
		free(why1);
		free(why2);
		free(line);
		free(copy);
	}
	buf_free(&gen);
	ingest_fast_cache_free(fc);
	print_message("# %d lines: %d accepted, %d by the fast path\n", LINES,
	    accepted, taken);
	/* the generator makes about a third plain lines */
	assert_true(taken > LINES / 10);
	assert_true(accepted > taken);
}

/* Hand-picked edges next to the random ones: what the fast path takes and
 * what it must leave to jansson. */
static void
test_fast_edges(void **state)
{
	static const struct {
		const char *line;
		int fast;
	} cases[] = {
		{ "{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\","
		    "\"service\":\"api\",\"metric\":\"m\",\"value\":-0}", 1 },
		{ " {\"value\":1.5,\"metric\":\"m\",\"service\":\"api\","
		    "\"ts\":\"2026-11-16T13:00:00.5Z\",\"kind\":\"metric\"}\t", 1 },
		{ "{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\","
		    "\"service\":\"api\",\"metric\":\"m\",\"value\":1e3}", 0 },
		{ "{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\","
		    "\"service\":\"a\\u0070i\",\"metric\":\"m\",\"value\":1}", 0 },
		{ "{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\","
		    "\"service\":\"api\",\"metric\":\"m\",\"value\":1,"
		    "\"labels\":{\"a\":\"b\"}}", 0 },
		{ "{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\","
		    "\"service\":\"\",\"metric\":\"m\",\"value\":1}", 0 },
		{ "{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\","
		    "\"service\":\"api\",\"metric\":\"m\",\"value\":"
		    "99999999999999999999}", 0 },
	};
	struct ingest_rec a, b;
	char *why1, *why2, *copy;
	size_t i, len;
	int rc1, rc2, fast;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		len = strlen(cases[i].line);
		copy = strdup(cases[i].line);
		why1 = why2 = NULL;
		rc1 = ingest_kinds_parse_line(cases[i].line, len, &a, &why1);
		rc2 = ingest_kinds_parse_fast(copy, len, &b, &why2, &fast, NULL);
		assert_int_equal(fast, cases[i].fast);
		same_outcome(cases[i].line, len, rc1, &a, why1, rc2, &b, why2);
		if (rc1 == 0)
			ingest_kinds_clear(&a);
		if (rc2 == 0)
			ingest_kinds_clear(&b);
		free(why1);
		free(why2);
		free(copy);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_same_as_full),
		cmocka_unit_test(test_fast_edges),
	};
	const char *env = getenv("TEST_SEED");

	rng_state = env != NULL ? strtoull(env, NULL, 10) :
	    (unsigned long long)time(NULL);
	if (rng_state == 0)
		rng_state = 1;
	printf("# TEST_SEED=%llu\n", rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
