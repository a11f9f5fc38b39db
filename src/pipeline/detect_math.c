/*
 * detect_math.c - the detector's pure maths (see detect.h): robust trailing
 * and seasonal baselines, hysteresis episodes, merging of episodes across
 * short gaps into runs, and the run quality score.  Works on one series
 * window held by the caller; allocates only its small buffers.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/detect.h"
#include "midwatch/xmalloc.h"

/* Time constant of the damped trend extrapolation, in seconds: a trend is
 * followed for about this long, then the baseline levels off (a daily curve
 * bends; a straight line would not). */
#define DETECT_TAU 1800.0

/* ---- parameters ---------------------------------------------------------- */

/* Sets the fields every series kind shares. */
static void
params_common(struct detect_params *p)
{
	memset(p, 0, sizeof *p);
	p->dir = DETECT_BOTH;
	p->window = 45;
	p->min_baseline = 15;
	p->use_z = 1;
	p->trend = 1;
	p->enter_z = 5.0;
	p->exit_z = 2.5;
	p->min_points = 5;
	p->merge_gap = 3;
	p->max_points = 240;
	p->period = 86400.0;
	p->period_half = 600.0;
}

/* Default parameters by metric meaning (thresholds in doc/pipeline.md). */
void
detect_params_for_metric(const char *metric, struct detect_params *p)
{
	params_common(p);
	if (strcmp(metric, "request_rate") == 0) {
		p->enter_rel = 0.4;
		p->exit_rel = 0.2;
		p->floor_rel = 0.02;
	} else if (strcmp(metric, "error_ratio") == 0) {
		p->dir = DETECT_UP;
		p->enter_abs = 0.01;
		p->exit_abs = 0.005;
		p->enter_rel = 2.0;
		p->exit_rel = 1.0;
		p->floor_abs = 0.001;
		p->floor_rel = 0.1;
	} else if (strcmp(metric, "latency_p99_ms") == 0) {
		p->dir = DETECT_UP;
		p->enter_rel = 0.5;
		p->exit_rel = 0.25;
		p->floor_rel = 0.03;
		p->floor_abs = 0.5;
	} else if (strcmp(metric, "cpu_utilization") == 0 ||
	    strcmp(metric, "memory_utilization") == 0) {
		p->dir = DETECT_UP;
		p->level_enter = 0.8;
		p->level_exit = 0.75;
		p->level_hard = 0.95;
		p->enter_abs = 0.15;
		p->exit_abs = 0.08;
		p->floor_abs = 0.01;
	} else if (strcmp(metric, "restarts") == 0) {
		/* Judged on the stage's rolling 15-minute sum: a level rule. */
		p->dir = DETECT_UP;
		p->use_z = 0;
		p->trend = 0;
		p->level_enter = 3.0;
		p->level_exit = 2.0;
		p->floor_abs = 1.0;
		p->min_baseline = 1;
		p->min_points = 1;
		p->period = 0;
	} else {
		p->enter_rel = 0.5;
		p->exit_rel = 0.25;
		p->floor_rel = 0.05;
		p->floor_abs = 1e-9;
	}
}

/* Parameters for a funnel conversion ratio (snapshots every few minutes). */
void
detect_params_for_conversion(struct detect_params *p)
{
	params_common(p);
	p->dir = DETECT_DOWN;
	p->window = 24;
	p->min_baseline = 6;
	p->enter_z = 4.0;
	p->exit_z = 2.0;
	p->enter_rel = 0.2;
	p->exit_rel = 0.1;
	p->floor_rel = 0.03;
	p->floor_abs = 1e-6;
	p->min_points = 2;
	p->merge_gap = 1;
	p->max_points = 48;
}

/* ---- small statistics ---------------------------------------------------- */

/* Returns the k-th smallest of v[0..n-1] (0-based), reordering v so that
 * v[k] holds it, everything before is <= and everything after >= (Hoare's
 * selection: linear on average, where sorting would be n log n). */
