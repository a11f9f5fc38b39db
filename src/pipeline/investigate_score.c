/*
 * investigate_score.c - the scoring step of "investigate a moment"
 * (investigate.c has the whole story): the per-metric policy, the ONE
 * statement that scores every metric series of the project against its own
 * recent history, and the judgement of each abnormal series it returns
 * (quality, severity, flapping, spike).  Every threshold is a named
 * constant (investigate_int.h, policy.def); doc/pipeline.md ("Investigate a
 * moment") describes them.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/xmalloc.h"
#include "investigate_int.h"
#include "pipeline_int.h"

/*
 * Per metric: the signal type when it rises / falls (NULL: that way is not
 * bad), the scale floor max(1.4826 MAD, floor_rel x |median|, floor_abs)
 * (a flat series never divides by zero), the material change
 * |value - median| >= max(min_abs, min_rel x |median|) the quantile value
 * must show, the level a rise must reach (NAN: any), and whether the
 * metric is a count (restarts: judged by its sum, not by z).  "*" is any
 * other metric (its bad_direction in metric_names applies).
 */
static const struct inv_policy {
	const char *metric;
	const char *up_type, *down_type;
	double floor_abs, floor_rel;
	double min_abs, min_rel;
	double min_level;
	double sat_level, sat_rise;
	int counts;
} inv_policy[] = {
	/* errors: +0.5 points and +50 %, scale at least 0.1 point / 10 % */
	{ "error_ratio", "error_rate_spike", NULL, 0.001, 0.10, 0.005, 0.5,
	    NAN, NAN, NAN, 0 },
	/* latency: +25 % and +2 ms, scale at least 0.5 ms / 3 % */
	{ "latency_p99_ms", "latency_regression", NULL, 0.5, 0.03, 2.0, 0.25,
	    NAN, NAN, NAN, 0 },
	/* utilisation: +0.05 up to 0.7 or more (near the limit); or, whatever
	 * the z (a slow leak), up to investigate.sat_level by
	 * investigate.sat_rise (1: use them) */
	{ "cpu_utilization", "saturation", NULL, 0.01, 0.0, 0.05, 0.0, 0.7,
	    1, 1, 0 },
	{ "memory_utilization", "saturation", NULL, 0.01, 0.0, 0.05, 0.0, 0.7,
	    1, 1, 0 },
	/* traffic: +-25 %, scale at least 2 % of the level */
	{ "request_rate", "traffic_surge", "traffic_drop", 1e-6, 0.02, 0.0,
	    0.25, NAN, NAN, NAN, 0 },
	/* restarts: INVESTIGATE_RESTARTS_MIN and _RATIO */
	{ "restarts", "crashloop", NULL, 1.0, 0.0, 0.0, 0.0, NAN, NAN, NAN, 1 },
	/* anything else: +-30 %, scale at least 5 % */
	{ "*", "custom", "custom", 1e-9, 0.05, 0.0, 0.3, NAN, NAN, NAN, 0 },
};

/* The severity of an abnormal series (its rank, severity.h). */
static int
inv_severity(const char *type, double value, double base)
{
	double ratio = base != 0 && isfinite(base) ? value / base : INFINITY;

	if (strcmp(type, "error_rate_spike") == 0)
		return value >= INV_SEV_ERR_CRITICAL ? 4 :
		    value >= INV_SEV_ERR_HIGH ? 3 :
		    value >= INV_SEV_ERR_MEDIUM ? 2 : 1;
	if (strcmp(type, "latency_regression") == 0)
		return ratio >= INV_SEV_LAT_HIGH ? 3 :
		    ratio >= INV_SEV_LAT_MEDIUM ? 2 : 1;
	if (strcmp(type, "saturation") == 0)
		return value >= INV_SEV_SAT_HIGH ? 3 : 2;
	if (strcmp(type, "traffic_surge") == 0)
		return ratio >= INV_SEV_SURGE_HIGH ? 3 :
		    ratio >= INV_SEV_SURGE_MEDIUM ? 2 : 1;
	if (strcmp(type, "traffic_drop") == 0)
		return ratio <= INV_SEV_DROP_HIGH ? 3 :
		    ratio <= INV_SEV_DROP_MEDIUM ? 2 : 1;
	if (strcmp(type, "crashloop") == 0)
		return 3;
	return 1;
}

