/*
 * test_detect_ring.c - unit tests for the detector's baseline rings
 * (detect_ring.c): the robust line read off the sorted values (and cached)
 * equals, bit for bit, the line computed by selection on copies of the ring
 * (dring_line_ref, the former code), and the median of a sliding sorted
 * window equals detect_median's, on random series: random seeds, lengths and
 * capacities, constant stretches, ties, zeros, large and small magnitudes,
 * steps, trends, and now and then a value (-0, infinity, NaN) that must
 * take the selection path.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/detect.h"
#include "../../src/pipeline/detect_ring.h"

/* xorshift64: a deterministic uniform in [0, 1). */
static double
unif(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0;
}

/* A random value of the kind series hold, drawn per series style: noise
 * around a level, few distinct values (ties), counts, huge or tiny. */
static double
draw(uint64_t *s, int style, double level, int specials)
{
	double u = unif(s);

	if (specials && u < 0.01)
		return u < 0.004 ? -0.0 : u < 0.007 ? INFINITY : NAN;
	switch (style) {
	case 0:
		return level * (1 + 0.05 * (unif(s) - 0.5));
	case 1:
		return floor(unif(s) * 4);		/* ties */
	case 2:
		return unif(s) < 0.8 ? 0 : unif(s) * 0.01;	/* mostly zero */
	case 3:
		return (unif(s) - 0.5) * 1e12;		/* large, signed */
	case 4:
		return unif(s) * 1e-12;			/* small */
	default:
		return level + 1e-9 * floor(unif(s) * 3);	/* near ties */
	}
}

/* Whether two doubles have the same bits (NaN included). */
static void
assert_same_double(double a, double b)
{
	assert_memory_equal(&a, &b, sizeof a);
}

/* One random ring history checked at every point: pushes (with constant
 * stretches and trends), clears, lines at several times with and without
 * trend; returns how many lines were compared. */
static long
ring_round(uint64_t *s, int specials)
{
	struct dring r;
	size_t cap = 1 + (size_t)(unif(s) * 70), len = (size_t)(unif(s) * 600);
	size_t i;
	int style = (int)(unif(s) * 6), k;
	double level = exp((unif(s) - 0.5) * 40), slope = 0, x = level, t;
	double *tmp = calloc(3 * cap, sizeof *tmp), b1, s1, b2, s2;
	long compared = 0;

	dring_init(&r, cap);
	if (unif(s) < 0.5)
		slope = (unif(s) - 0.5) * level * 0.01;
	for (i = 0; i < len; i++) {
		t = 1794787200.0 + 60.0 * (double)i + (unif(s) < 0.05 ? 17 : 0);
		/* a constant stretch repeats the last value */
		if (unif(s) < 0.7 || i % 50 > 10) {
			x = draw(s, style, level, specials);
			if (slope != 0)
				x += slope * (double)i;
		}
		if (unif(s) < 0.003)
			dring_clear(&r);
		if (unif(s) < 0.85)
			dring_push(&r, t, x);
		if (r.n == 0)
			continue;
		for (k = 0; k < 4; k++) {
			double at = t + 60 * (k + 1) * unif(s);
			int trend = k % 2;

			dring_line(&r, trend, at, &b1, &s1);
			dring_line_ref(&r, trend, at, tmp, &b2, &s2);
			assert_same_double(b1, b2);
			assert_same_double(s1, s2);
			compared++;
		}
	}
	dring_free(&r);
	free(tmp);
	return compared;
}

/* The fast line equals the selection line bit for bit, without and with
 * special values among the points. */
static void
test_ring_line(void **state)
{
	uint64_t s = 0x5eed1234u;
	long compared = 0;
	int round_;

	(void)state;
	for (round_ = 0; round_ < 1500; round_++)
		compared += ring_round(&s, round_ % 3 == 2);
	print_message("%ld lines compared\n", compared);
	assert_true(compared > 500000);
}

/* A sliding window kept sorted (insert new, remove old) gives
 * detect_median's value of a copy of it, bit for bit. */
static void
test_sorted_window(void **state)
{
	uint64_t s = 0xabcdefu;
	double *v, *win, *tmp;
	size_t n, i, lo, nw, w;
	int round_, style;

	(void)state;
	for (round_ = 0; round_ < 500; round_++) {
		n = 1 + (size_t)(unif(&s) * 400);
		w = 1 + (size_t)(unif(&s) * 60);
		style = round_ % 6;
		v = calloc(n, sizeof *v);
		win = calloc(n + 1, sizeof *win);
		tmp = calloc(n + 1, sizeof *tmp);
		for (i = 0; i < n; i++)
			v[i] = draw(&s, style, 1e3, 0);
		for (i = 0, lo = 0, nw = 0; i < n; i++) {
			detect_sorted_insert(win, nw++, v[i]);
			if (i - lo + 1 > w)
				detect_sorted_remove(win, nw--, v[lo++]);
			memcpy(tmp, v + lo, nw * sizeof *tmp);
			assert_same_double(detect_sorted_median(win, nw),
			    detect_median(tmp, nw));
		}
		free(v);
		free(win);
		free(tmp);
	}
	assert_true(isnan(detect_sorted_median(NULL, 0)));
	assert_true(detect_special(-0.0) && detect_special(NAN) &&
	    detect_special(-INFINITY) && !detect_special(0.0) &&
	    !detect_special(-1e-300));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_line),
		cmocka_unit_test(test_sorted_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