static double
select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, i, j;
	double pivot, t;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Median of v (reorders v). */
double
detect_median(double *v, size_t n)
{
	double a, b;
	size_t i;

	if (n == 0)
		return NAN;
	a = select_kth(v, n, n / 2);
	if (n % 2)
		return a;
	/* The lower middle is the largest of the lower half. */
	b = v[0];
	for (i = 1; i < n / 2; i++)
		if (v[i] > b)
			b = v[i];
	return 0.5 * (a + b);
}

/* A ring of the last cap (time, value) pairs. */
struct ring {
	double *t, *v;
	size_t cap, n, head;
};

/* Appends (t, x), dropping the oldest pair when full. */
static void
ring_push(struct ring *r, double t, double x)
{
	r->t[r->head] = t;
	r->v[r->head] = x;
	r->head = (r->head + 1) % r->cap;
	if (r->n < r->cap)
		r->n++;
}

/* Mean of v[0..n-1]. */
static double
mean(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return n > 0 ? s / (double)n : 0;
}

/*
 * The baseline at time t from the ring: a robust line (the slope between the
 * medians of the older and the newer half, the level a median of the
 * detrended values), extrapolated from the ring's centre with a damped trend
 * (slope * tau * (1 - exp(-dt / tau))), and 1.4826 * MAD of the residuals.  Without trend (or with
 * few points) it is the plain median.  tmp holds 3 * cap doubles.
 */
static void
ring_line(const struct ring *r, int trend, double t, double *tmp, double *base,
    double *sigma)
{
	double *xs = tmp, *ts = tmp + r->cap, *w = tmp + 2 * r->cap;
	double slope = 0, tm, level, dt, lo = INFINITY;
	size_t i, n = r->n, h, start = (r->head + r->cap - n) % r->cap;

	for (i = 0; i < n; i++) {
		xs[i] = r->v[(start + i) % r->cap];
		ts[i] = r->t[(start + i) % r->cap];
		if (xs[i] < lo)
			lo = xs[i];
	}
	tm = mean(ts, n);
	if (trend && n >= 8) {
		h = n / 2;
		memcpy(w, xs, h * sizeof *w);
		slope = detect_median(w, h);
		memcpy(w, xs + n - h, h * sizeof *w);
		dt = mean(ts + n - h, h) - mean(ts, h);
		slope = dt > 0 ? (detect_median(w, h) - slope) / dt : 0;
	}
	for (i = 0; i < n; i++)
		w[i] = xs[i] - slope * (ts[i] - tm);
	level = detect_median(w, n);
	for (i = 0; i < n; i++)
		w[i] = fabs(xs[i] - slope * (ts[i] - tm) - level);
	*sigma = 1.4826 * detect_median(w, n);
	dt = t - tm;
	if (dt > 0)
		dt = DETECT_TAU * (1 - exp(-dt / DETECT_TAU));
	*base = level + slope * dt;
	if (lo >= 0 && *base < 0)
		*base = 0;
}

/* ---- one baseline -------------------------------------------------------- */

struct base {
	int ok;
	double b, scale;
};

/* The scale with its floors applied. */
static double
floored(const struct detect_params *p, double sigma, double b)
{
	double s = sigma;

	if (s < p->floor_abs)
		s = p->floor_abs;
	if (s < p->floor_rel * fabs(b))
		s = p->floor_rel * fabs(b);
	if (s <= 0)
		s = 1e-12;
	return s;
}

