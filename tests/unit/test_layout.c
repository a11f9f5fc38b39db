/*
 * test_layout.c - unit tests for the console's pure parts: pane geometry at
 * every size (too small, stacked, grid; invariants: inside the screen, no
 * overlap, minimum rows, the stack covers the body), width-aware text
 * (clipping, padding, wrapping, wide characters, ASCII fallback), text from
 * outside made harmless (sanitize_text + clipping; bidi controls and
 * invisible characters drawn as '?'), and the text charts.
 */
#include "config.h"

#include <locale.h>
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
#include "midwatch/sanitize.h"
#include "midwatch/tui.h"

/* ---- layout ---------------------------------------------------------------------- */

/* Do two rectangles overlap? */
static int
overlap(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Checks every invariant of one layout. */
static void
check_layout(int cols, int lines, int focus, const int *want)
{
	struct layout l;
	int i, j, sum, min;

	layout_compute(cols, lines, focus, want, &l);
	if (cols < LAYOUT_MIN_COLS || lines < LAYOUT_MIN_LINES) {
		assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
		return;
	}
	assert_int_not_equal(l.mode, LAYOUT_TOO_SMALL);
	assert_int_equal(l.status.y, 0);
	assert_int_equal(l.status.w, cols);
	assert_int_equal(l.hint.y, lines - 1);
	assert_int_equal(l.body.y, 1);
	assert_int_equal(l.body.h, lines - 2);
	for (i = 0; i < PANE_COUNT; i++) {
		const struct rect *r = &l.pane[i];

		assert_true(r->x >= 0 && r->y >= l.body.y);
		assert_true(r->x + r->w <= cols);
		assert_true(r->y + r->h <= l.body.y + l.body.h);
		min = i == PANE_INCIDENTS ? LAYOUT_MIN_ROWS_INCIDENTS : LAYOUT_MIN_ROWS;
		assert_true(r->h - 1 >= min);	/* title line + content */
		assert_true(r->w >= LAYOUT_MIN_COLS / 2);
		for (j = 0; j < i; j++)
			assert_false(overlap(r, &l.pane[j]));
	}
	if (l.mode == LAYOUT_STACK) {
		sum = 0;
		for (i = 0; i < PANE_COUNT; i++) {
			assert_int_equal(l.pane[i].x, 0);
			assert_int_equal(l.pane[i].w, cols);
			assert_int_equal(l.pane[i].y, l.body.y + sum);
			sum += l.pane[i].h;
		}
		assert_int_equal(sum, l.body.h);
		assert_int_equal(l.sep_x, -1);
	} else {
		assert_true(cols >= LAYOUT_GRID_COLS);
		assert_int_equal(l.pane[PANE_INCIDENTS].w + 1 + l.pane[PANE_HYPOTHESES].w,
		    cols);
		assert_int_equal(l.sep_x, l.pane[PANE_INCIDENTS].w);
		assert_int_equal(l.pane[PANE_INCIDENTS].h + l.pane[PANE_RECOS].h,
		    l.body.h);
	}
}

static void
test_layout_invariants(void **state)
{
	static const int cols[] = { 40, 59, 60, 61, 80, 100, 132, 159, 160, 200, 300 };
	static const int lines[] = { 10, 15, 16, 17, 23, 24, 25, 40, 60, 100 };
	const int want_small[PANE_COUNT] = { 1, 1, 0, 1 };
	const int want_big[PANE_COUNT] = { 40, 80, 20, 200 };
	size_t c, r;
	int f;

	(void)state;
	for (c = 0; c < sizeof cols / sizeof cols[0]; c++)
		for (r = 0; r < sizeof lines / sizeof lines[0]; r++)
			for (f = 0; f < PANE_COUNT; f++) {
				check_layout(cols[c], lines[r], f, NULL);
				check_layout(cols[c], lines[r], f, want_small);
				check_layout(cols[c], lines[r], f, want_big);
			}
}

static void
test_layout_80x24(void **state)
{
	struct layout l;
	int i;

	(void)state;
	layout_compute(80, 24, PANE_INCIDENTS, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_STACK);
	/* All four panes visible, each with a few rows; incidents readable. */
	for (i = 0; i < PANE_COUNT; i++)
		assert_true(l.pane[i].h >= 3);
	assert_true(l.pane[PANE_INCIDENTS].h - 1 >= 4);
	/* The focused pane is the biggest. */
	for (i = 0; i < PANE_COUNT; i++) {
		layout_compute(80, 24, i, NULL, &l);
		assert_true(l.pane[i].h >= l.pane[(i + 1) % PANE_COUNT].h);
		assert_true(l.pane[i].h >= l.pane[(i + 2) % PANE_COUNT].h);
		assert_true(l.pane[i].h >= l.pane[(i + 3) % PANE_COUNT].h);
	}
}

static void
test_layout_modes(void **state)
{
	struct layout l;

	(void)state;
	layout_compute(59, 24, 0, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(80, 15, 0, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(60, 16, 0, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_STACK);
	layout_compute(159, 60, 0, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_STACK);
	layout_compute(200, 60, 0, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_GRID);
	/* Side by side: incidents left of hypotheses, recommendations below. */
	assert_int_equal(l.pane[PANE_INCIDENTS].y, l.pane[PANE_HYPOTHESES].y);
	assert_true(l.pane[PANE_HYPOTHESES].x > l.pane[PANE_INCIDENTS].x);
	assert_int_equal(l.pane[PANE_RECOS].x, 0);
	assert_true(l.pane[PANE_RECOS].y > l.pane[PANE_INCIDENTS].y);
	/* Grid needs the height too. */
	layout_compute(200, 20, 0, NULL, &l);
	assert_int_equal(l.mode, LAYOUT_STACK);
}

static void
test_layout_want(void **state)
{
	const int want[PANE_COUNT] = { 2, 3, 1, 50 };
	const int few[PANE_COUNT] = { 3, 8, 1, 1 };
	struct layout l;

	(void)state;
	/* Focus on alerts with many alerts: alerts take every spare row, the
	 * others keep their minimum. */
	layout_compute(80, 24, PANE_ALERTS, want, &l);
	assert_int_equal(l.pane[PANE_INCIDENTS].h - 1, LAYOUT_MIN_ROWS_INCIDENTS);
	assert_int_equal(l.pane[PANE_HYPOTHESES].h - 1, LAYOUT_MIN_ROWS);
	assert_int_equal(l.pane[PANE_ALERTS].h - 1, 22 - 4 - 3 - 2 - 2);
	/* Focus on incidents with 3 incidents: hypotheses get what they need,
	 * the rest goes back to the focused pane. */
	layout_compute(80, 24, PANE_INCIDENTS, few, &l);
	assert_int_equal(l.pane[PANE_HYPOTHESES].h - 1, 8);
	assert_int_equal(l.pane[PANE_RECOS].h - 1, LAYOUT_MIN_ROWS);
	assert_int_equal(l.pane[PANE_ALERTS].h - 1, LAYOUT_MIN_ROWS);
	assert_int_equal(l.pane[PANE_INCIDENTS].h - 1, 22 - 4 - 8 - 2 - 2);
}

/* The grid's columns follow what their panes' lines need (issue 12). */
static void
test_layout_need(void **state)
{
	/* incidents and recommendations short, evidence lines long */
	const int narrow_left[PANE_COUNT] = { 90, 200, 80, 100 };
	const int both_fit[PANE_COUNT] = { 70, 100, 60, 90 };
	const int wide_left[PANE_COUNT] = { 230, 100, 50, 120 };
	const int both_long[PANE_COUNT] = { 300, 600, 10, 10 };
	const int tiny[PANE_COUNT] = { 5, 1000, 5, 5 };
	struct layout l;

	(void)state;
	/* without needs: half each */
	layout_compute_fit(250, 40, 0, NULL, NULL, &l);
	assert_int_equal(l.pane[PANE_INCIDENTS].w, 124);
	/* the left column needs less than half: it gets just that */
	layout_compute_fit(250, 40, 0, NULL, narrow_left, &l);
	assert_int_equal(l.mode, LAYOUT_GRID);
	assert_int_equal(l.pane[PANE_INCIDENTS].w, 90);
	assert_int_equal(l.pane[PANE_RECOS].w, 90);
	assert_int_equal(l.pane[PANE_HYPOTHESES].w, 250 - 91);
	/* both fit: each its need, the rest shared */
	layout_compute_fit(250, 40, 0, NULL, both_fit, &l);
	assert_int_equal(l.pane[PANE_INCIDENTS].w, 70 + (249 - 70 - 100) / 2);
	/* the right column needs less than half */
	layout_compute_fit(250, 40, 0, NULL, wide_left, &l);
	assert_int_equal(l.pane[PANE_HYPOTHESES].w, 120);
	/* both need more than half: in proportion */
	layout_compute_fit(250, 40, 0, NULL, both_long, &l);
	assert_int_equal(l.pane[PANE_INCIDENTS].w, 249 * 300 / 900);
	/* never narrower than LAYOUT_GRID_MIN_PANE */
	layout_compute_fit(160, 40, 0, NULL, tiny, &l);
	assert_int_equal(l.pane[PANE_INCIDENTS].w, LAYOUT_GRID_MIN_PANE);
	layout_compute_fit(250, 40, 0, NULL, both_long, &l);
	assert_true(l.pane[PANE_HYPOTHESES].w >= LAYOUT_GRID_MIN_PANE);
	/* the stacked layout does not care */
	layout_compute_fit(120, 40, 0, NULL, narrow_left, &l);
	assert_int_equal(l.mode, LAYOUT_STACK);
	assert_int_equal(l.pane[PANE_INCIDENTS].w, 120);
}

/* ---- text ------------------------------------------------------------------------ */

/* Clips s and compares. */
static void
expect_clip(const char *s, int cols, int utf8, int ellipsis, const char *want,
    int want_cols)
{
	struct buf b;
	int used;

	buf_init(&b);
	used = text_clip(&b, s, cols, utf8, ellipsis);
	assert_string_equal(buf_str(&b), want);
	assert_int_equal(used, want_cols);
	assert_true(used <= cols);
	buf_free(&b);
}

static void
test_text_width(void **state)
{
	(void)state;
	assert_int_equal(text_width("hello", 1), 5);
	assert_int_equal(text_width("h\xc3\xa9llo", 1), 5);		/* héllo */
	assert_int_equal(text_width("h\xc3\xa9llo", 0), 5);		/* one ? */
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac", 1), 4);	/* 日本 */
	assert_int_equal(text_width("", 1), 0);
	assert_int_equal(text_width(NULL, 1), 0);
}

static void
test_text_clip(void **state)
{
	(void)state;
	expect_clip("hello world", 20, 1, 1, "hello world", 11);
	expect_clip("hello world", 5, 1, 0, "hello", 5);
	expect_clip("hello world", 5, 1, 1, "hell\xe2\x80\xa6", 5);
	expect_clip("hello world", 5, 0, 1, "hell~", 5);
	/* Never half a wide character. */
	expect_clip("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 1, 0,
	    "\xe6\x97\xa5\xe6\x9c\xac", 4);
	/* Without UTF-8, non-ASCII is drawn as '?'. */
	expect_clip("caf\xc3\xa9", 10, 0, 0, "caf?", 4);
	/* Controls that escaped sanitising still never reach the terminal. */
	expect_clip("a\x1b[31mb\x07", 20, 1, 0, "a?[31mb?", 8);
	/* Broken UTF-8. */
	expect_clip("a\xff\xfe", 10, 1, 0, "a??", 3);
	expect_clip("abc", 0, 1, 1, "", 0);
}

static void
test_text_cell(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	text_cell(&b, "ab", 5, 1, 0);
	assert_string_equal(buf_str(&b), "ab   ");
	buf_reset(&b);
	text_cell(&b, "ab", 5, 1, 1);
	assert_string_equal(buf_str(&b), "   ab");
	buf_reset(&b);
	text_cell(&b, "abcdefgh", 5, 0, 0);
	assert_string_equal(buf_str(&b), "abcd~");
	buf_reset(&b);
	text_cell(&b, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 1, 0);
	assert_int_equal(text_width(buf_str(&b), 1), 5);
	buf_free(&b);
}

static void
test_text_wrap(void **state)
{
	char **lines;
	size_t n, i;

	(void)state;
	n = text_wrap("the quick brown fox jumps over the lazy dog", 10, 1, &lines);
	assert_int_equal(n, 5);
	assert_string_equal(lines[0], "the quick");
	assert_string_equal(lines[1], "brown fox");
	assert_string_equal(lines[4], "dog");
	for (i = 0; i < n; i++)
		assert_true(text_width(lines[i], 1) <= 10);
	text_lines_free(lines, n);

	n = text_wrap("abcdefghijklmnopqrstuvwxyz", 10, 1, &lines);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "abcdefghij");
	assert_string_equal(lines[2], "uvwxyz");
	text_lines_free(lines, n);

	n = text_wrap("one\ntwo\n\nthree", 20, 1, &lines);
	assert_int_equal(n, 4);
	assert_string_equal(lines[1], "two");
	assert_string_equal(lines[2], "");
	text_lines_free(lines, n);

	n = text_wrap("", 20, 1, &lines);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "");
	text_lines_free(lines, n);

	/* wide characters in one column: one a line, nothing read past the
	 * word (tests/fuzz/regressions/sanitize/wrap-wide-char-one-column) */
	n = text_wrap("\xe4\xb8\xad\xe6\x96\x87x \xe4\xb8\xad", 1, 1, &lines);
	assert_int_equal(n, 4);
	assert_string_equal(lines[0], "\xe4\xb8\xad");
	assert_string_equal(lines[1], "\xe6\x96\x87");
	assert_string_equal(lines[2], "x");
	assert_string_equal(lines[3], "\xe4\xb8\xad");
	text_lines_free(lines, n);
}

static void
test_text_contains(void **state)
{
	(void)state;
	assert_true(text_contains("Checkout-API errors", "api"));
	assert_true(text_contains("anything", ""));
	assert_false(text_contains("payments", "api"));
	assert_false(text_contains(NULL, "x"));
}

/* External text: sanitised, then clipped to a cell, is harmless. */
static void
test_text_external(void **state)
{
	const char *evil = "disk full \x1b]0;pwned\x07 on \x1b[31mdb-1\x1b[0m\r\n"
	    "\x1b[2J\x1b[H\x9b" "31m \xc2\x9b" "2J\x1b" "c end";
	struct buf b;
	char *clean;
	size_t i;

	(void)state;
	clean = sanitize_text(evil, 0);
	assert_null(strchr(clean, '\x1b'));
	assert_null(strchr(clean, '\x07'));
	assert_null(strstr(clean, "pwned"));
	assert_non_null(strstr(clean, "disk full"));
	assert_non_null(strstr(clean, "db-1"));
	buf_init(&b);
	text_cell(&b, clean, 30, 1, 0);
	assert_int_equal(text_width(buf_str(&b), 1), 30);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.s[i];

		assert_true(c >= 0x20 && c != 0x7f);
	}
	buf_free(&b);
	free(clean);
}

