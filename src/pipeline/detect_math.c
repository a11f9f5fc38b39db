/*
 * detect_math.c - the detector's pure maths (see detect.h): robust trailing
 * and seasonal baselines (their rings in detect_ring.c), hysteresis
 * episodes, merging of episodes across short gaps into runs, and the run
 * quality score.  Works on one series window held by the caller; allocates
 * only its small buffers.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/detect.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

#include "detect_ring.h"

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
    double drift, int s, int enter)
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
	/* a slow drift past the level: risen from where it was long ago */
	if (lvl > 0 && p->use_z && s > 0 && !isnan(drift) && abs_ > 0 &&
	    x - drift >= abs_)
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

/* The smallest |z| in direction s over the available baselines (see the
 * level rules at the end). */
static double
min_z(const struct detect_params *p, const struct base *bs, int nb, double x,
    double drift, int s)
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
	/* Level rules measure their own strength: past the hard level a
	 * point counts as a short extreme would; a level-only rule (restarts)
	 * scales enter_z by how far past its level the point is. */
	if (p->level_hard > 0 && s > 0 && x >= p->level_hard &&
	    best < POLICY(DETECT_SHORT_FACTOR) * p->enter_z)
		best = POLICY(DETECT_SHORT_FACTOR) * p->enter_z;
	if (!p->use_z && p->level_enter > 0 && s > 0)
		best = p->enter_z * x / p->level_enter;
	/* a drift past the level: how far it rose, in enter_abs steps */
	if (p->use_z && p->level_enter > 0 && p->enter_abs > 0 && s > 0 &&
	    x >= p->level_enter && !isnan(drift) &&
	    p->enter_z * (x - drift) / p->enter_abs > best)
		best = p->enter_z * (x - drift) / p->enter_abs;
	return best;
}

/* ---- seasonal reference -------------------------------------------------- */

/* The points pts[lo..hi) of a lagged window, their values also sorted (win,
 * nw of them) but for the special ones (detect_special), counted in nsp. */
struct lwin {
	double *win;
	size_t nw, nsp;
};

static void
lwin_add(struct lwin *w, double x)
{
	if (detect_special(x))
		w->nsp++;
	else
		detect_sorted_insert(w->win, w->nw++, x);
}

static void
lwin_drop(struct lwin *w, double x)
{
	if (detect_special(x))
		w->nsp--;
	else
		detect_sorted_remove(w->win, w->nw--, x);
}

/* Fills ref[i] with the median of the points lag before pts[i] (within
 * half), or NAN when fewer than 5 such points exist (or lag is 0): one
 * period before (the seasonal reference), or long before (a drift's).
 * The window slides, kept sorted; with a special value in it the median
 * is selected from a copy as before. */
static void
lagged_refs(double lag, double half, const struct detect_point *pts,
    size_t n, double *ref)
{
	size_t i, lo = 0, hi = 0, k;
	struct lwin w = { NULL, 0, 0 };
	double *tmp;

	if (lag <= 0) {
		for (i = 0; i < n; i++)
			ref[i] = NAN;
		return;
	}
	tmp = xcalloc(n + 1, sizeof *tmp);
	w.win = xcalloc(n + 1, sizeof *w.win);
	for (i = 0; i < n; i++) {
		double from = pts[i].t - lag - half;
		double to = pts[i].t - lag + half;

		for (; lo < n && pts[lo].t < from; lo++)
			if (lo < hi)
				lwin_drop(&w, pts[lo].x);
		if (hi < lo)
			hi = lo;
		for (; hi < n && pts[hi].t <= to; hi++)
			lwin_add(&w, pts[hi].x);
		ref[i] = NAN;
		if (hi - lo >= 5 && w.nsp == 0) {
			ref[i] = detect_sorted_median(w.win, w.nw);
		} else if (hi - lo >= 5) {
			for (k = lo; k < hi; k++)
				tmp[k - lo] = pts[k].x;
			ref[i] = detect_median(tmp, hi - lo);
		}
	}
	free(w.win);
	free(tmp);
}

/* ---- episodes and runs --------------------------------------------------- */

struct episode {
	size_t first, last;
	int dir;
	int level_shift;
};

/* Quality: magnitude x duration (in time; a single point counts half)
 * x cleanliness x history, each in 0..1
 * (history: the share of a full baseline window behind the run; none
 * counts half). */
