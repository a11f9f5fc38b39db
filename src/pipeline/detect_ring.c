/*
 * detect_ring.c - the detector's small robust statistics (see detect_ring.h):
 * the median by selection, sorted arrays kept up to date as values come and
 * go, and the baseline rings with their robust line (medians and MAD read
 * off sorted values, cached while the ring does not change).  Every result
 * equals, bit for bit, what selection on copies gives (dring_line_ref).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/detect.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

#include "detect_ring.h"

/* ---- selection ----------------------------------------------------------- */

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

/* ---- sorted arrays ------------------------------------------------------- */

/* Whether sorted order could differ from what selection picks: NaN has no
 * order, infinities make NaN distances, and -0 ties +0 with other bits. */
int
detect_special(double x)
{
	return !isfinite(x) || (x == 0 && signbit(x));
}

/* The first index of sorted a[0..n-1] holding a value >= x. */
static size_t
lower_bound(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n, m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (a[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* Inserts x into sorted a[0..n-1] (room for n + 1). */
void
detect_sorted_insert(double *a, size_t n, double x)
{
	size_t i = lower_bound(a, n, x);

	memmove(a + i + 1, a + i, (n - i) * sizeof *a);
	a[i] = x;
}

/* Removes one x (it is there) from sorted a[0..n-1]. */
void
detect_sorted_remove(double *a, size_t n, double x)
{
	size_t i = lower_bound(a, n, x);

	memmove(a + i, a + i + 1, (n - i - 1) * sizeof *a);
}

/* Replaces one old (it is there) in sorted a[0..n-1] by x, moving only
 * what lies between the two. */
static void
sorted_replace(double *a, size_t n, double old, double x)
{
	size_t i = lower_bound(a, n, old);

	if (x > old)
		for (; i + 1 < n && a[i + 1] < x; i++)
			a[i] = a[i + 1];
	else
		for (; i > 0 && a[i - 1] > x; i--)
			a[i] = a[i - 1];
	a[i] = x;
}

/* Sorts a[0..n-1] (insertion: a few dozen values). */
static void
sort_small(double *a, size_t n)
{
	size_t i, j;
	double x;

	for (i = 1; i < n; i++) {
		x = a[i];
		for (j = i; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/* The median of sorted a[0..n-1], as detect_median computes it. */
double
detect_sorted_median(const double *a, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2)
		return a[n / 2];
	return 0.5 * (a[n / 2] + a[n / 2 - 1]);
}

/* The median of |a[i] - m| over sorted a[0..n-1] (n >= 1): the distances
 * below m (read downwards) and above it (upwards) are each sorted, so
 * merging them up to the middle gives the middle ones. */
static double
sorted_mad(const double *a, size_t n, double m)
{
	size_t r = lower_bound(a, n, m), l = r, k;
	double d = 0, prev = 0, dl, dr;

	for (k = 0; k <= n / 2; k++) {
		prev = d;
		dl = l > 0 ? m - a[l - 1] : 0;
		dr = r < n ? a[r] - m : 0;
		if (l > 0 && (r == n || dl <= dr)) {
			d = dl;
			l--;
		} else {
			d = dr;
			r++;
		}
	}
	return n % 2 ? d : 0.5 * (d + prev);
}

/* ---- rings --------------------------------------------------------------- */

void
dring_init(struct dring *r, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->cap = cap;
	r->t = xcalloc(cap, sizeof *r->t);
	r->v = xcalloc(cap, sizeof *r->v);
	r->sv = xcalloc(cap, sizeof *r->sv);
	r->so = xcalloc(cap / 2 + 1, sizeof *r->so);
	r->sn = xcalloc(cap / 2 + 1, sizeof *r->sn);
	r->tmp = xcalloc(3 * cap, sizeof *r->tmp);
	r->perm = xcalloc(cap, sizeof *r->perm);
	r->sv_ok = 1;
}

void
dring_free(struct dring *r)
{
	free(r->t);
	free(r->v);
	free(r->sv);
	free(r->so);
	free(r->sn);
	free(r->tmp);
	free(r->perm);
}

void
dring_clear(struct dring *r)
{
	r->n = r->head = r->special = 0;
	r->sv_ok = 1;
	r->halves_ok = r->cached = 0;
}

/* The slot of the ring's i-th oldest pair. */
static size_t
slot(const struct dring *r, size_t i)
{
	return (r->head + r->cap - r->n + i) % r->cap;
}

/* Keeps the sorted arrays of r up to date with the push of x (r not yet
 * changed; old is the pair dropped when full). */
static void
sorted_push(struct dring *r, double x, int full, double old)
{
	size_t h = r->n / 2;

	if (r->special > 0) {
		r->sv_ok = r->halves_ok = 0;
		return;
	}
	if (r->sv_ok && full)
		sorted_replace(r->sv, r->n, old, x);
	else if (r->sv_ok)
		detect_sorted_insert(r->sv, r->n, x);
	if (!r->halves_ok || !full) {
		r->halves_ok = 0;
		return;
	}
	/* older half: old[1..h]; newer: old[n - h + 1..n - 1] and x */
	sorted_replace(r->so, h, old, r->v[(r->head + h) % r->cap]);
	sorted_replace(r->sn, h, r->v[(r->head + r->n - h) % r->cap], x);
}

void
dring_push(struct dring *r, double t, double x)
{
	int full = r->n == r->cap;
	double old = r->v[r->head];

	r->cached = 0;
	if (full && detect_special(old))
		r->special--;
	if (detect_special(x))
		r->special++;
	sorted_push(r, x, full, old);
	if (!full)
		r->perm[r->n] = r->head;
	r->t[r->head] = t;
	r->v[r->head] = x;
	r->head = (r->head + 1) % r->cap;
	if (!full)
		r->n++;
}

void
dring_load(struct dring *r, const double *t, const double *x, size_t n)
{
	size_t i = n > r->cap ? n - r->cap : 0;

	for (; i < n; i++)
		dring_push(r, t[i], x[i]);
}

void
dring_save(const struct dring *r, double **t, double **x, size_t *n)
{
	size_t i;

	*n = r->n;
	*t = xcalloc(r->n + 1, sizeof **t);
	*x = xcalloc(r->n + 1, sizeof **x);
	for (i = 0; i < r->n; i++) {
		(*t)[i] = r->t[slot(r, i)];
		(*x)[i] = r->v[slot(r, i)];
	}
}

/* ---- the robust line ----------------------------------------------------- */

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

/* The line (level, slope about tm) extrapolated to t with the damped
 * trend; never below 0 for a series that never was (lo: its least). */
static double
extrapolate(double level, double slope, double tm, double lo, double t)
{
	double dt = t - tm, tau = POLICY(DETECT_TREND_TAU), b;

	if (dt > 0)
		dt = tau * (1 - exp(-dt / tau));
	b = level + slope * dt;
	if (lo >= 0 && b < 0)
		b = 0;
	return b;
}

void
dring_line_ref(const struct dring *r, int trend, double t, double *tmp,
    double *base, double *sigma)
{
	double *xs = tmp, *ts = tmp + r->cap, *w = tmp + 2 * r->cap;
	double slope = 0, tm, level, dt, lo = INFINITY;
	size_t i, n = r->n, h;

	for (i = 0; i < n; i++) {
		xs[i] = r->v[slot(r, i)];
		ts[i] = r->t[slot(r, i)];
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
	*base = extrapolate(level, slope, tm, lo, t);
}

/* The means of the ring's times, each summed in the order mean() sums
 * them: of all (r->tm) and, for h > 0, of the h oldest (*older) and the h
 * newest (*newer). */
static void
ring_tmeans(struct dring *r, size_t h, double *older, double *newer)
{
	double s = 0, so = 0, sn = 0;
	size_t i, n = r->n, k = slot(r, 0);

	for (i = 0; i < n; i++) {
		s += r->t[k];
		if (i + 1 == h)
			so = s;
		if (h > 0 && i >= n - h)
			sn += r->t[k];
		if (++k == r->cap)
			k = 0;
	}
	r->tm = n > 0 ? s / (double)n : 0;
	if (h > 0) {
		*older = so / (double)h;
		*newer = sn / (double)h;
	}
}

/* Sorts count of the ring's values from the from-th oldest into dst. */
static void
ring_sorted(const struct dring *r, double *dst, size_t from, size_t count)
{
	size_t i, k = slot(r, from);

	for (i = 0; i < count; i++) {
		dst[i] = r->v[k];
		if (++k == r->cap)
			k = 0;
	}
	sort_small(dst, count);
}

/* The slope between the medians of the older and the newer half (their
 * times' means to and tn). */
static double
ring_slope(struct dring *r, double to, double tn)
{
	size_t n = r->n, h = n / 2;
	double dt;

	if (!r->halves_ok) {
		ring_sorted(r, r->so, 0, h);
		ring_sorted(r, r->sn, n - h, h);
		r->halves_ok = 1;
	}
	dt = tn - to;
	return dt > 0 ? (detect_sorted_median(r->sn, h) -
	    detect_sorted_median(r->so, h)) / dt : 0;
}

/* The detrended values (about r->tm) sorted into w, in the order they
 * had last time (r->perm, slots) then by insertion: the line moves little
 * from one point to the next, so that order is nearly sorted.  0, or -1
 * when a value is not finite. */
static int
detrended_sorted(struct dring *r, double slope, double *w)
{
	size_t i, j, k, n = r->n, *perm = r->perm;
	double x;

	for (i = 0; i < n; i++) {
		k = perm[i];
		x = r->v[k] - slope * (r->t[k] - r->tm);
		if (!isfinite(x))
			return -1;
		for (j = i; j > 0 && w[j - 1] > x; j--) {
			w[j] = w[j - 1];
			perm[j] = perm[j - 1];
		}
		w[j] = x;
		perm[j] = k;
	}
	return 0;
}

/* Fits the ring's line into its cache from the sorted values; 0, or -1
 * when they cannot stand in for selection (special values: see
 * detect_special). */
static int
ring_fit(struct dring *r, int trend)
{
	size_t n = r->n, h = trend && n >= 8 ? n / 2 : 0;
	double slope = 0, *w = r->sv, to = 0, tn = 0;

	if (r->special > 0 || n == 0)
		return -1;
	if (!r->sv_ok) {
		ring_sorted(r, r->sv, 0, n);
		r->sv_ok = 1;
	}
	ring_tmeans(r, h, &to, &tn);
	if (h > 0)
		slope = ring_slope(r, to, tn);
	/* without slope the detrended values are the values themselves */
	if (slope != 0) {
		w = r->tmp;
		if (detrended_sorted(r, slope, w) < 0)
			return -1;
	}
	r->level = detect_sorted_median(w, n);
	if (!isfinite(r->level))
		return -1;
	r->sigma = 1.4826 * sorted_mad(w, n, r->level);
	r->slope = slope;
	r->lo = r->sv[0];
	r->ctrend = trend;
	r->cached = 1;
	return 0;
}

void
dring_line(struct dring *r, int trend, double t, double *base, double *sigma)
{
	if (!(r->cached && r->ctrend == trend) && ring_fit(r, trend) < 0) {
		dring_line_ref(r, trend, t, r->tmp, base, sigma);
		return;
	}
	*sigma = r->sigma;
	*base = extrapolate(r->level, r->slope, r->tm, r->lo, t);
}
