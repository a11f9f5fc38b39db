/*
 * stage_detect_state.c - the detect stage's saved detector states
 * (midwatch.detect_state, sql/027): whether a series' state may be resumed,
 * loading and storing a service's states, and reading only the raw points a
 * resumed series needs - from its state's point on (less the lead its
 * references and a restarts sum need), and the same stretch a season
 * earlier for the seasonal reference - instead of the whole lookback.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/db.h"
#include "midwatch/detect.h"
#include "midwatch/hash.h"
#include "midwatch/jsonx.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "detect_int.h"
#include "detect_prefetch.h"
#include "pipeline_int.h"

/* Bump when what a state means changes. */
#define STATE_VERSION "detect-state-1"

void
detect_params_fp(const char *metric, char out[17])
{
	struct detect_params p;
	double extra[4];
	uint64_t h;

	detect_params_for_metric(metric, &p);
	extra[0] = POLICY(DETECT_FEATURE_MARGIN);
	extra[1] = POLICY(DETECT_FLAP_WINDOW);
	extra[2] = strcmp(metric, "restarts") == 0 ? POLICY(RESTART_WINDOW) : 0;
	extra[3] = detect_state_lead(&p);
	h = fnv1a64_str(MW_FNV1A64_INIT, STATE_VERSION);
	/* params_common clears the struct first: its padding is zero */
	h = fnv1a64(h, &p, sizeof p);
	h = fnv1a64(h, extra, sizeof extra);
	fnv1a64_hex(h, out);
}

int
detect_state_usable(const struct pipeline_ctx *ctx, const char *metric,
    const char *params, const char *resume_at)
{
	char fp[17];
	double r;

	if (params == NULL || resume_at == NULL)
		return 0;
	detect_params_fp(metric, fp);
	r = strtod(resume_at, NULL);
	/* a state older than the lookback (a series anomalous or flapping
	 * for that long) is dropped: judged on the lookback as before */
	return strcmp(fp, params) == 0 && r <= ctx->start &&
	    r >= ctx->start - POLICY(DETECT_LOOKBACK);
}

/* Parses a float8[] literal "{a,b,...}" into a malloc'd array; *n values. */
static double *
parse_array(const char *s, size_t *n)
{
	size_t cap = 1;
	const char *p;
	double *v;
	char *end;

	for (p = s; p != NULL && *p; p++)
		if (*p == ',')
			cap++;
	v = xcalloc(cap + 1, sizeof *v);
	*n = 0;
	if (s == NULL || *s != '{')
		return v;
	for (p = s + 1; *p && *p != '}' && *n < cap; p = end + (*end == ',')) {
		v[(*n)++] = strtod(p, &end);
		if (end == p)
			break;
	}
	return v;
}

/* Splits "t1,x1,t2,x2,..." into t[] and x[] (malloc'd); *n pairs. */
static void
unpair(const char *lit, double **t, double **x, size_t *n)
{
	size_t m, i;
	double *v = parse_array(lit, &m);

	*n = m / 2;
	*t = xcalloc(*n + 1, sizeof **t);
	*x = xcalloc(*n + 1, sizeof **x);
	for (i = 0; i < *n; i++) {
		(*t)[i] = v[2 * i];
		(*x)[i] = v[2 * i + 1];
	}
	free(v);
}

/* The columns of a state row of the resumed read, in st_names' order. */
enum { ST_KIND, ST_I, ST_STEP, ST_RESUME, ST_TRAIL, ST_SEASON, ST_N };
static const char *const st_names[ST_N] = {
	"kind", "i", "step", "resume_at", "trailing_ring", "seasonal_ring"
};

int
detect_states_take(struct db_res *r, struct dseries *s, size_t n, int *first)
{
	size_t k;
	int c[ST_N], i, rows = db_res_rows(r);

	db_cols(r, st_names, c, ST_N);
	for (i = 0; i < rows && db_res_ll(r, i, c[ST_KIND]) == 1; i++) {
		k = (size_t)db_res_ll(r, i, c[ST_I]);
		if (k >= n || db_res_isnull(r, i, c[ST_RESUME]))
			continue;
		detect_state_free(&s[k].in);
		s[k].in.step = db_res_f(r, i, c[ST_STEP]);
		s[k].in.resume_t = db_res_f(r, i, c[ST_RESUME]);
		unpair(db_res_get(r, i, c[ST_TRAIL]), &s[k].in.tr_t,
		    &s[k].in.tr_x, &s[k].in.ntr);
		unpair(db_res_get(r, i, c[ST_SEASON]), &s[k].in.sr_t,
		    &s[k].in.sr_x, &s[k].in.nsr);
	}
	*first = i;
	for (k = 0; k < n; k++)
		if (isnan(s[k].in.resume_t) || s[k].in.resume_t != s[k].resume_t)
			return 1;	/* changed since it was listed */
	return 0;
}