/* Whether x passes the enter (enter != 0) or exit tests in direction s. */
static int
passes(const struct detect_params *p, const struct base *bs, int nb, double x,
    int s, int enter)
{
	double d, zt = enter ? p->enter_z : p->exit_z;
	double rel = enter ? p->enter_rel : p->exit_rel;
	double abs_ = enter ? p->enter_abs : p->exit_abs;
	double lvl = enter ? p->level_enter : p->level_exit;
	int i, any = 0;

	if (lvl > 0 && (s < 0 || x < lvl))
		return 0;
	if (p->level_hard > 0 && s > 0 && x >= p->level_hard)
		return 1;
	for (i = 0; i < nb; i++) {
		if (!bs[i].ok)
			continue;
		any = 1;
		d = s * (x - bs[i].b);
		if (d <= 0)
			return 0;
		if (p->use_z && d / bs[i].scale < zt)
			return 0;
		if (rel > 0 && d < rel * fabs(bs[i].b))
			return 0;
		if (abs_ > 0 && d < abs_)
			return 0;
	}
	return any;
}

/* Whether x is an excursion against the watched direction of a one-way
 * series, as far out as the enter tests ask (the ratio mirrored: three
 * times up mirrors to a third down). */
static int
passes_mirror(const struct detect_params *p, const struct base *bs, int nb,
    double x, int s)
{
	double d;
	int i, any = 0;

	for (i = 0; i < nb; i++) {
		if (!bs[i].ok)
			continue;
		any = 1;
		d = s * (x - bs[i].b);
		if (d <= 0 || (p->use_z && d / bs[i].scale < p->enter_z))
			return 0;
		if (p->enter_rel > 0 && s < 0 &&
		    x > bs[i].b / (1 + p->enter_rel))
			return 0;
		if (p->enter_rel > 0 && s > 0 &&
		    x < bs[i].b * (1 + p->enter_rel))
			return 0;
		if (p->enter_abs > 0 && d < p->enter_abs)
			return 0;
	}
	return any;
}

/* The smallest |z| in direction s over the available baselines (at least
 * enter_z for a point past the hard level). */
static double
min_z(const struct detect_params *p, const struct base *bs, int nb, double x,
    int s)
{
	double z, best = INFINITY;
	int i;


	for (i = 0; i < nb; i++) {
		if (!bs[i].ok)
			continue;
		z = s * (x - bs[i].b) / bs[i].scale;
		if (z < best)
			best = z;
	}
	if (isinf(best))
		best = 0;
	if (p->level_hard > 0 && s > 0 && x >= p->level_hard && best < p->enter_z)
		best = p->enter_z;
	return best;
}

/* ---- seasonal reference -------------------------------------------------- */

/* Fills ref[i] with the median of the points one period before pts[i]
 * (within period_half), or NAN when fewer than 5 such points exist. */
static void
seasonal_refs(const struct detect_params *p, const struct detect_point *pts,
    size_t n, double *ref)
{
	size_t i, lo = 0, hi = 0, k;
	double *tmp;

	if (p->period <= 0) {
		for (i = 0; i < n; i++)
			ref[i] = NAN;
		return;
	}
	tmp = xcalloc(n + 1, sizeof *tmp);
	for (i = 0; i < n; i++) {
		double from = pts[i].t - p->period - p->period_half;
		double to = pts[i].t - p->period + p->period_half;

		while (lo < n && pts[lo].t < from)
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < n && pts[hi].t <= to)
			hi++;
		ref[i] = NAN;
		if (hi - lo >= 5) {
			for (k = lo; k < hi; k++)
				tmp[k - lo] = pts[k].x;
			ref[i] = detect_median(tmp, hi - lo);
		}
	}
	free(tmp);
}

/* ---- episodes and runs --------------------------------------------------- */

struct episode {
	size_t first, last;
	int dir;
	int level_shift;
};

/* Quality: magnitude x duration x cleanliness, each in 0..1. */
double
detect_quality(double median_z, int anomalous, int span, int cycles)
{
	double m, d, c;

	m = median_z > 0 ? log(1 + median_z / 5) / log(5) : 0;
	if (m > 1)
		m = 1;
	d = anomalous >= 15 ? 1 : sqrt(anomalous / 15.0);
	c = span > 0 ? (double)anomalous / span : 0;
	c /= 1 + 0.5 * (cycles > 1 ? cycles - 1 : 0);
	return m * d * c;
}

