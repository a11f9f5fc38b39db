/*
 * test_chart_band.c - unit tests for the detail views' area charts over a
 * baseline band (src/tui/chart.c): the eighths a value fills, the band's
 * span, the glyph of each cell (value, shade, blank) in UTF-8 and ASCII,
 * the band row's marks; random series keep the invariants (one glyph per
 * column, a value's column filled from the bottom up to its level, the
 * band shaded only where the value leaves room).  And the one confidence
 * formatter (src/core/units.c), against what PostgreSQL's to_char(real,
 * 'FM0.00') prints (tests/cli/test_confidence.sh compares the two live).
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
#include "midwatch/units.h"

/* One cell as a malloc'd string. */
static char *
cell(int fill, int b0, int b1, int row, int utf8)
{
	struct buf b;
	char *s;

	buf_init(&b);
	chart_area_cell(&b, fill, b0, b1, row, utf8);
	s = strdup(buf_str(&b));
	buf_free(&b);
	return s;
}

static void
assert_cell(int fill, int b0, int b1, int row, int utf8, const char *want)
{
	char *s = cell(fill, b0, b1, row, utf8);

	assert_string_equal(s, want);
	free(s);
}

static void
test_fill(void **state)
{
	(void)state;
	assert_int_equal(chart_fill(0, 0, 10, 4), 1);	/* the bottom shows */
	assert_int_equal(chart_fill(10, 0, 10, 4), 32);
	assert_int_equal(chart_fill(20, 0, 10, 4), 32);	/* clamped */
	assert_int_equal(chart_fill(-5, 0, 10, 4), 1);
	assert_int_equal(chart_fill(5, 0, 10, 4), 1 + 16);	/* 15.5 rounds up */
	assert_int_equal(chart_fill(NAN, 0, 10, 4), -1);
	assert_int_equal(chart_fill(3, 3, 3, 4), 1);	/* empty scale */
}

static void
test_band_span(void **state)
{
	int b0, b1;

	(void)state;
	chart_band_span(4, 6, 0, 10, 4, &b0, &b1);
	assert_int_equal(b0, 12);	/* floor(0.4 * 32) */
	assert_int_equal(b1, 20);	/* ceil(0.6 * 32) */
	chart_band_span(6, 4, 0, 10, 4, &b0, &b1);	/* either order */
	assert_int_equal(b0, 12);
	assert_int_equal(b1, 20);
	chart_band_span(5, 5, 0, 10, 4, &b0, &b1);	/* no width: one eighth */
	assert_int_equal(b0, 16);
	assert_int_equal(b1, 17);
	chart_band_span(10, 10, 0, 10, 4, &b0, &b1);	/* at the top */
	assert_int_equal(b0, 31);
	assert_int_equal(b1, 32);
	chart_band_span(NAN, 1, 0, 10, 4, &b0, &b1);
	assert_int_equal(b0, -1);
	assert_int_equal(b1, -1);
}

static void
test_cells(void **state)
{
	(void)state;
	/* Row 1 covers eighths 8..15. */
	assert_cell(16, -1, -1, 1, 1, "\xe2\x96\x88");	/* full */
	assert_cell(16, -1, -1, 1, 0, "#");
	assert_cell(9, -1, -1, 1, 1, "\xe2\x96\x81");	/* one eighth */
	assert_cell(9, -1, -1, 1, 0, "_");
	assert_cell(13, -1, -1, 1, 1, "\xe2\x96\x85");	/* five eighths */
	assert_cell(13, -1, -1, 1, 0, "#");
	assert_cell(5, -1, -1, 1, 1, " ");	/* below the row: blank */
	assert_cell(5, 10, 12, 1, 1, "\xe2\x96\x91");	/* band: shade */
	assert_cell(5, 10, 12, 1, 0, ":");
	assert_cell(5, 16, 20, 1, 1, " ");	/* band above the row */
	assert_cell(5, 2, 8, 1, 1, " ");	/* band below the row */
	assert_cell(10, 8, 16, 1, 1, "\xe2\x96\x82");	/* the value wins */
}

