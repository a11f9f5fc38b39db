/*
 * detect_ring.h - the detector's baseline rings (detect_ring.c): the last
 * normal (time, value) pairs of a series, kept also sorted so that the
 * robust line over them (medians, MAD) needs no selection; used by
 * detect_math.c and the unit tests, not part of any interface.
 */
#ifndef MIDWATCH_DETECT_RING_H
#define MIDWATCH_DETECT_RING_H

#include <stddef.h>

/* Whether x is NaN, infinite or -0: sorted arrays then give other bits
 * (or orders) than selection, so they are not used. */
int detect_special(double x);
/* Sorted arrays: inserts x into a[0..n-1] (room for n + 1); removes one x
 * (which is there) from a[0..n-1]; the median as detect_median gives it. */
void detect_sorted_insert(double *a, size_t n, double x);
void detect_sorted_remove(double *a, size_t n, double x);
double detect_sorted_median(const double *a, size_t n);

/* A ring of the last cap (time, value) pairs. */
struct dring {
	double *t, *v;		/* the pairs, slot head is the next written */
	size_t cap, n, head;
	/* The values sorted: all (sv, n of them) and the older and newer
	 * halves (so, sn: n / 2 each, as the trend's line takes them); kept
	 * only while the ring holds no NaN, infinity or -0 (special), whose
	 * order a selection and a sort may tell apart differently. */
	double *sv, *so, *sn;
	int sv_ok, halves_ok;
	size_t special;
	/* The line last computed (cached until the ring changes). */
	int cached, ctrend;
	double slope, level, sigma, tm, lo;
	double *tmp;		/* 3 * cap scratch doubles */
	size_t *perm;		/* the occupied slots, by detrended value last
				 * sorted (nearly sorted the next time) */
};

/* A ring for cap pairs (cap >= 1); dring_free frees its arrays. */
void dring_init(struct dring *r, size_t cap);
void dring_free(struct dring *r);
/* Empties the ring. */
void dring_clear(struct dring *r);
/* Appends (t, x), dropping the oldest pair when full. */
void dring_push(struct dring *r, double t, double x);
/* Fills the ring from the latest of n (t, x) pairs. */
void dring_load(struct dring *r, const double *t, const double *x, size_t n);
/* Copies the ring out, oldest first, into malloc'd arrays. */
void dring_save(const struct dring *r, double **t, double **x, size_t *n);

/*
 * The baseline at time t from the ring: a robust line (the slope between the
 * medians of the older and the newer half, the level a median of the
 * detrended values), extrapolated from the ring's centre with a damped trend
 * (slope * tau * (1 - exp(-dt / tau))), and 1.4826 * MAD of the residuals.
 * Without trend (or with few points) it is the plain median.  The ring must
 * hold a pair.
 */
void dring_line(struct dring *r, int trend, double t, double *base,
    double *sigma);
/* The same computed directly by selection on copies of the ring (the
 * reference dring_line equals bit for bit; tmp holds 3 * cap doubles). */
void dring_line_ref(const struct dring *r, int trend, double t, double *tmp,
    double *base, double *sigma);

#endif
