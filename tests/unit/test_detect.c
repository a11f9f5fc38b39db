/*
 * test_detect.c - unit tests for the detector's pure maths (detect_math.c):
 * a step makes one signal, a single spike and plain noise make none, a slow
 * drift is followed by the baseline while a leak into saturation is caught, a
 * daily pattern seen the day before is not an anomaly, a flapping series
 * gives a low-quality flapping run (and flips before a steady run do not
 * move its onset), hysteresis keeps one episode together; the per-minute
 * series (detect_minutes.c) equals a brute-force mean / rolling sum of random
 * raw points; resuming from a saved state judges new points exactly as
 * judging the whole history does (random series).
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

/* A deterministic standard normal (xorshift + Box-Muller). */
static double
gauss(uint64_t *s)
{
	double u1, u2;

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	u1 = ((*s >> 11) + 1.0) / 9007199254740993.0;
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	u2 = (*s >> 11) / 9007199254740992.0;
	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Fills n one-minute points: level * (1 + rel noise). */
static struct detect_point *
series(size_t n, double level, double rel, uint64_t seed)
{
	struct detect_point *p = calloc(n, sizeof *p);
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].t = 1794787200.0 + 60.0 * (double)i;
		p[i].x = level * (1 + rel * gauss(&seed));
	}
	return p;
}

static size_t last_nruns;	/* runs of the last signals() call */

/* Runs the detector and counts the runs that are signals from index from;
 * the runs go to *out (caller frees) when out is given. */
static int
signals(const struct detect_params *prm, const struct detect_point *p,
    size_t n, size_t from, struct detect_run **out)
{
	struct detect_run *runs = NULL;
	size_t i;
	int k = 0;

	detect_series(prm, p, n, NULL, &runs, &last_nruns);
	for (i = 0; i < last_nruns; i++)
		if (runs[i].is_signal && runs[i].first >= from)
			k++;
	if (out != NULL)
		*out = runs;
	else
		free(runs);
	return k;
}

/* The first signal run of the last signals() call at or after from. */
static struct detect_run *
first_signal(struct detect_run *runs, size_t from)
{
	size_t i;

	for (i = 0; i < last_nruns; i++)
		if (runs[i].is_signal && runs[i].first >= from)
			return &runs[i];
	return NULL;
}