static void
test_marks(void **state)
{
	double v[] = { 1, 5, 9, NAN, 5 };
	double lo[] = { 4, 4, 4, 4, NAN };
	double hi[] = { 6, 6, 6, 6, 6 };
	struct buf b;

	(void)state;
	buf_init(&b);
	chart_band_marks(&b, v, lo, hi, 5, 0);
	assert_string_equal(buf_str(&b), "v:^  ");
	buf_free(&b);
	buf_init(&b);
	chart_band_marks(&b, v, lo, hi, 3, 1);
	assert_string_equal(buf_str(&b), "\xe2\x96\xbc\xe2\x96\x91\xe2\x96\xb2");
	buf_free(&b);
}

/* Random series: every row has one glyph per column; a column is filled
 * from the bottom to its value's level and blank or shaded above; shade
 * only where the band passes. */
static void
test_area_random(void **state)
{
	double v[64], blo[64], bhi[64], lo, hi;
	int rows = 4, n, i, r, c, fill, b0, b1;
	char *lines[4];
	struct buf b;

	(void)state;
	srand(12345);
	for (i = 0; i < 300; i++) {
		n = 1 + rand() % 64;
		lo = (double)(rand() % 100) - 50;
		hi = lo + 1 + rand() % 100;
		for (c = 0; c < n; c++) {
			double base = lo + (hi - lo) * (rand() / (double)RAND_MAX);
			double spread = (hi - lo) * 0.1 * (rand() / (double)RAND_MAX);

			v[c] = rand() % 10 == 0 ? NAN :
			    lo + (hi - lo) * (rand() / (double)RAND_MAX);
			blo[c] = base - spread;
			bhi[c] = base + spread;
		}
		for (r = 0; r < rows; r++) {
			buf_init(&b);
			chart_area_row(&b, r, rows, v, blo, bhi, n, lo, hi, 0);
			lines[r] = strdup(buf_str(&b));
			buf_free(&b);
			assert_int_equal((int)strlen(lines[r]), n);
		}
		for (c = 0; c < n; c++) {
			fill = chart_fill(v[c], lo, hi, rows);
			chart_band_span(blo[c], bhi[c], lo, hi, rows, &b0, &b1);
			assert_true(b0 >= 0 && b1 > b0 && b1 <= rows * 8);
			for (r = 0; r < rows; r++) {
				char g = lines[r][c];
				int f = fill - r * 8;
				int in_band = b0 < r * 8 + 8 && b1 > r * 8;

				if (f >= 4)
					assert_int_equal(g, '#');
				else if (f > 0)
					assert_int_equal(g, '_');
				else if (in_band)
					assert_int_equal(g, ':');
				else
					assert_int_equal(g, ' ');
			}
		}
		for (r = 0; r < rows; r++)
			free(lines[r]);
	}
}

/* What PostgreSQL 15 printed for to_char(x::real, 'FM0.00') (the gate's
 * reason): it rounds the single-precision value, so 0.005 (stored as
 * 0.00499999988824129) is 0.00 and 0.125 (exact) rounds to even. */
static void
test_confidence(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.125, "0.12" }, { 0.675, "0.68" }, { 0.005, "0.00" },
		{ 0.145, "0.14" }, { 0.015, "0.01" }, { 0.035, "0.04" },
		{ 0.375, "0.38" }, { 0.625, "0.62" }, { 0.875, "0.88" },
		{ 0.285, "0.28" }, { 0, "0.00" }, { 1, "1.00" }, { 0.2, "0.20" },
	};
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		units_confidence(cases[i].v, out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
	units_confidence(NAN, out, sizeof out);
	assert_string_equal(out, "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_band_span),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_area_random),
		cmocka_unit_test(test_confidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