/* How strong a signal is, as the gate ranks a trigger: (severity + 1) x
 * (0.2 + quality). */
double
inv_strength(const struct inv_sig *s)
{
	return (s->sev + 1) * (0.2 + s->q);
}

/* Whether a is kept before b under the signal cap: traffic shifts first,
 * then the stronger. */
int
inv_keep_before(const struct inv_sig *a, const struct inv_sig *b)
{
	int ta = strncmp(a->type, "traffic_", 8) == 0;
	int tb = strncmp(b->type, "traffic_", 8) == 0;

	if (ta != tb)
		return ta > tb;
	if (a->fed != b->fed)
		return a->fed < b->fed;
	return inv_strength(a) > inv_strength(b);
}

/* The policy as JSON for the statement (new reference). */
static json_t *
inv_policy_json(void)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(inv_policy); i++) {
		const struct inv_policy *p = &inv_policy[i];

		o = json_pack("{s:s, s:f, s:f, s:f, s:f, s:b}", "metric",
		    p->metric, "floor_abs", p->floor_abs, "floor_rel",
		    p->floor_rel, "min_abs", p->min_abs, "min_rel", p->min_rel,
		    "counts", p->counts);
		json_object_set_new(o, "up_type", p->up_type != NULL ?
		    json_string(p->up_type) : json_null());
		json_object_set_new(o, "down_type", p->down_type != NULL ?
		    json_string(p->down_type) : json_null());
		json_object_set_new(o, "min_level", isnan(p->min_level) ?
		    json_null() : json_real(p->min_level));
		json_object_set_new(o, "sat_level", isnan(p->sat_level) ?
		    json_null() : json_real(POLICY(INV_SAT_LEVEL)));
		json_object_set_new(o, "sat_rise", isnan(p->sat_rise) ?
		    json_null() : json_real(POLICY(INV_SAT_RISE)));
		json_array_append_new(a, o);
	}
	return a;
}

/* A number column as JSON (null when NULL or not finite). */
json_t *
inv_jnum(const struct db_res *r, int row, int col)
{
	double v;

	if (db_res_isnull(r, row, col))
		return json_null();
	v = db_res_f(r, row, col);
	return isfinite(v) ? json_real(v) : json_null();
}

/* A text column as JSON (null when NULL). */
json_t *
inv_jstr(const struct db_res *r, int row, int col)
{
	const char *s = db_res_get(r, row, col);

	return s != NULL ? json_string(s) : json_null();
}

/*
 * Runs the scoring statement (every series of the project, one row per
 * abnormal (service, metric, direction)) into f->r, and judges its rows:
 * f->sg gets one signal each, with its quality, severity, and whether it
 * flaps or is a spike (cited, never an anchor).
 */