double
detect_quality(double median_z, int anomalous, int span, int cycles,
    double step, double history)
{
	double m, d, c, h;

	m = median_z > 0 ? log(1 + median_z / 5) / log(5) : 0;
	if (m > 1)
		m = 1;
	d = anomalous * step / POLICY(DETECT_FULL_DURATION);
	d = d >= 1 ? 1 : sqrt(d > 0 ? d : 0);
	if (anomalous == 1)
		d *= 0.5;	/* one observation: half the evidence of two */
	c = span > 0 ? (double)anomalous / span : 0;
	c /= 1 + 0.5 * (cycles > 1 ? cycles - 1 : 0);
	h = 0.5 + 0.5 * (history >= 1 ? 1 : history > 0 ? history : 0);
	return m * d * c * h;
}

/* Whether the run's anomalous points are, by their medians, k times as far
 * out as entering asks on every test (z, relative, absolute). */
static int
far_out(const struct detect_params *p, const struct detect_point *pts,
    const struct detect_eval *ev, const struct detect_run *r, double k)
{
	double *d, *rel, dm, rm;
	size_t i, m = 0, span = r->last - r->first + 1;
	int ok;

	if (r->median_z < k * p->enter_z)
		return 0;
	d = xcalloc(span, sizeof *d);
	rel = xcalloc(span, sizeof *rel);
	for (i = r->first; i <= r->last; i++) {
		if (!ev[i].anomalous)
			continue;
		d[m] = r->dir * (pts[i].x - ev[i].baseline);
		rel[m] = ev[i].baseline != 0 ? d[m] / fabs(ev[i].baseline) :
		    INFINITY;
		m++;
	}
	dm = detect_median(d, m);
	rm = detect_median(rel, m);
	ok = m > 0 && (p->enter_rel <= 0 || rm >= k * p->enter_rel) &&
	    (p->enter_abs <= 0 || dm >= k * p->enter_abs);
	free(d);
	free(rel);
	return ok;
}

/* Builds the run of episodes ep[a..b] (inclusive). */
static void
make_run(const struct detect_params *p, const struct detect_grid *g,
    const struct detect_point *pts, const struct detect_eval *ev,
    const double *absz, const struct episode *ep, size_t a, size_t b,
    int open, struct detect_run *r)
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
	r->flapping = r->cycles >= 4 && r->anomalous <
	    POLICY(DETECT_CLEAN_SHARE) * (double)span;
	r->step = g->step;
	r->history = ev[r->first].history;
	r->is_signal = r->longest >= g->min_points ||
	    (r->cycles >= 3 && r->anomalous >= 2 * g->min_points);
	/* Short but extreme: a few points far out, or a spike further. */
	if (!r->is_signal && p->use_z && !r->flapping) {
		if (r->longest >= (int)POLICY(DETECT_SHORT_POINTS) &&
		    far_out(p, pts, ev, r, POLICY(DETECT_SHORT_FACTOR)))
			r->short_extreme = 1;
		else if (r->longest < (int)POLICY(DETECT_SHORT_POINTS) &&
		    far_out(p, pts, ev, r, POLICY(DETECT_SPIKE_FACTOR)))
			r->spike = r->short_extreme = 1;
		r->is_signal = r->short_extreme;
	}
	r->magnitude_z = p->use_z ? r->median_z : r->peak_z;
	r->quality = detect_quality(r->magnitude_z, r->anomalous, (int)span,
	    r->cycles, g->step, (double)r->history / g->window);
}

/*
 * Where a clean run begins inside the merged episodes ep[a..b]: a series
 * that flipped in and out (a flapping neighbour) before it went steadily
 * abnormal starts at the steady part, so the flips do not move its onset.
 * Returns the first episode of the clean tail (one that begins with a
 * sustained episode), a when the whole run is clean or there is no such
 * tail.
 */
static size_t
clean_start(const struct detect_grid *g, const struct episode *ep, size_t a,
    size_t b)
{
	size_t k, best = a, anom = 0, len;

	for (k = b; k > a; k--) {
		len = ep[k].last - ep[k].first + 1;
		anom += len;
		if ((int)len >= g->min_points && (double)anom >=
		    POLICY(DETECT_CLEAN_SHARE) * (double)(ep[b].last -
		    ep[k].first + 1))
			best = k;
	}
	if (best == a)
		return a;
	/* only when what comes before it is intermittent (counting the gap
	 * up to it) */
	for (anom = 0, k = a; k < best; k++)
		anom += ep[k].last - ep[k].first + 1;
	return (double)anom < POLICY(DETECT_CLEAN_SHARE) *
	    (double)(ep[best].first - ep[a].first) ? best : a;
}