static void
test_step(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(300, 100, 0.02, 1);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	for (i = 150; i < 210; i++)
		p[i].x *= 2;
	detect_params_for_metric("request_rate", &prm);
	assert_int_equal(signals(&prm, p, 300, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_int_equal(r->dir, DETECT_UP);
	assert_true(r->first >= 149 && r->first <= 151);
	assert_true(r->last >= 208 && r->last <= 210);
	assert_false(r->flapping);
	assert_int_equal(r->cycles, 1);
	assert_true(r->quality > 0.8);
	assert_true(fabs(r->baseline - 100) < 5);
	assert_true(r->peak_value > 180);
	free(runs);
	free(p);
}

static void
test_step_down_and_direction(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(300, 100, 0.02, 2);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	for (i = 150; i < 200; i++)
		p[i].x *= 0.3;
	detect_params_for_metric("request_rate", &prm);
	assert_int_equal(signals(&prm, p, 300, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_int_equal(r->dir, DETECT_DOWN);
	free(runs);
	/* error_ratio only watches upwards: a drop is no signal. */
	for (i = 0; i < 300; i++)
		p[i].x /= 1000;
	detect_params_for_metric("error_ratio", &prm);
	assert_int_equal(signals(&prm, p, 300, 0, NULL), 0);
	free(p);
}

static void
test_spike(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(400, 250, 0.04, 3);

	(void)state;
	struct detect_run *runs = NULL;
	size_t i, k = 0;

	p[200].x *= 4;		/* a single-minute blip */
	p[260].x *= 3;
	p[262].x *= 3;		/* two blips close together */
	p[330].x *= 1.2;	/* a small one: nothing */
	detect_params_for_metric("latency_p99_ms", &prm);
	/* Extreme blips are spikes: signals, but too short to be more than
	 * watched (quality below 0.3), never an episode of their own. */
	assert_int_equal(signals(&prm, p, 400, 0, &runs), 2);
	for (i = 0; i < last_nruns; i++) {
		if (!runs[i].is_signal)
			continue;
		assert_true(runs[i].spike);
		assert_true(runs[i].quality < 0.3);
		assert_true(runs[i].first == 200 || runs[i].first == 260);
		k++;
	}
	assert_int_equal(k, 2);
	free(runs);
	free(p);
}

/* A pronounced fault of three minutes is a signal; a mild one is not. */
static void
test_short_extreme(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(300, 200, 0.03, 31);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	for (i = 150; i < 153; i++)
		p[i].x *= 5;
	for (i = 250; i < 253; i++)
		p[i].x *= 1.6;	/* past enter, far from extreme */
	detect_params_for_metric("latency_p99_ms", &prm);
	assert_int_equal(signals(&prm, p, 300, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_int_equal(r->first, 150);
	assert_int_equal(r->last, 152);
	assert_true(r->short_extreme);
	assert_false(r->spike);
	/* strong enough to anchor an incident, weaker than a long one */
	assert_true(r->quality >= 0.35 && r->quality < 0.6);
	free(runs);
	free(p);
}

/* Windows and durations follow the series' own step. */
static void
test_any_step(void **state)
{
	struct detect_params prm;
	struct detect_grid g;
	struct detect_point *p = series(200, 100, 0.02, 32);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	detect_params_for_metric("request_rate", &prm);
	detect_grid_at(&prm, 60, &g);
	assert_int_equal(g.window, 45);
	assert_int_equal(g.min_baseline, 15);
	assert_int_equal(g.min_points, 5);
	assert_int_equal(g.merge_gap, 3);
	assert_int_equal(g.max_points, 240);
	detect_grid_at(&prm, 300, &g);
	assert_int_equal(g.min_points, 2);	/* 10 minutes, not 25 */
	assert_int_equal(g.min_baseline, 5);
	assert_true(g.window >= 12);
	assert_int_equal(g.max_points, 48);
	detect_grid_at(&prm, 1, &g);
	assert_int_equal(g.min_points, 300);
	assert_int_equal(g.window, 2700);

	/* Five-minute scrapes: a 15-minute doubling is a signal, onset at
	 * its first point, ending one step after its last. */
	for (i = 0; i < 200; i++)
		p[i].t = 1794787200.0 + 300.0 * (double)i;
	assert_true(detect_step(p, 200) == 300);
	for (i = 120; i < 123; i++)
		p[i].x *= 2;
	assert_int_equal(signals(&prm, p, 200, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_int_equal(r->first, 120);
	assert_true(r->step == 300);
	assert_false(r->short_extreme);
	free(runs);
	free(p);
}

/* A series with little history is judged, its quality saying so. */
static void
test_little_history(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(40, 100, 0.02, 33);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	for (i = 20; i < 40; i++)
		p[i].x *= 2;
	detect_params_for_metric("request_rate", &prm);
	assert_int_equal(signals(&prm, p, 40, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_int_equal(r->first, 20);
	assert_true(r->history < 45);
	assert_true(r->quality < 0.8);
	assert_true(r->quality > 0.3);
	free(runs);
	free(p);
}

static void
test_noise(void **state)
{
	struct detect_params prm;
	struct detect_point *p;
	const char *metrics[] = { "request_rate", "latency_p99_ms", "queue_depth" };
	size_t m;

	(void)state;
	for (m = 0; m < 3; m++) {
		p = series(1440, 300, 0.05, 10 + m);
		detect_params_for_metric(metrics[m], &prm);
		assert_int_equal(signals(&prm, p, 1440, 0, NULL), 0);
		free(p);
	}
	/* error ratios: small values with 15% relative noise */
	p = series(1440, 0.004, 0.15, 20);
	detect_params_for_metric("error_ratio", &prm);
	assert_int_equal(signals(&prm, p, 1440, 0, NULL), 0);
	free(p);
}

static void
test_drift(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(720, 100, 0.02, 4);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	/* +15% per hour for 12 hours: the trend baseline follows it. */
	for (i = 0; i < 720; i++)
		p[i].x *= 1 + 0.15 * (double)i / 60;
	detect_params_for_metric("request_rate", &prm);
	assert_int_equal(signals(&prm, p, 720, 0, NULL), 0);
	free(p);

	/* A memory leak: slow (the trailing baseline follows it), but once
	 * past the saturation level it has risen from where it was two hours
	 * before: a drift, caught as it crosses the level (0.8 at 180). */
	p = series(400, 1, 0.0, 5);
	for (i = 0; i < 400; i++)
		p[i].x = fmin(0.99, 0.5 + 0.1 * (double)i / 60 +
		    0.003 * sin((double)i));
	detect_params_for_metric("memory_utilization", &prm);
	assert_int_equal(signals(&prm, p, 400, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_true(p[r->first].x >= 0.8 && p[r->first].x < 0.85);
	assert_true(r->first >= 175 && r->first <= 190);
	assert_true(r->quality >= 0.3);
	free(runs);
	free(p);

	/* The same level held all along is no drift: nothing. */
	p = series(400, 0.85, 0.005, 6);
	assert_int_equal(signals(&prm, p, 400, 0, NULL), 0);
	free(p);
}

static void
test_seasonality(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(2880, 1, 0.0, 6);
	uint64_t seed = 77;
	double h, f;
	size_t i, m;

	(void)state;
	for (i = 0; i < 2880; i++) {
		m = i % 1440;
		h = (double)m / 60;
		f = 0.2 + 0.8 * (0.5 - 0.5 * cos(6.283185307179586 * (h - 4) / 24));
		/* A nightly batch job doubles the load 03:00-03:40. */
		if (m >= 180 && m < 220)
			f *= 3;
		p[i].x = 500 * f * (1 + 0.02 * gauss(&seed));
	}
	detect_params_for_metric("request_rate", &prm);
	/* Day 1 has nothing to compare the batch with; day 2 does. */
	assert_int_equal(signals(&prm, p, 2880, 1440, NULL), 0);
	/* Without the seasonal reference the batch job looks like a surge. */
	prm.period = 0;
	assert_true(signals(&prm, p, 2880, 1440, NULL) >= 1);
	free(p);
}

static void
test_flapping(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(400, 0.003, 0.1, 7);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	/* 60 minutes alternating 2 minutes up, 2 minutes normal. */
	for (i = 200; i < 260; i++)
		if ((i / 2) % 2 == 0)
			p[i].x += 0.02;
	detect_params_for_metric("error_ratio", &prm);
	assert_int_equal(signals(&prm, p, 400, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_true(r->flapping);
	assert_true(r->cycles >= 10);
	assert_true(r->longest < 5);
	assert_true(r->quality < 0.2);
	free(runs);

	/* The same excess held steadily is a clean, high-quality run. */
	for (i = 200; i < 260; i++)
		if ((i / 2) % 2 != 0)
			p[i].x += 0.02;
	assert_int_equal(signals(&prm, p, 400, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_false(r->flapping);
	assert_true(r->quality > 0.8);
	free(runs);
	free(p);
}

/* A neighbour that flipped in and out before going steadily abnormal: the
 * flips are split off as a flapping lead-in (never an anchor), and the
 * steady run starts where it became steady. */
static void
test_flapping_lead_in(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(400, 400, 0.05, 11);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	/* 3 minutes up, 3 minutes normal, twice, then 40 minutes up */
	for (i = 200; i < 212; i++)
		if ((i - 200) % 6 < 3)
			p[i].x *= 2.5;
	for (i = 212; i < 252; i++)
		p[i].x *= 2.5;
	detect_params_for_metric("latency_p99_ms", &prm);
	detect_series(&prm, p, 400, NULL, &runs, &last_nruns);
	r = NULL;
	for (i = 0; i < last_nruns; i++)
		if (runs[i].first >= 190 && !runs[i].flapping &&
		    runs[i].is_signal)
			r = &runs[i];
	assert_non_null(r);
	assert_int_equal(r->first, 212);
	assert_true(r->quality > 0.6);
	/* the lead-in is there, from 200, and flapping */
	for (i = 0; i < last_nruns && runs[i].first != 200; i++)
		;
	assert_true(i < last_nruns);
	assert_true(runs[i].flapping);
	assert_true(runs[i].last < 212);
	free(runs);

	/* Held steadily from the start, the run is one, from 200. */
	for (i = 200; i < 212; i++)
		if ((i - 200) % 6 >= 3)
			p[i].x *= 2.5;
	assert_int_equal(signals(&prm, p, 400, 190, &runs), 1);
	r = first_signal(runs, 190);
	assert_int_equal(r->first, 200);
	assert_false(r->flapping);
	free(runs);
	free(p);
}

/* A crash loop (restarts as the stage's rolling sum): a pod killed every
 * 7 minutes keeps the 15-minute sum at 2-3 restarts; the run's magnitude
 * is the strength it reached, so it is strong enough to anchor. */
static void
test_crash_loop(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(300, 0, 0, 1);
	struct detect_run *runs = NULL, *r;
	size_t i, j;

	(void)state;
	for (i = 200; i < 240; i++)
		for (j = 200; j <= i; j += 7)
			if (i - j < 15)
				p[i].x += 1;
	detect_params_for_metric("restarts", &prm);
	assert_int_equal(signals(&prm, p, 300, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_true(r->first >= 214 && r->first <= 216);
	assert_true(r->magnitude_z > r->median_z);
	assert_true(r->quality > 0.4);
	free(runs);
	free(p);
}

static void
test_hysteresis(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(300, 200, 0.03, 8);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	/* Enters at 2x, then hovers at 1.35x: above the exit threshold (1.25x)
	 * but below the enter threshold (1.5x), so the episode holds. */
	for (i = 150; i < 155; i++)
		p[i].x *= 2;
	for (i = 155; i < 200; i++)
		p[i].x = 270 * (1 + 0.01 * sin((double)i));
	detect_params_for_metric("latency_p99_ms", &prm);
	assert_int_equal(signals(&prm, p, 300, 0, &runs), 1);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_int_equal(r->cycles, 1);
	assert_true(r->last >= 198);
	free(runs);

	/* Hovering at 1.35x without the entry jump is no signal. */
	for (i = 150; i < 155; i++)
		p[i].x = 270;
	assert_int_equal(signals(&prm, p, 300, 0, NULL), 0);
	free(p);
}

static void
test_open_and_eval(void **state)
{
	struct detect_params prm;
	struct detect_point *p = series(200, 50, 0.02, 9);
	struct detect_eval *ev = calloc(200, sizeof *ev);
	struct detect_run *runs = NULL, *r;
	size_t i;

	(void)state;
	for (i = 190; i < 200; i++)
		p[i].x *= 3;
	detect_params_for_metric("queue_depth", &prm);
	detect_series(&prm, p, 200, ev, &runs, &last_nruns);
	r = first_signal(runs, 0);
	assert_non_null(r);
	assert_true(r->open);
	assert_false(ev[0].judged);
	assert_true(ev[100].judged);
	assert_false(ev[100].anomalous);
	assert_true(ev[195].anomalous);
	assert_true(ev[195].z > 5);
	assert_true(fabs(ev[195].baseline - 50) < 3);
	free(runs);
	free(ev);
	free(p);
}

/* Orders doubles for qsort (the reference median). */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
test_quality_and_median(void **state)
{
	double v[] = { 5, 1, 3, 2, 4 }, w[] = { 4, 1, 3, 2 }, a[61], b[61], want;
	uint64_t seed = 99;
	int t, n, i;

	(void)state;
	assert_true(detect_median(v, 5) == 3);
	assert_true(detect_median(w, 4) == 2.5);
	assert_true(isnan(detect_median(v, 0)));
	/* The selection agrees with sorting, duplicates included. */
	for (t = 0; t < 2000; t++) {
		n = 1 + (int)(fabs(gauss(&seed)) * 20) % 60;
		for (i = 0; i < n; i++)
			a[i] = b[i] = t % 3 == 0 ? floor(fabs(gauss(&seed)) * 2) :
			    gauss(&seed);
		qsort(b, (size_t)n, sizeof *b, cmp_double);
		want = n % 2 ? b[n / 2] : 0.5 * (b[n / 2 - 1] + b[n / 2]);
		assert_true(detect_median(a, (size_t)n) == want);
	}
	/* more magnitude, more duration, fewer cycles: higher quality */
	assert_true(detect_quality(20, 30, 30, 1, 60, 1) >
	    detect_quality(6, 30, 30, 1, 60, 1));
	assert_true(detect_quality(10, 30, 30, 1, 60, 1) >
	    detect_quality(10, 5, 5, 1, 60, 1));
	assert_true(detect_quality(10, 30, 60, 10, 60, 1) < 0.1);
	assert_true(detect_quality(40, 30, 30, 1, 60, 1) <= 1.0);
	assert_true(detect_quality(0, 30, 30, 1, 60, 1) == 0);
	/* duration is time: 3 points of 5 minutes count as 15 minutes */
	assert_true(detect_quality(20, 3, 3, 1, 300, 1) >
	    detect_quality(20, 3, 3, 1, 60, 1));
	assert_true(detect_quality(20, 3, 3, 1, 300, 1) ==
	    detect_quality(20, 15, 15, 1, 60, 1));
	/* little history: less quality */
	assert_true(detect_quality(20, 30, 30, 1, 60, 0.1) <
	    detect_quality(20, 30, 30, 1, 60, 1));
}

/* detect_per_minute against a brute force over random raw points: several
 * points a minute, gaps, sub-second times; means, and rolling sums over the
 * minutes of a window (what SQL's avg and windowed sum computed). */
static void
test_per_minute(void **state)
{
	struct detect_point raw[600], out[600];
	double t, want, sum, cnt, min_t;
	uint64_t s = 0x5eed;
	size_t n, m, i, k, round_, nmin;
	int sum_mode;

	(void)state;
	for (round_ = 0; round_ < 200; round_++) {
		sum_mode = round_ % 2;
		t = 1794787200 + (double)(round_ * 7);
		for (n = 0; n < 1 + round_ * 3 % 590; n++) {
			/* steps of 0..150 s, some fractional */
			t += fabs(gauss(&s)) * 50 + (n % 5 == 0 ? 0.25 : 0);
			raw[n].t = t;
			raw[n].x = sum_mode ? floor(fabs(gauss(&s)) * 2) :
			    100 + 10 * gauss(&s);
		}
		m = detect_per_minute(raw, n, sum_mode ? 840 : -1, out);
		/* minutes: strictly increasing, one per distinct minute */
		for (nmin = 0, i = 0; i < n; i++)
			if (i == 0 || floor(raw[i].t / 60) != floor(raw[i - 1].t / 60))
				nmin++;
		assert_int_equal(m, nmin);
		for (k = 0; k < m; k++) {
			assert_true(fmod(out[k].t, 60) == 0);
			if (k > 0)
				assert_true(out[k].t > out[k - 1].t);
			min_t = sum_mode ? out[k].t - 840 : out[k].t;
			/* per minute in the frame, oldest first: its sum; the
			 * frame's total adds those sums in order */
			want = 0;
			for (i = 0; i < n;) {
				double mt = floor(raw[i].t / 60) * 60;

				sum = 0;
				cnt = 0;
				for (; i < n && floor(raw[i].t / 60) * 60 == mt; i++) {
					sum = cnt == 0 ? raw[i].x : sum + raw[i].x;
					cnt++;
				}
				if (mt < min_t || mt > out[k].t)
					continue;
				want = sum_mode ? want + sum : sum / cnt;
			}
			assert_true(fabs(out[k].x - want) <= 1e-9 * fabs(want));
		}
	}
}

/* A random valid series of n one-minute points for a metric: a daily
 * pattern, noise, and random steps, spikes and flapping stretches. */
static struct detect_point *
random_series(const char *metric, size_t n, uint64_t *s)
{
	struct detect_point *p = calloc(n, sizeof *p);
	double level, rel, k;
	size_t i, j, a, len;
	int kinds, f;

	level = strcmp(metric, "error_ratio") == 0 ? 0.01 :
	    strcmp(metric, "cpu_utilization") == 0 ? 0.4 :
	    strcmp(metric, "restarts") == 0 ? 0 : 50 + fabs(gauss(s)) * 500;
	rel = 0.02 + fabs(gauss(s)) * 0.05;
	for (i = 0; i < n; i++) {
		p[i].t = 1794787200.0 + 60.0 * (double)i;
		p[i].x = level * (1 + 0.3 * sin((double)i / 1440 * 6.2832)) *
		    (1 + rel * gauss(s));
		if (strcmp(metric, "restarts") == 0)
			p[i].x = gauss(s) > 2.8 ? 1 : 0;
	}
	kinds = (int)(fabs(gauss(s)) * 4);
	for (f = 0; f < kinds; f++) {
		a = 1440 + (size_t)(fabs(gauss(s)) * 600) % (n - 1440);
		len = 1 + (size_t)(fabs(gauss(s)) * 60);
		k = gauss(s) > 0 ? 3 + fabs(gauss(s)) * 5 : 0.2;
		for (j = a; j < a + len && j < n; j++) {
			if (f % 3 == 2 && (j - a) / 5 % 2)
				continue;	/* flapping */
			p[j].x = strcmp(metric, "restarts") == 0 ? 4 :
			    strcmp(metric, "cpu_utilization") == 0 ? 0.97 :
			    p[j].x * k;
		}
	}
	return p;
}

/* Whether two runs are the same (indices shifted by nothing). */
static void
assert_same_run(const struct detect_run *a, const struct detect_run *b)
{
	assert_int_equal(a->first, b->first);
	assert_int_equal(a->last, b->last);
	assert_int_equal(a->peak, b->peak);
	assert_int_equal(a->dir, b->dir);
	assert_int_equal(a->cycles, b->cycles);
	assert_int_equal(a->anomalous, b->anomalous);
	assert_int_equal(a->open, b->open);
	assert_int_equal(a->spike, b->spike);
	assert_int_equal(a->flapping, b->flapping);
	assert_int_equal(a->is_signal, b->is_signal);
	assert_int_equal(a->history, b->history);
	assert_true(a->baseline == b->baseline);
	assert_true(a->quality == b->quality);
	assert_true(a->median_z == b->median_z);
}

/* Resuming from a saved state judges the new points exactly as judging the
 * whole history does (random series, random cuts; a property of
 * detect_series_from). */
static void
test_resume(void **state)
{
	static const char *metrics[] = { "request_rate", "error_ratio",
	    "latency_p99_ms", "cpu_utilization", "restarts" };
	struct detect_params prm;
	struct detect_state st, st2;
	struct detect_point *p;
	struct detect_eval *ea, *eb;
	struct detect_run *ra, *rb;
	size_t n = 2880, m, m2, na, nb, i, j, i0;
	uint64_t s = 0x7e5u;
	int round_, resumed = 0, chained = 0;

	(void)state;
	for (round_ = 0; round_ < 300; round_++) {
		const char *metric = metrics[round_ % 5];

		detect_params_for_metric(metric, &prm);
		p = random_series(metric, n, &s);
		m = 1500 + (size_t)(fabs(gauss(&s)) * 400) % (n - 1600);
		/* the state after judging the first m points */
		detect_series_from(&prm, p, m, NULL, NULL, &ra, &na, &st);
		free(ra);
		if (isnan(st.resume_t)) {
			free(p);
			continue;
		}
		resumed++;
		/* one more cut on the way, as runs follow each other */
		m2 = m + (size_t)(fabs(gauss(&s)) * 100) % (n - m);
		detect_series_from(&prm, p, m2, &st, NULL, &ra, &na, &st2);
		free(ra);
		/* a resumed series always has a state after: a newer one or
		 * the one it resumed from */
		assert_false(isnan(st2.resume_t));
		assert_true(st2.resume_t >= st.resume_t);
		if (st2.resume_t > st.resume_t)
			chained++;
		detect_state_free(&st);
		st = st2;
		for (i0 = 0; p[i0].t < st.resume_t; i0++)
			;
		ea = calloc(n, sizeof *ea);
		eb = calloc(n, sizeof *eb);
		detect_series_from(&prm, p, n, NULL, ea, &ra, &na, NULL);
		detect_series_from(&prm, p, n, &st, eb, &rb, &nb, NULL);
		for (i = 0; i < n; i++) {
			if (i < i0) {
				assert_int_equal(eb[i].judged, 0);
				continue;
			}
			assert_int_equal(ea[i].judged, eb[i].judged);
			assert_int_equal(ea[i].anomalous, eb[i].anomalous);
			assert_int_equal(ea[i].history, eb[i].history);
			assert_true(ea[i].baseline == eb[i].baseline);
			assert_true(ea[i].z == eb[i].z);
		}
		for (i = 0; i < na && ra[i].first < i0; i++)
			assert_true(ra[i].last < i0);
		assert_int_equal(na - i, nb);
		for (j = 0; j < nb; j++)
			assert_same_run(&ra[i + j], &rb[j]);
		free(ra);
		free(rb);
		free(ea);
		free(eb);
		detect_state_free(&st);
		free(p);
	}
	print_message("resumed %d, then advanced %d of 300\n", resumed, chained);
	/* most cuts land on a quiet stretch */
	assert_true(resumed >= 150);
	assert_true(chained >= 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_per_minute),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_step_down_and_direction),
		cmocka_unit_test(test_spike),
		cmocka_unit_test(test_short_extreme),
		cmocka_unit_test(test_any_step),
		cmocka_unit_test(test_little_history),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_seasonality),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_flapping_lead_in),
		cmocka_unit_test(test_crash_loop),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_open_and_eval),
		cmocka_unit_test(test_quality_and_median),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
