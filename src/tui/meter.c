/*
 * meter.c - the meters of the console's report views, as htop draws them:
 * a bar scaled from zero to the largest value shown beside it, and a
 * sparkline of a series scaled from zero to its maximum (so heights compare
 * with zero, not with the series' minimum).  Pure (no curses), built on
 * chart.c; unit-tested (tests/unit/test_meter.c).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "midwatch/buf.h"
#include "midwatch/tui.h"
#include "midwatch/xmalloc.h"

/* The share of max that v fills (see tui.h). */
double
meter_frac(double v, double max)
{
	double f;

	if (!isfinite(v) || !isfinite(max) || !(max > 0) || !(v > 0))
		return 0;
	f = v / max;
	return f > 1 ? 1 : f;
}

/* A bar of v out of max (see tui.h). */
void
meter_bar(struct buf *b, double v, double max, int cols, int utf8)
{
	chart_bar(b, meter_frac(v, max), cols, utf8);
}

/* A zero-based sparkline of n values in at most cols columns (see tui.h). */
int
meter_spark(struct buf *b, const double *v, size_t n, int cols, int utf8)
{
	double *col, hi = 0;
	int used, i;

	if (n == 0 || cols <= 0)
		return 0;
	col = xreallocarray(NULL, (size_t)cols, sizeof *col);
	used = chart_resample(v, n, cols, col);
	for (i = 0; i < used; i++)
		if (isfinite(col[i]) && col[i] > hi)
			hi = col[i];
	/* chart_spark puts hi itself on the top level */
	chart_spark(b, col, used, 0, hi > 0 ? hi : 1, utf8);
	free(col);
	return used;
}