/*
 * Flapping across runs: a series that keeps entering and leaving (runs too
 * far apart to merge, as a metric that flips every few minutes) flaps when
 * POLICY(DETECT_FLAP_RUNS) of its runs start within POLICY(DETECT_FLAP_WINDOW) of each other;
 * each such run that is short (at most POLICY(DETECT_FLAP_LONGEST)) is flapping, its
 * quality counting the runs as cycles.
 */
static void
flap_series(const struct detect_grid *g, const struct detect_point *pts,
    struct detect_run *runs, size_t n)
{
	size_t k, j;
	int near;
	double t;

	for (k = 0; k < n; k++) {
		struct detect_run *r = &runs[k];

		if ((double)(r->last - r->first + 1) * g->step > POLICY(DETECT_FLAP_LONGEST))
			continue;
		t = pts[r->first].t;
		for (near = 0, j = 0; j < n; j++)
			if (fabs(pts[runs[j].first].t - t) <= POLICY(DETECT_FLAP_WINDOW) / 2)
				near++;
		if (near < POLICY(DETECT_FLAP_RUNS))
			continue;
		r->flapping = 1;
		if (r->short_extreme && !r->spike) {
			r->short_extreme = 0;
			r->is_signal = r->longest >= g->min_points;
		}
		r->quality = detect_quality(r->magnitude_z, r->anomalous,
		    (int)(r->last - r->first + 1), near > r->cycles ? near :
		    r->cycles, g->step, (double)r->history / g->window);
	}
}

/* Judges a series (see detect.h). */
void
detect_series(const struct detect_params *p, const struct detect_point *pts,
    size_t n, struct detect_eval *eval, struct detect_run **runs, size_t *nruns)
{
	detect_series_from(p, pts, n, NULL, eval, runs, nruns, NULL);
}

/*
 * Whether the state saved before point c (out, filled at c) may be resumed
 * from: no point of an episode from detect_state_quiet() before it up to
 * the end of the series (so no run found later can merge with, flap with,
 * or take margin points from what lies before it); jlast is the last
 * anomalous point judged here (n: none), from the first judged point i0.
 */
static int
resumable(const struct detect_params *p, const struct detect_grid *g,
    const struct detect_point *pts, size_t c, size_t jlast, size_t n)
{
	if (jlast == n)
		return 1;
	return jlast < c && pts[c].t - pts[jlast].t > detect_state_quiet(p, g->step);
}

/* A series being judged: what detect_series_from's steps share. */
struct judge {
	const struct detect_params *p;
	const struct detect_point *pts;
	size_t n;
	struct detect_grid g;
	struct dring tr, sr;		/* trailing and seasonal baselines */
	struct detect_eval *ev;
	struct episode *eps;
	size_t neps;
	double *ref, *drift, *absz;
	size_t ignored;			/* unwatched excursion points held out */
	int in_ep;			/* eps[neps] is open */
	int dirs[2], nd;		/* the watched directions */
};

/* Sets up j for judging pts[0..n-1] from state in (or NULL). */
static void
judge_open(struct judge *j, const struct detect_params *p,
    const struct detect_point *pts, size_t n, const struct detect_state *in,
    struct detect_eval *eval)
{
	memset(j, 0, sizeof *j);
	j->p = p;
	j->pts = pts;
	j->n = n;
	detect_grid_at(p, in != NULL ? in->step : detect_step(pts, n), &j->g);
	j->ev = eval != NULL ? eval : xcalloc(n, sizeof *j->ev);
	memset(j->ev, 0, n * sizeof *j->ev);
	j->ref = xcalloc(n, sizeof *j->ref);
	j->drift = xcalloc(n, sizeof *j->drift);
	j->absz = xcalloc(n, sizeof *j->absz);
	lagged_refs(p->period, p->period_half, pts, n, j->ref);
	lagged_refs(p->level_enter > 0 && p->use_z ? POLICY(DETECT_DRIFT_LAG) : 0,
	    POLICY(DETECT_DRIFT_HALF), pts, n, j->drift);
	dring_init(&j->tr, (size_t)j->g.window);
	dring_init(&j->sr, (size_t)j->g.window);
	if (p->dir >= 0)
		j->dirs[j->nd++] = DETECT_UP;
	if (p->dir <= 0)
		j->dirs[j->nd++] = DETECT_DOWN;
	j->eps = xcalloc(n, sizeof *j->eps);
	if (in != NULL) {
		dring_load(&j->tr, in->tr_t, in->tr_x, in->ntr);
		dring_load(&j->sr, in->sr_t, in->sr_x, in->nsr);
	}
}