/* Adds the range [lo, hi] (hi NAN: the window's end) of series k. */
static void
range_add(json_t *a, size_t k, const struct dseries *s, double lo, double hi)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:f}", "i", (json_int_t)k,
	    "m", s->metric, "l", s->labels, "lo", lo);

	if (!isnan(hi))
		json_object_set_new(o, "hi", json_real(hi));
	json_array_append_new(a, o);
}

void
detect_resumed_job(struct pipeline_ctx *ctx, const char *svc,
    const struct dseries *s, size_t n, struct pf_job *j)
{
	struct detect_params p;
	json_t *ranges = json_array(), *keys = json_array();
	double lead, lo, slo, shi;
	size_t k;

	for (k = 0; k < n; k++) {
		json_array_append_new(keys, json_pack("{s:I, s:s, s:s}", "i",
		    (json_int_t)k, "m", s[k].metric, "l", s[k].labels));
		detect_params_for_metric(s[k].metric, &p);
		lead = detect_state_lead(&p);
		if (strcmp(s[k].metric, "restarts") == 0 &&
		    POLICY(RESTART_WINDOW) > lead)
			lead = POLICY(RESTART_WINDOW);
		lo = s[k].resume_t - lead - s[k].step;
		/* the seasonal reference's points, a season before */
		if (p.period > 0) {
			slo = s[k].resume_t - p.period - p.period_half;
			shi = ctx->end - p.period + p.period_half;
			if (shi >= lo)
				shi = nextafter(lo, -INFINITY);
			if (slo <= shi)
				range_add(ranges, k, &s[k], slo, shi);
		}
		range_add(ranges, k, &s[k], lo, NAN);
	}
	/* the states first (kind 1), then the points by series and time */
	memset(j, 0, sizeof *j);
	j->name = "pipeline/detect_read_resumed";
	j->n = 5;
	j->params[0] = xstrdup(ctx->project);
	j->params[1] = xstrdup(svc);
	j->params[2] = xstrdup(ctx->end_ts);
	j->params[3] = jsonx_dump(ranges);
	j->params[4] = jsonx_dump(keys);
	json_decref(ranges);
	json_decref(keys);
}

/* [t1, x1, t2, x2, ...] */
static json_t *
pairs(const double *t, const double *x, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_array_append_new(a, json_real(t[i]));
		json_array_append_new(a, json_real(x[i]));
	}
	return a;
}

void
detect_state_add(json_t *arr, const char *svc, const char *metric,
    const char *labels, const struct detect_state *st, double first)
{
	char fp[17];
	json_t *o;

	detect_params_fp(metric, fp);
	o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "s", svc, "m", metric,
	    "l", labels, "p", fp, "st", isnan(st->resume_t) ? 60 : st->step,
	    "f", first);
	if (!isnan(st->resume_t)) {
		json_object_set_new(o, "r", json_real(st->resume_t));
		json_object_set_new(o, "tr", pairs(st->tr_t, st->tr_x, st->ntr));
		json_object_set_new(o, "se", pairs(st->sr_t, st->sr_x, st->nsr));
	}
	json_array_append_new(arr, o);
}

int
detect_states_save(struct pipeline_ctx *ctx, json_t *quiet, json_t *arr,
    char **cause)
{
	char *js, *qs, f[40];
	int rc;

	if (json_array_size(arr) == 0 && json_array_size(quiet) == 0)
		return 0;
	js = jsonx_dump(arr);
	qs = jsonx_dump(quiet);
	rc = DBXN(ctx->db, cause, "pipeline/detect_states_save",
	    ctx->project, js, ctx->run, qs,
	    pipeline_num(f, sizeof f, ctx->start));
	free(js);
	free(qs);
	return rc;
}
