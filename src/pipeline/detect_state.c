/*
 * detect_state.c - what a series' detector state needs around it (see
 * detect.h, struct detect_state): how long a quiet stretch comes before it,
 * how much history its references read, and copying and freeing it.  The
 * state itself is taken inside detect_series_from (detect_math.c), which
 * owns the baseline rings.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/detect.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

/* The flapping window (runs starting within half of it count together) and
 * the merge gap, whichever is longer, and a step. */
double
detect_state_quiet(const struct detect_params *p, double step)
{
	double q = POLICY(DETECT_FLAP_WINDOW);

	if (p->merge_gap_s > q)
		q = p->merge_gap_s;
	return q + step;
}

/* A saturation series compares with its own level detect.drift_lag ago. */
double
detect_state_lead(const struct detect_params *p)
{
	if (p->level_enter > 0 && p->use_z)
		return POLICY(DETECT_DRIFT_LAG) + POLICY(DETECT_DRIFT_HALF);
	return 0;
}

void
detect_state_free(struct detect_state *s)
{
	free(s->tr_t);
	free(s->tr_x);
	free(s->sr_t);
	free(s->sr_x);
	s->tr_t = s->tr_x = s->sr_t = s->sr_x = NULL;
	s->ntr = s->nsr = 0;
	s->resume_t = NAN;
}

/* A copy of n doubles (at least one allocated). */
static double *
dup_doubles(const double *v, size_t n)
{
	double *d = xcalloc(n + 1, sizeof *d);

	if (n > 0)
		memcpy(d, v, n * sizeof *d);
	return d;
}

void
detect_state_copy(struct detect_state *dst, const struct detect_state *src)
{
	dst->step = src->step;
	dst->resume_t = src->resume_t;
	dst->ntr = src->ntr;
	dst->nsr = src->nsr;
	dst->tr_t = dup_doubles(src->tr_t, src->ntr);
	dst->tr_x = dup_doubles(src->tr_x, src->ntr);
	dst->sr_t = dup_doubles(src->sr_t, src->nsr);
	dst->sr_x = dup_doubles(src->sr_x, src->nsr);
}
