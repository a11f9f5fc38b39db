/*
 * chart.c - the console's tiny charts as text: confidence bars, sparklines
 * and the time axis of an incident timeline.  Block characters on UTF-8
 * terminals, ASCII otherwise.  Pure (no curses), unit-tested.
 */
#include "config.h"

#include <math.h>

#include "midwatch/buf.h"
#include "midwatch/tui.h"

/* Eighth blocks, left to right, for partial bar cells. */
static const char *const chart_eighths[] = {
	"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c",
	"\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"
};
#define CHART_FULL "\xe2\x96\x88"

/* Sparkline levels, low to high. */
static const char *const chart_levels[] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};
static const char chart_ascii_levels[] = "_.,-=+*#";

/* A bar of cols cells filled to frac. */
void
chart_bar(struct buf *b, double frac, int cols, int utf8)
{
	int eighths, full, i, part;

	if (cols <= 0)
		return;
	if (!(frac >= 0))	/* NaN too */
		frac = 0;
	if (frac > 1)
		frac = 1;
	{
		long e = lround(frac * cols * 8);

		eighths = (int)e;
	}
	full = eighths / 8;
	part = eighths % 8;
	for (i = 0; i < cols; i++) {
		if (i < full)
			buf_adds(b, utf8 ? CHART_FULL : "#");
		else if (i == full && part > 0)
			/* ASCII: a cell less than half full is the track, not
			 * a hole in it ("#######." at 0.9, not "####### ") */
			buf_adds(b, utf8 ? chart_eighths[part] : (part >= 4 ? "+" : "."));
		else
			buf_addc(b, utf8 ? ' ' : '.');
	}
}

/* Means of n values in cols buckets (see tui.h). */
int
chart_resample(const double *v, size_t n, int cols, double *out)
{
	size_t lo, hi, j;
	int c, used, cnt;
	double sum;

	if (n == 0 || cols <= 0)
		return 0;
	used = n < (size_t)cols ? (int)n : cols;
	for (c = 0; c < used; c++) {
		lo = (size_t)c * n / (size_t)used;
		hi = (size_t)(c + 1) * n / (size_t)used;
		if (hi <= lo)
			hi = lo + 1;
		sum = 0;
		cnt = 0;
		for (j = lo; j < hi && j < n; j++) {
			if (isfinite(v[j])) {
				sum += v[j];
				cnt++;
			}
		}
		out[c] = cnt > 0 ? sum / cnt : NAN;
	}
	return used;
}

/* One glyph per value between lo and hi. */
void
chart_spark(struct buf *b, const double *v, int n, double lo, double hi,
    int utf8)
{
	int i, lvl;
	double span = hi - lo;

	for (i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			buf_addc(b, ' ');
			continue;
		}
		if (!(span > 0))
			lvl = 0;
		else {
			double f = floor((v[i] - lo) / span * 8);

			lvl = f < 0 ? 0 : f > 7 ? 7 : (int)f;
			if (lvl < 0)
				lvl = 0;
			if (lvl > 7)
				lvl = 7;
		}
		if (utf8)
			buf_adds(b, chart_levels[lvl]);
		else
			buf_addc(b, chart_ascii_levels[lvl]);
	}
}

/* The axis column of t. */
int
chart_time_col(double t, double t0, double t1, int cols)
{
	double f;
	int c;

	if (cols <= 1 || !(t1 > t0))
		return 0;
	f = (t - t0) / (t1 - t0);
	{
		long lc = lround(f * (cols - 1));

		c = (int)lc;
	}
	if (c < 0)
		c = 0;
	if (c > cols - 1)
		c = cols - 1;
	return c;
}