/* Builds the run of episodes ep[a..b] (inclusive). */
static void
make_run(const struct detect_params *p, const struct detect_point *pts,
    const struct detect_eval *ev, const double *absz, const struct episode *ep,
    size_t a, size_t b, int open, struct detect_run *r)
{
	size_t i, k, m = 0, span;
	double *zs;
	int len;

	memset(r, 0, sizeof *r);
	r->first = ep[a].first;
	r->last = ep[b].last;
	r->dir = ep[a].dir;
	r->baseline = ev[r->first].baseline;
	r->cycles = (int)(b - a + 1);
	r->open = open;
	span = r->last - r->first + 1;
	zs = xcalloc(span, sizeof *zs);
	r->peak = r->first;
	for (k = a; k <= b; k++) {
		len = (int)(ep[k].last - ep[k].first + 1);
		if (len > r->longest)
			r->longest = len;
		if (ep[k].level_shift)
			r->level_shift = 1;
		for (i = ep[k].first; i <= ep[k].last; i++) {
			zs[m++] = absz[i];
			if (absz[i] > absz[r->peak])
				r->peak = i;
		}
	}
	r->anomalous = (int)m;
	r->peak_value = pts[r->peak].x;
	r->peak_z = absz[r->peak];
	r->median_z = detect_median(zs, m);
	free(zs);
	r->flapping = r->cycles >= 4 && r->anomalous < 0.8 * (double)span;
	r->is_signal = r->longest >= p->min_points ||
	    (r->cycles >= 3 && r->anomalous >= 2 * p->min_points);
	r->quality = detect_quality(r->median_z, r->anomalous, (int)span,
	    r->cycles);
}

