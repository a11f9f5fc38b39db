/*
 * detect_minutes.c - the per-minute series the detector judges, from one
 * series' raw points (see detect.h): each minute's mean, or for a counter
 * judged by a level (restarts) the rolling sum over the minutes of a
 * window.  It computes in C what the detect stage once asked SQL for
 * (avg per date_trunc('minute'), then sum() OVER a RANGE frame), in the
 * same order of additions, so the values are the same to the bit.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>

#include "midwatch/detect.h"

/* See detect.h. */
size_t
detect_per_minute(const struct detect_point *raw, size_t n, double sum_window_s,
    struct detect_point *out)
{
	size_t i, j, k, m = 0, head = 0;
	double minute, s, c;

	/* Each minute's sum (in .x) and count; then mean or rolling sum. */
	for (i = 0; i < n; i = j) {
		minute = floor(raw[i].t / 60) * 60;
		s = raw[i].x;
		c = 1;
		for (j = i + 1; j < n && floor(raw[j].t / 60) * 60 == minute;
		    j++) {
			s += raw[j].x;
			c += 1;
		}
		out[m].t = minute;
		/* out[m].x: the sum now; the mean is taken below, once the
		 * rolling sums (which need the sums) are done */
		out[m].x = s;
		if (sum_window_s < 0)
			out[m].x = s / c;
		m++;
	}
	if (sum_window_s < 0)
		return m;
	/* Rolling sums, newest first so each reads sums not yet replaced:
	 * the minutes in [t - sum_window_s, t], added oldest first. */
	for (k = m; k-- > 0;) {
		for (head = k; head > 0 && out[head - 1].t >= out[k].t -
		    sum_window_s; head--)
			;
		s = out[head].x;
		for (i = head + 1; i <= k; i++)
			s += out[i].x;
		out[k].x = s;
	}
	return m;
}
