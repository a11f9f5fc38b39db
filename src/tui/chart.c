/*
 * chart.c - the console's tiny charts as text: confidence bars, sparklines,
 * area charts of a metric over its baseline band, and the time axis of an
 * incident timeline.  Block characters on UTF-8
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
/* Light shade, for a baseline band. */
#define CHART_SHADE "\xe2\x96\x91"
/* Above and below a band. */
#define CHART_ABOVE "\xe2\x96\xb2"
#define CHART_BELOW "\xe2\x96\xbc"

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

/* ---- area chart with a baseline band ------------------------------------- */

/* Where v lies on lo..hi, 0..1 (clamped; 0 for an empty scale). */
static double
chart_frac(double v, double lo, double hi)
{
	double f;

	if (!(hi > lo))
		return 0;
	f = (v - lo) / (hi - lo);
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* The eighths a value fills (see tui.h). */
int
chart_fill(double v, double lo, double hi, int rows)
{
	long e;

	if (!isfinite(v) || rows <= 0)
		return -1;
	e = lround(chart_frac(v, lo, hi) * (rows * 8 - 1));
	return 1 + (int)e;
}

/* The eighths a band covers (see tui.h). */
void
chart_band_span(double blo, double bhi, double lo, double hi, int rows,
    int *b0, int *b1)
{
	int top = rows * 8;

	*b0 = *b1 = -1;
	if (!isfinite(blo) || !isfinite(bhi) || rows <= 0)
		return;
	if (bhi < blo) {
		double t = blo;

		blo = bhi;
		bhi = t;
	}
	{
		double f0 = floor(chart_frac(blo, lo, hi) * top);
		double f1 = ceil(chart_frac(bhi, lo, hi) * top);

		*b0 = (int)f0;
		*b1 = (int)f1;
	}
	if (*b0 >= top)
		*b0 = top - 1;
	if (*b1 <= *b0)
		*b1 = *b0 + 1;
}

/* One glyph of an area chart (see tui.h). */
void
chart_area_cell(struct buf *b, int fill, int b0, int b1, int row, int utf8)
{
	int base = row * 8, f = fill - base;

	if (f >= 8)
		buf_adds(b, utf8 ? CHART_FULL : "#");
	else if (f > 0) {
		if (utf8)
			buf_adds(b, chart_levels[f - 1]);
		else
			buf_addc(b, f >= 4 ? '#' : '_');
	} else if (b0 >= 0 && b0 < base + 8 && b1 > base)
		buf_adds(b, utf8 ? CHART_SHADE : ":");
	else
		buf_addc(b, ' ');
}

/* One row of an area chart (see tui.h). */
void
chart_area_row(struct buf *b, int row, int rows, const double *v,
    const double *blo, const double *bhi, int n, double lo, double hi,
    int utf8)
{
	int c, b0, b1;

	for (c = 0; c < n; c++) {
		b0 = b1 = -1;
		if (blo != NULL && bhi != NULL)
			chart_band_span(blo[c], bhi[c], lo, hi, rows, &b0, &b1);
		chart_area_cell(b, chart_fill(v[c], lo, hi, rows), b0, b1, row,
		    utf8);
	}
}

/* Where each value lies against its band (see tui.h). */
void
chart_band_marks(struct buf *b, const double *v, const double *blo,
    const double *bhi, int n, int utf8)
{
	int c;

	for (c = 0; c < n; c++) {
		if (!isfinite(v[c]) || !isfinite(blo[c]) || !isfinite(bhi[c]))
			buf_addc(b, ' ');
		else if (v[c] > bhi[c])
			buf_adds(b, utf8 ? CHART_ABOVE : "^");
		else if (v[c] < blo[c])
			buf_adds(b, utf8 ? CHART_BELOW : "v");
		else
			buf_adds(b, utf8 ? CHART_SHADE : ":");
	}
}
