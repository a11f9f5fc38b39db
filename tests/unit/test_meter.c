/*
 * test_meter.c - unit tests for the meters of the console's report views
 * (src/tui/meter.c): bar scaling from zero to the largest value, clamping
 * and NaN, sparklines scaled from zero to their maximum with resampling to
 * the columns there are, UTF-8 and the ASCII fallback; random series keep
 * the invariants (width, the maximum on the top level, zero at the bottom).
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/buf.h"
#include "midwatch/tui.h"

/* A bar of v/max in cols cells, as a malloc'd string. */
static char *
bar(double v, double max, int cols, int utf8)
{
	struct buf b;
	char *s;

	buf_init(&b);
	meter_bar(&b, v, max, cols, utf8);
	s = strdup(buf_str(&b));
	buf_free(&b);
	return s;
}

/* A sparkline, as a malloc'd string; *used gets the columns. */
static char *
spark(const double *v, size_t n, int cols, int utf8, int *used)
{
	struct buf b;
	char *s;

	buf_init(&b);
	*used = meter_spark(&b, v, n, cols, utf8);
	s = strdup(buf_str(&b));
	buf_free(&b);
	return s;
}

static void
test_frac(void **state)
{
	(void)state;
	assert_true(meter_frac(5, 10) == 0.5);
	assert_true(meter_frac(10, 10) == 1);
	assert_true(meter_frac(20, 10) == 1);	/* clamped */
	assert_true(meter_frac(-1, 10) == 0);
	assert_true(meter_frac(3, 0) == 0);	/* nothing to scale to */
	assert_true(meter_frac(3, -2) == 0);
	assert_true(meter_frac(NAN, 10) == 0);
	assert_true(meter_frac(3, NAN) == 0);
	assert_true(meter_frac(INFINITY, 10) == 0);
}

static void
test_bar_ascii(void **state)
{
	char *s;

	(void)state;
	s = bar(5, 10, 10, 0);
	assert_string_equal(s, "#####.....");
	free(s);
	s = bar(10, 10, 4, 0);
	assert_string_equal(s, "####");
	free(s);
	s = bar(0, 0, 4, 0);
	assert_string_equal(s, "....");
	free(s);
	s = bar(1, 4, 8, 0);	/* a quarter: two of eight cells */
	assert_string_equal(s, "##......");
	free(s);
}

static void
test_bar_utf8(void **state)
{
	char *s;

	(void)state;
	s = bar(1, 1, 3, 1);
	assert_string_equal(s, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88");
	free(s);
	s = bar(1, 2, 2, 1);	/* half of two cells: one full block */
	assert_string_equal(s, "\xe2\x96\x88 ");
	free(s);
}

static void
test_spark_levels(void **state)
{
	double v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	double z[] = { 0, 0, 0 };
	double nan2[] = { NAN, 4 };
	char *s;
	int used;

	(void)state;
	s = spark(v, 8, 8, 0, &used);
	assert_int_equal(used, 8);
	assert_string_equal(s, "_.,-=+*#");	/* 0 at the bottom, 7 at the top */
	free(s);
	s = spark(z, 3, 10, 0, &used);
	assert_int_equal(used, 3);
	assert_string_equal(s, "___");
	free(s);
	s = spark(nan2, 2, 5, 0, &used);
	assert_string_equal(s, " #");
	free(s);
	s = spark(v, 8, 4, 0, &used);	/* means of pairs: 0.5 .. 6.5 */
	assert_int_equal(used, 4);
	assert_int_equal(strlen(s), 4);
	assert_int_equal(s[3], '#');
	assert_int_equal(s[0], '_');
	free(s);
	s = spark(v, 8, 0, 0, &used);
	assert_int_equal(used, 0);
	assert_string_equal(s, "");
	free(s);
	s = spark(v, 8, 8, 1, &used);	/* UTF-8: the eighth blocks */
	assert_int_equal(strlen(s), 8 * 3);
	assert_memory_equal(s, "\xe2\x96\x81", 3);
	assert_memory_equal(s + 21, "\xe2\x96\x88", 3);
	free(s);
}

/* Random series: as many glyphs as columns used, the maximum on the top
 * level, zeros at the bottom, never more columns than asked. */
static void
test_spark_random(void **state)
{
	double v[200], max;
	char *s;
	int i, k, n, cols, used, top;

	(void)state;
	srand(12345);
	for (k = 0; k < 500; k++) {
		n = 1 + rand() % 200;
		cols = 1 + rand() % 80;
		max = 0;
		for (i = 0; i < n; i++) {
			v[i] = rand() % 3 == 0 ? 0 : rand() % 1000;
			if (v[i] > max)
				max = v[i];
		}
		s = spark(v, (size_t)n, cols, 0, &used);
		assert_int_equal(used, n < cols ? n : cols);
		assert_int_equal((int)strlen(s), used);
		if (used == n) {	/* no resampling: every value its glyph */
			top = 0;
			for (i = 0; i < n; i++) {
				if (v[i] == 0)
					assert_int_equal(s[i], '_');
				if (max > 0 && v[i] == max) {
					assert_int_equal(s[i], '#');
					top = 1;
				}
			}
			assert_true(max == 0 || top);
		}
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frac),
		cmocka_unit_test(test_bar_ascii),
		cmocka_unit_test(test_bar_utf8),
		cmocka_unit_test(test_spark_levels),
		cmocka_unit_test(test_spark_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