int
inv_score(struct inv *v, struct inv_found *f, char **cause)
{
	const struct db_res *r;
	const struct inv_cols *c = &f->c;
	struct inv_sig *sg;
	json_t *pol = inv_policy_json();
	char *pdump, w[24], bs[24], bmax[24], bmin[24], breq[24], qt[24],
	    zm[24], ons[24], rmin[24], rrat[24], mads[24], sf[24];
	int n = 0, i;
	double flapcyc;

	pdump = jsonx_dump(pol);
	f->r = DBQN(v->pc.db, cause, "pipeline/investigate_score", v->pc.project,
	    v->at_ts, pipeline_ll(w, sizeof w, v->window), pdump,
	    pipeline_ll(bs, sizeof bs, INVESTIGATE_BASE_SECONDS),
	    pipeline_ll(bmax, sizeof bmax, INVESTIGATE_BASE_MAX_SECONDS),
	    pipeline_ll(bmin, sizeof bmin, INVESTIGATE_BASE_MIN_POINTS),
	    pipeline_ll(breq, sizeof breq, INVESTIGATE_BASE_REQUIRED),
	    pipeline_num(qt, sizeof qt, INVESTIGATE_QUANTILE),
	    pipeline_num(zm, sizeof zm, INVESTIGATE_Z_MIN),
	    pipeline_num(ons, sizeof ons, INVESTIGATE_ONSET_SHARE * v->window),
	    pipeline_ll(rmin, sizeof rmin, INVESTIGATE_RESTARTS_MIN),
	    pipeline_num(rrat, sizeof rrat, INVESTIGATE_RESTARTS_RATIO),
	    pipeline_num(mads, sizeof mads, INVESTIGATE_MAD_SCALE),
	    pipeline_num(sf, sizeof sf, POLICY(DETECT_SHORT_FACTOR)));
	free(pdump);
	json_decref(pol);
	if (f->r == NULL)
		return -1;
	r = f->r;
#define INV_COL_FIND(x) f->c.x = db_col(r, #x);
	INV_SCORE_COLUMNS(INV_COL_FIND)
#undef INV_COL_FIND
	/* flapping: abnormal again and again - at least flap_cycles times,
	 * and as often as detect calls flapping over the span looked at
	 * (the onset lookback and the window) */
	flapcyc = fmax(INVESTIGATE_FLAP_CYCLES, POLICY(DETECT_FLAP_RUNS) *
	    (1 + INVESTIGATE_ONSET_SHARE) * v->window /
	    POLICY(DETECT_FLAP_WINDOW));
	sg = xcalloc((size_t)db_res_rows(r) + 1, sizeof *sg);
	for (i = 0; i < db_res_rows(r); i++) {
		double z, cover, share, na;
		int counts;

		f->scored = db_res_ll(r, i, c->n);
		if (db_res_isnull(r, i, c->service_id))
			continue;
		sg[n].row = i;
		sg[n].svc = db_res_ll(r, i, c->service_id);
		sg[n].type = db_res_get(r, i, c->stype);
		z = db_res_f(r, i, c->zq);
		sg[n].z = isfinite(z) ? z : 0;
		na = db_res_f(r, i, c->na);
		/* a count, or a series with two consecutive minutes far out
		 * (a short fault is sure, however few its minutes), covers
		 * what it is judged on */
		share = na > 0 ? db_res_f(r, i, c->nabn) / na : 0;
		counts = strcmp(db_res_get(r, i, c->counts), "t") == 0;
		cover = counts || strcmp(db_res_get(r, i, c->short_ok), "t") == 0 ?
		    1 : share;
		/* Every series that passed is steady enough to set the order
		 * of who came first: quality starts at the watch threshold. */
		sg[n].q = POLICY(WATCH_QUALITY) + (1 - POLICY(WATCH_QUALITY)) *
		    fmin(1, fmax(0, sg[n].z / INVESTIGATE_Z_FULL)) *
		    fmin(1, cover);
		/* it flaps when it went abnormal again and again, or more
		 * than once and never for two points in a row (a series
		 * flipping every minute, seen at a 5-minute step) */
		sg[n].flapping = (db_res_ll(r, i, c->cycles) >= flapcyc &&
		    !counts && share < INVESTIGATE_FLAP_SHARE &&
		    strcmp(db_res_get(r, i, c->lvl_ok), "t") != 0) ||
		    (db_res_ll(r, i, c->cycles) >= 2 &&
		    db_res_ll(r, i, c->runpts) == 0);
		sg[n].sev = inv_severity(sg[n].type, db_res_f(r, i, c->val),
		    db_res_f(r, i, c->baseline));
		/* a spike: its abnormal minutes are isolated points (as
		 * detect's spikes: cited, never an anchor), unless a level
		 * near the limit or a count makes it abnormal */
		sg[n].spike = !sg[n].flapping && db_res_ll(r, i, c->nabn) > 0 &&
		    db_res_ll(r, i, c->runpts) == 0 && !counts &&
		    strcmp(db_res_get(r, i, c->lvl_ok), "t") != 0;
		if (sg[n].flapping || sg[n].spike) {
			sg[n].q = POLICY(WATCH_QUALITY) * INVESTIGATE_FLAP_QUALITY;
			sg[n].sev = 1;	/* low, as detect rates flapping */
		}
		n++;
	}
	f->sg = sg;
	f->n = n;
	return 0;
}