static void
judge_close(struct judge *j, const struct detect_eval *eval)
{
	free(j->eps);
	dring_free(&j->sr);
	dring_free(&j->tr);
	free(j->absz);
	free(j->ref);
	free(j->drift);
	if (j->ev != eval)
		free(j->ev);
}

/* Takes points from..to (inclusive) into the baselines as normal. */
static void
judge_push(struct judge *j, size_t from, size_t to)
{
	size_t k;

	for (k = from; k <= to; k++) {
		dring_push(&j->tr, j->pts[k].t, j->pts[k].x);
		if (!isnan(j->ref[k]))
			dring_push(&j->sr, j->pts[k].t, j->pts[k].x - j->ref[k]);
	}
}

/* The baselines of point i from the normal points seen so far (bs[0]
 * trailing, bs[1] seasonal) and its verdict's numbers in ev[i]. */
static void
judge_baselines(struct judge *j, size_t i, struct base *bs)
{
	const struct detect_params *p = j->p;
	struct detect_eval *e = &j->ev[i];
	double med, sig, x = j->pts[i].x;
	int k;

	bs[0].ok = bs[1].ok = 0;
	e->history = (int)j->tr.n;
	if ((int)j->tr.n >= j->g.min_baseline) {
		dring_line(&j->tr, p->trend, j->pts[i].t, &med, &sig);
		bs[0].ok = 1;
		bs[0].b = med;
		bs[0].scale = floored(p, sig, med);
	}
	if (!isnan(j->ref[i]) && (int)j->sr.n >= j->g.min_baseline) {
		dring_line(&j->sr, 0, j->pts[i].t, &med, &sig);
		bs[1].ok = 1;
		bs[1].b = j->ref[i] + med;
		bs[1].scale = floored(p, sig, bs[1].b);
	}
	k = bs[1].ok ? 1 : 0;
	e->judged = bs[0].ok || bs[1].ok;
	if (e->judged) {
		e->baseline = bs[k].b;
		e->scale = bs[k].scale;
		e->z = (x - bs[k].b) / bs[k].scale;
	}
}

/* Point i inside the open episode: 1 when it stays in (held too long, the
 * episode is a new normal level the baselines restart on), 0 when the
 * episode ends before it. */
static int
judge_inside(struct judge *j, size_t i, const struct base *bs)
{
	struct episode *ep = &j->eps[j->neps];
	double x = j->pts[i].x;
	size_t cap = j->tr.cap;

	if (j->ev[i].judged &&
	    passes(j->p, bs, 2, x, j->drift[i], ep->dir, 0)) {
		j->ev[i].anomalous = 1;
		j->absz[i] = min_z(j->p, bs, 2, x, j->drift[i], ep->dir);
		ep->last = i;
		if ((int)(i - ep->first + 1) >= j->g.max_points) {
			/* A new normal level: re-baseline on it. */
			ep->level_shift = 1;
			j->neps++;
			j->in_ep = 0;
			dring_clear(&j->tr);
			dring_clear(&j->sr);
			judge_push(j, i + 1 > cap ? i + 1 - cap : 0, i);
		}
		return 1;
	}
	j->neps++;
	j->in_ep = 0;
	return 0;
}

/* Point i outside an episode: it opens one, is an unwatched excursion
 * held out of the baselines, or is normal and joins them. */
static void
judge_outside(struct judge *j, size_t i, const struct base *bs)
{
	const struct detect_params *p = j->p;
	double x = j->pts[i].x;
	int k, ok = 0;

	if (j->ev[i].judged) {
		for (k = 0; k < j->nd && !ok; k++) {
			if (passes(p, bs, 2, x, j->drift[i], j->dirs[k], 1)) {
				struct episode *ep = &j->eps[j->neps];

				ok = 1;
				j->in_ep = 1;
				ep->first = ep->last = i;
				ep->dir = j->dirs[k];
				ep->level_shift = 0;
				j->ev[i].anomalous = 1;
				j->absz[i] = min_z(p, bs, 2, x, j->drift[i],
				    j->dirs[k]);
			}
		}
	}
	/* An excursion in a direction nobody watches (an error ratio
	 * dropping) is kept out of the baseline, so the way back is not
	 * taken for a spike; held long enough it becomes the new level. */
	if (!ok && j->ev[i].judged && j->nd == 1 &&
	    passes_mirror(p, bs, 2, x, -j->dirs[0])) {
		if (++j->ignored < (size_t)j->g.max_points)
			return;
		judge_push(j, i + 1 - j->ignored, i);
		j->ignored = 0;
		return;
	}
	j->ignored = 0;
	if (!ok)
		judge_push(j, i, i);
}