/* Judges a series (see detect.h). */
void
detect_series(const struct detect_params *p, const struct detect_point *pts,
    size_t n, struct detect_eval *eval, struct detect_run **runs, size_t *nruns)
{
	struct ring tr, sr;
	struct base bs[2];
	struct detect_eval *ev = eval;
	struct episode *eps = NULL;
	double *ref, *tmp, *absz, med, sig;
	size_t neps = 0, i, j, a, start = 0, ignored = 0;
	int in_ep = 0, s, dirs[2], nd, k, ok;

	*runs = NULL;
	*nruns = 0;
	if (n == 0)
		return;
	if (ev == NULL)
		ev = xcalloc(n, sizeof *ev);
	memset(ev, 0, n * sizeof *ev);
	ref = xcalloc(n, sizeof *ref);
	absz = xcalloc(n, sizeof *absz);
	seasonal_refs(p, pts, n, ref);
	tr.cap = sr.cap = (size_t)(p->window > 0 ? p->window : 1);
	tr.n = sr.n = tr.head = sr.head = 0;
	tr.v = xcalloc(tr.cap, sizeof *tr.v);
	tr.t = xcalloc(tr.cap, sizeof *tr.t);
	sr.v = xcalloc(sr.cap, sizeof *sr.v);
	sr.t = xcalloc(sr.cap, sizeof *sr.t);
	tmp = xcalloc(3 * tr.cap, sizeof *tmp);
	nd = 0;
	if (p->dir >= 0)
		dirs[nd++] = DETECT_UP;
	if (p->dir <= 0)
		dirs[nd++] = DETECT_DOWN;
	eps = xcalloc(n, sizeof *eps);

	for (i = 0; i < n; i++) {
		double x = pts[i].x;

		/* The baselines from the normal points seen so far. */
		bs[0].ok = bs[1].ok = 0;
		if ((int)tr.n >= p->min_baseline) {
			ring_line(&tr, p->trend, pts[i].t, tmp, &med, &sig);
			bs[0].ok = 1;
			bs[0].b = med;
			bs[0].scale = floored(p, sig, med);
		}
		if (!isnan(ref[i]) && (int)sr.n >= p->min_baseline) {
			ring_line(&sr, 0, pts[i].t, tmp, &med, &sig);
			bs[1].ok = 1;
			bs[1].b = ref[i] + med;
			bs[1].scale = floored(p, sig, bs[1].b);
		}
		k = bs[1].ok ? 1 : 0;
		ev[i].judged = bs[0].ok || bs[1].ok;
		if (ev[i].judged) {
			ev[i].baseline = bs[k].b;
			ev[i].scale = bs[k].scale;
			ev[i].z = (x - bs[k].b) / bs[k].scale;
		}

		if (in_ep) {
			s = eps[neps].dir;
			if (ev[i].judged && passes(p, bs, 2, x, s, 0)) {
				ev[i].anomalous = 1;
				absz[i] = min_z(p, bs, 2, x, s);
				eps[neps].last = i;
				if ((int)(i - eps[neps].first + 1) >= p->max_points) {
					/* A new normal level: re-baseline on it. */
					eps[neps].level_shift = 1;
					neps++;
					in_ep = 0;
					tr.n = tr.head = sr.n = sr.head = 0;
					start = i + 1 > tr.cap ? i + 1 - tr.cap : 0;
					for (j = start; j <= i; j++) {
						ring_push(&tr, pts[j].t, pts[j].x);
						if (!isnan(ref[j]))
							ring_push(&sr, pts[j].t,
							    pts[j].x - ref[j]);
					}
				}
				continue;
			}
			neps++;
			in_ep = 0;
		}
		ok = 0;
		if (ev[i].judged) {
			for (k = 0; k < nd && !ok; k++) {
				if (passes(p, bs, 2, x, dirs[k], 1)) {
					ok = 1;
					in_ep = 1;
					eps[neps].first = eps[neps].last = i;
					eps[neps].dir = dirs[k];
					eps[neps].level_shift = 0;
					ev[i].anomalous = 1;
					absz[i] = min_z(p, bs, 2, x, dirs[k]);
				}
			}
		}
		/* An excursion in a direction nobody watches (an error ratio
		 * dropping) is kept out of the baseline, so the way back is not
		 * taken for a spike; held long enough it becomes the new level. */
		if (!ok && ev[i].judged && nd == 1 &&
		    passes_mirror(p, bs, 2, x, -dirs[0])) {
			if (++ignored < (size_t)p->max_points)
				continue;
			start = i + 1 - ignored;
			for (j = start; j <= i; j++) {
				ring_push(&tr, pts[j].t, pts[j].x);
				if (!isnan(ref[j]))
					ring_push(&sr, pts[j].t, pts[j].x - ref[j]);
			}
			ignored = 0;
			continue;
		}
		ignored = 0;
		if (!ok) {
			ring_push(&tr, pts[i].t, x);
			if (!isnan(ref[i]))
				ring_push(&sr, pts[i].t, x - ref[i]);
		}
	}
	if (in_ep)
		neps++;

	/* Merge episodes of one direction separated by short quiet gaps. */
	if (neps > 0) {
		*runs = xcalloc(neps, sizeof **runs);
		a = 0;
		for (j = 1; j <= neps; j++) {
			if (j < neps && eps[j].dir == eps[a].dir &&
			    !eps[j - 1].level_shift &&
			    eps[j].first - eps[j - 1].last - 1 <= (size_t)p->merge_gap)
				continue;
			make_run(p, pts, ev, absz, eps, a, j - 1,
			    j == neps && in_ep, &(*runs)[(*nruns)++]);
			a = j;
		}
	}
	free(eps);
	free(tmp);
	free(sr.v);
	free(sr.t);
	free(tr.v);
	free(tr.t);
	free(absz);
	free(ref);
	if (ev != eval)
		free(ev);
}