/* Bidi controls and invisible characters that skipped sanitize_text are
 * drawn as '?', one column each, by clipping, padding and wrapping alike. */
static void
test_text_invisible(void **state)
{
	static const char *const cps[] = {
		"\xd8\x9c", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xaa",
		"\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae",
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
		"\xe2\x80\x8b", "\xe2\x80\x8c", "\xe2\x80\x8d", "\xe2\x81\xa0",
		"\xe2\x81\xa4", "\xef\xbb\xbf", "\xe1\xa0\x8e", "\xc2\xad",
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\xf3\xa0\x81\x81",
	};
	struct buf b;
	char in[32], **lines;
	size_t i, n;

	(void)state;
	buf_init(&b);
	for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		snprintf(in, sizeof in, "a%sb", cps[i]);
		assert_int_equal(text_width(in, 1), 3);
		expect_clip(in, 10, 1, 0, "a?b", 3);
		expect_clip(in, 10, 0, 0, "a?b", 3);
		buf_reset(&b);
		text_cell(&b, in, 5, 1, 0);
		assert_string_equal(buf_str(&b), "a?b  ");
		n = text_wrap(in, 10, 1, &lines);
		assert_int_equal(n, 1);
		assert_string_equal(lines[0], "a?b");
		text_lines_free(lines, n);
	}
	/* a right-to-left override cannot turn the rest of a cell around */
	expect_clip("evil \xe2\x80\xae" "gpj.exe", 20, 1, 0, "evil ?gpj.exe", 13);
	buf_free(&b);
}