/* The state out after judging from i0 (taken at point c, or none):
 * dropped when not resumable, the resumed one kept when none newer. */
static void
judge_state(const struct judge *j, size_t i0, size_t c,
    const struct detect_state *in, struct detect_state *out)
{
	size_t i, jlast = j->n;

	for (i = j->n; i > i0 && jlast == j->n; i--)
		if (j->ev[i - 1].anomalous)
			jlast = i - 1;
	if (!isnan(out->resume_t) &&
	    !resumable(j->p, &j->g, j->pts, c, jlast, j->n)) {
		detect_state_free(out);
		out->resume_t = NAN;
	}
	/* no quiet point lately (or fewer new points than the margin): the
	 * state resumed from still holds - judging from it again gives what
	 * judging the whole history gives */
	if (in != NULL && isnan(out->resume_t))
		detect_state_copy(out, in);
}

/* Merges the episodes of one direction separated by short quiet gaps
 * into runs (*runs, *nruns). */
static void
judge_runs(const struct judge *j, struct detect_run **runs, size_t *nruns)
{
	const struct episode *eps = j->eps;
	size_t a = 0, k, k2, neps = j->neps;

	if (neps == 0)
		return;
	*runs = xcalloc(neps, sizeof **runs);
	for (k = 1; k <= neps; k++) {
		if (k < neps && eps[k].dir == eps[a].dir &&
		    !eps[k - 1].level_shift &&
		    eps[k].first - eps[k - 1].last - 1 <= (size_t)j->g.merge_gap)
			continue;
		if ((k2 = clean_start(&j->g, eps, a, k - 1)) > a) {
			make_run(j->p, &j->g, j->pts, j->ev, j->absz, eps, a,
			    k2 - 1, 0, &(*runs)[(*nruns)++]);
			(*runs)[*nruns - 1].flapping = 1;
			a = k2;
		}
		make_run(j->p, &j->g, j->pts, j->ev, j->absz, eps, a, k - 1,
		    k == neps && j->in_ep, &(*runs)[(*nruns)++]);
		a = k;
	}
	flap_series(&j->g, j->pts, *runs, *nruns);
}

/* Judges a series, from a saved state when there is one (see detect.h). */
void
detect_series_from(const struct detect_params *p,
    const struct detect_point *pts, size_t n, const struct detect_state *in,
    struct detect_eval *eval, struct detect_run **runs, size_t *nruns,
    struct detect_state *out)
{
	struct judge j;
	struct base bs[2];
	size_t i, i0 = 0, c;

	*runs = NULL;
	*nruns = 0;
	if (out != NULL) {
		memset(out, 0, sizeof *out);
		out->resume_t = NAN;
	}
	if (n == 0)
		return;
	judge_open(&j, p, pts, n, in, eval);
	if (in != NULL)
		while (i0 < n && pts[i0].t < in->resume_t)
			i0++;
	/* the state is taken before this point, margin points before the end */
	c = n > (size_t)POLICY(DETECT_FEATURE_MARGIN) ?
	    n - (size_t)POLICY(DETECT_FEATURE_MARGIN) : 0;
	for (i = i0; i < n; i++) {
		/* The state a later run resumes from (checked below). */
		if (out != NULL && i == c && !j.in_ep && j.ignored == 0) {
			out->step = j.g.step;
			out->resume_t = pts[i].t;
			dring_save(&j.tr, &out->tr_t, &out->tr_x, &out->ntr);
			dring_save(&j.sr, &out->sr_t, &out->sr_x, &out->nsr);
		}
		judge_baselines(&j, i, bs);
		if (j.in_ep && judge_inside(&j, i, bs))
			continue;
		judge_outside(&j, i, bs);
	}
	if (j.in_ep)
		j.neps++;	/* still open at the end (the run's open) */
	if (out != NULL)
		judge_state(&j, i0, c, in, out);
	judge_runs(&j, runs, nruns);
	judge_close(&j, eval);
}
