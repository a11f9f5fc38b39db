/*
 * test_core.c - unit tests for core/: text sanitising, RFC 3339 time
 * parsing and formatting, the string buffer.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/buf.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"

/* Sanitises and compares. */
static void
expect_clean(const char *in, int nl, const char *want)
{
	char *out = sanitize_text(in, nl);

	assert_string_equal(out, want);
	free(out);
}

static void
test_sanitize_escapes(void **state)
{
	(void)state;
	expect_clean("plain text", 0, "plain text");
	expect_clean("\x1b[31mred\x1b[0m", 0, "red");
	expect_clean("title\x1b]0;pwned\x07 after", 0, "title after");
	expect_clean("osc\x1b]52;c;ZXZpbA==\x1b\\ end", 0, "osc end");
	expect_clean("a\x1b" "cb", 0, "ab");			/* RIS */
	expect_clean("bell\x07 bs\x08 del\x7f", 0, "bell? bs? del?");
	expect_clean("tab\tnew\nline\r", 0, "tab new line ");
	expect_clean("keep\nlines", 1, "keep\nlines");
	expect_clean("csi\x1b[", 0, "csi");		/* truncated sequence */
	expect_clean(NULL, 0, "");
}

static void
test_sanitize_utf8(void **state)
{
	(void)state;
	expect_clean("caf\xc3\xa9 \xe2\x96\x88", 0, "caf\xc3\xa9 \xe2\x96\x88");
	expect_clean("bad \xff\xfe byte", 0, "bad ?? byte");
	expect_clean("c1 \xc2\x9b" "31m", 0, "c1 ?" "?31m");	/* UTF-8 CSI */
	expect_clean("overlong \xc0\xaf", 0, "overlong ??");
	expect_clean("cut \xe2\x96", 0, "cut ??");
}

static void
test_time_parse(void **state)
{
	double t;

	(void)state;
	assert_int_equal(timefmt_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_true(t == 0);
	assert_int_equal(timefmt_parse("2026-11-16T13:05:00Z", &t), 0);
	assert_true(t == 1794834300.0);
	assert_int_equal(timefmt_parse("2026-11-16T15:05:00+02:00", &t), 0);
	assert_true(t == 1794834300.0);
	assert_int_equal(timefmt_parse("2026-11-16 13:05:00.5+00", &t), 0);
	assert_true(t == 1794834300.5);
	assert_int_equal(timefmt_parse("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(timefmt_parse("2026-02-29T00:00:00Z", &t), -1);
	assert_int_equal(timefmt_parse("2026-13-01T00:00:00Z", &t), -1);
	assert_int_equal(timefmt_parse("2026-11-16T13:05:00", &t), -1);
	assert_int_equal(timefmt_parse("yesterday", &t), -1);
	assert_int_equal(timefmt_parse("2026-11-16T13:05:00Zjunk", &t), -1);
	assert_int_equal(timefmt_parse(NULL, &t), -1);
}

static void
test_time_format(void **state)
{
	char out[32];

	(void)state;
	timefmt_format(1794834300.0, out, sizeof out);
	assert_string_equal(out, "2026-11-16T13:05:00Z");
	timefmt_age(42, out, sizeof out);
	assert_string_equal(out, "42s");
	timefmt_age(600, out, sizeof out);
	assert_string_equal(out, "10m");
	timefmt_age(3 * 3600 + 300, out, sizeof out);
	assert_string_equal(out, "3h05m");
	timefmt_age(2 * 86400 + 4 * 3600, out, sizeof out);
	assert_string_equal(out, "2d04h");
}

static void
test_buf(void **state)
{
	struct buf b;
	char *s;
	int i;

	(void)state;
	buf_init(&b);
	assert_string_equal(buf_str(&b), "");
	for (i = 0; i < 100; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.s));
	assert_non_null(strstr(b.s, "99,"));
	buf_reset(&b);
	buf_adds(&b, "x");
	buf_addc(&b, 'y');
	s = buf_steal(&b);
	assert_string_equal(s, "xy");
	assert_null(b.s);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_escapes),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