/* ---- charts ---------------------------------------------------------------------- */

static void
test_chart_bar(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	chart_bar(&b, 1.0, 4, 0);
	assert_string_equal(buf_str(&b), "####");
	buf_reset(&b);
	chart_bar(&b, 0.0, 4, 0);
	assert_string_equal(buf_str(&b), "....");
	buf_reset(&b);
	chart_bar(&b, 0.5, 4, 0);
	assert_string_equal(buf_str(&b), "##..");
	buf_reset(&b);
	chart_bar(&b, 2.0, 3, 1);
	assert_string_equal(buf_str(&b), "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88");
	buf_reset(&b);
	chart_bar(&b, 0.5625, 2, 1);	/* 9 of 16 eighths: one full, one eighth */
	assert_int_equal(text_width(buf_str(&b), 1), 2);
	assert_string_equal(buf_str(&b), "\xe2\x96\x88\xe2\x96\x8f");
	buf_reset(&b);
	chart_bar(&b, NAN, 3, 0);
	assert_string_equal(buf_str(&b), "...");
	buf_reset(&b);
	chart_bar(&b, 0.9, 8, 0);	/* 7 full and 2 eighths: the track */
	assert_string_equal(buf_str(&b), "#######.");
	buf_reset(&b);
	chart_bar(&b, 0.2, 8, 0);	/* 1 full and 5 eighths: more than half */
	assert_string_equal(buf_str(&b), "#+......");
	buf_free(&b);
}

static void
test_chart_spark(void **state)
{
	double v[100], out[10];
	struct buf b;
	int n, i;

	(void)state;
	for (i = 0; i < 100; i++)
		v[i] = i < 50 ? 1.0 : 9.0;
	n = chart_resample(v, 100, 10, out);
	assert_int_equal(n, 10);
	assert_true(out[0] == 1.0 && out[9] == 9.0);
	n = chart_resample(v, 4, 10, out);
	assert_int_equal(n, 4);
	buf_init(&b);
	chart_spark(&b, (const double[]){ 0, 1, 2, 3, 4, 5, 6, 7, 8, NAN }, 10, 0,
	    8, 0);
	assert_string_equal(buf_str(&b), "_.,-=+*## ");
	buf_reset(&b);
	chart_spark(&b, (const double[]){ 0, 8 }, 2, 0, 8, 1);
	assert_string_equal(buf_str(&b), "\xe2\x96\x81\xe2\x96\x88");
	buf_reset(&b);
	/* A flat series draws at the bottom, not as garbage. */
	chart_spark(&b, (const double[]){ 3, 3, 3 }, 3, 3, 3, 0);
	assert_string_equal(buf_str(&b), "___");
	buf_free(&b);
	assert_int_equal(chart_time_col(0, 0, 100, 11), 0);
	assert_int_equal(chart_time_col(50, 0, 100, 11), 5);
	assert_int_equal(chart_time_col(100, 0, 100, 11), 10);
	assert_int_equal(chart_time_col(-5, 0, 100, 11), 0);
	assert_int_equal(chart_time_col(500, 0, 100, 11), 10);
	assert_int_equal(chart_time_col(5, 5, 5, 11), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_invariants),
		cmocka_unit_test(test_layout_80x24),
		cmocka_unit_test(test_layout_modes),
		cmocka_unit_test(test_layout_want),
		cmocka_unit_test(test_layout_need),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_text_clip),
		cmocka_unit_test(test_text_cell),
		cmocka_unit_test(test_text_wrap),
		cmocka_unit_test(test_text_contains),
		cmocka_unit_test(test_text_external),
		cmocka_unit_test(test_text_invisible),
		cmocka_unit_test(test_chart_bar),
		cmocka_unit_test(test_chart_spark),
	};

	/* Display widths of CJK come from the locale when it knows them. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
