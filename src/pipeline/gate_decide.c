/*
 * gate_decide.c - the judging step of the gate stage (stage_gate.c): a
 * candidate's title, strength and anchors, the key of the incident it
 * continues or opens, the decision (approved, or suppressed for flapping,
 * maintenance, duplicate or below_severity, with a rationale) and its
 * impact.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/pgarray.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/severity.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "gate_int.h"
#include "pipeline_int.h"

/* Formats a ratio 0..1 as a percentage with sensible precision. */
static void
fmt_pct(char *buf, size_t len, double v)
{
	v *= 100;
	if (v >= 10)
		snprintf(buf, len, "%.0f%%", v);
	else if (v >= 1)
		snprintf(buf, len, "%.1f%%", v);
	else
		snprintf(buf, len, "%.2f%%", v);
}

/* Formats milliseconds. */
static void
fmt_ms(char *buf, size_t len, double v)
{
	if (v >= 1000)
		snprintf(buf, len, "%.1f s", v / 1000);
	else
		snprintf(buf, len, "%.0f ms", v);
}

/* Builds the incident title from its strongest signal (malloc'd). */
char *
gate_make_title(const struct gate_rows *r, int row, int nsvc)
{
	const struct db_res *res = r->res;
	const struct gate_cols *c = &r->c;
	const char *type = db_res_get(res, row, c->signal_type);
	const char *svc = db_res_get(res, row, c->svc_name);
	const char *metric = db_res_get(res, row, c->metric_name);
	double base = db_res_f(res, row, c->baseline);
	double peak = db_res_f(res, row, c->peak_value);
	char a[32], b[32];
	struct buf t;

	buf_init(&t);
	if (svc == NULL)
		svc = db_res_get(res, row, c->ref) ? db_res_get(res, row, c->ref) :
		    "project";
	if (strcmp(type, "error_rate_spike") == 0) {
		fmt_pct(a, sizeof a, peak);
		fmt_pct(b, sizeof b, base);
		buf_printf(&t, "%s: error rate %s (baseline %s)", svc, a, b);
	} else if (strcmp(type, "latency_regression") == 0) {
		fmt_ms(a, sizeof a, peak);
		fmt_ms(b, sizeof b, base);
		buf_printf(&t, "%s: p99 latency %s (baseline %s)", svc, a, b);
	} else if (strcmp(type, "saturation") == 0) {
		fmt_pct(a, sizeof a, peak);
		fmt_pct(b, sizeof b, base);
		buf_printf(&t, "%s: %s %s (baseline %s)", svc,
		    metric && strncmp(metric, "memory", 6) == 0 ? "memory" : "cpu",
		    a, b);
	} else if (strcmp(type, "traffic_surge") == 0 ||
	    strcmp(type, "traffic_drop") == 0) {
		buf_printf(&t, "%s: traffic %s to %.0f req/s (baseline %.0f req/s)",
		    svc, type[8] == 's' ? "surge" : "drop", peak, base);
	} else if (strcmp(type, "crashloop") == 0) {
		buf_printf(&t, "%s: %.0f restarts in 15 min", svc, peak);
	} else if (strcmp(type, "error_fingerprint_new") == 0) {
		const char *msg = db_res_get(res, row, c->message) ?
		    db_res_get(res, row, c->message) : "?";

		/* 80 bytes of the message, cut between characters */
		buf_printf(&t, "%s: new error: %.*s", svc,
		    (int)utf8_boundary(msg, 80), msg);
	} else if (strcmp(type, "health_down") == 0) {
		buf_printf(&t, "%s: health checks failing (%s checks)", svc,
		    db_res_get(res, row, c->checks) ?
		    db_res_get(res, row, c->checks) : "?");
	} else if (strcmp(type, "conversion_drop") == 0) {
		fmt_pct(a, sizeof a, peak);
		fmt_pct(b, sizeof b, base);
		buf_printf(&t, "%s funnel: conversion %s (baseline %s)",
		    db_res_get(res, row, c->ref) ? db_res_get(res, row, c->ref) : svc,
		    a, b);
	} else if (strcmp(type, "external_alert") == 0) {
		buf_printf(&t, "%s: alert %s firing", svc,
		    db_res_get(res, row, c->alertname) ?
		    db_res_get(res, row, c->alertname) :
		    db_res_get(res, row, c->ref));
	} else {
		buf_printf(&t, "%s: %s %.4g (baseline %.4g)", svc,
		    metric ? metric : "metric", peak, base);
	}
	if (nsvc > 1)
		buf_printf(&t, ", +%d service%s", nsvc - 1, nsvc > 2 ? "s" : "");
	return buf_steal(&t);
}

/* The strength of a signal as the trigger of an incident: metric signals
 * first, then severity times quality. */
double
gate_strength(const struct gate_rows *r, const struct gsig *s)
{
	const char *type = GATE_TEXT(r, s->row, signal_type);
	double w = s->flapping ? 0.2 : 1.0;

	if (strcmp(type, "external_alert") == 0 ||
	    strcmp(type, "error_fingerprint_new") == 0 ||
	    strcmp(type, "health_down") == 0)
		w *= 0.3;
	return w * (1 + s->sev) * (0.2 + s->q);
}

/* Whether signal row i is corroborating evidence of a real anomaly (a
 * metric, a funnel or health checks, not an alert or error text alone) -
 * or new error text where its service's metrics are blind (no point while
 * it lasted: a fault shorter than a coarse scrape step, a scrape gap), the
 * only witness there is. */
int
gate_corroborates(const struct gate_rows *r, int i)
{
	const char *type = GATE_TEXT(r, i, signal_type);

	if (strcmp(type, "error_fingerprint_new") == 0)
		return strcmp(GATE_TEXT(r, i, blind), "t") == 0;
	return strcmp(type, "external_alert") != 0;
}

/* Whether a signal may anchor an incident (its onset, the order of who came
 * first, the window searched for changes): a steady metric, funnel or health
 * anomaly of at least watch quality.  Flapping or weak signals, alerts and
 * error text are cited, never gate_anchors (but error text its metrics cannot
 * see: gate_corroborates()). */
int
gate_anchors(const struct gate_rows *r, const struct gsig *s)
{
	return s->active && gate_corroborates(r, s->row);
}

/* Appends the ids of the candidate's signals as an array literal. */
void
gate_ids_literal(struct buf *b, const struct gsig *g, const struct cand *c)
{
	int i;

	pgarray_begin(b);
	for (i = 0; i < c->n; i++)
		pgarray_add_ll(b, g[c->members[i]].id);
	pgarray_end(b);
}

/* Appends the distinct service ids of the candidate as an array literal;
 * returns how many. */
int
gate_svcs_literal(struct buf *b, const struct gsig *g, const struct cand *c)
{
	int i, j, n = 0, dup;

	pgarray_begin(b);
	for (i = 0; i < c->n; i++) {
		if (g[c->members[i]].svc == 0)
			continue;
		for (dup = 0, j = 0; j < i && !dup; j++)
			dup = g[c->members[j]].svc == g[c->members[i]].svc;
		if (dup)
			continue;
		pgarray_add_ll(b, g[c->members[i]].svc);
		n++;
	}
	pgarray_end(b);
	return n;
}

/* Finds the key of the incident this candidate continues: the incident its
 * signals were attached to, else an open incident of its main service that
 * overlaps it, else a resolved incident of the service where its trouble
 * starts (anchor_svc) whose reopen window holds its onset (it recurs:
 * *recurs is set); NULL when none (malloc'd otherwise). */
char *
gate_existing_key(struct pipeline_ctx *ctx, const char *ids,
    const char *main_svc,
    const char *anchor_svc, double onset, double end, json_t *used,
    int *recurs, char **cause, int *err)
{
	struct db_res *r;
	char on[40], en[40], slack[40], reopen[40], *key = NULL;
	int i;

	*err = 0;
	r = DBQN(ctx->db, cause, "pipeline/gate_existing_key",
	    ctx->project, ids, main_svc, pipeline_num(on, sizeof on, onset),
	    pipeline_num(en, sizeof en, end),
	    policy_param(slack, sizeof slack, POL_GATE_SLACK), anchor_svc,
	    policy_param(reopen, sizeof reopen, POL_LIFECYCLE_REOPEN));
	if (r == NULL) {
		*err = 1;
		return NULL;
	}
	*recurs = 0;
	for (i = 0; i < db_res_rows(r) && key == NULL; i++)
		if (json_object_get(used, db_val(r, i, "dedupe_key")) == NULL) {
			key = xstrdup(db_val(r, i, "dedupe_key"));
			*recurs = strcmp(db_val(r, i, "recurs"), "t") == 0;
		}
	db_res_free(r);
	return key;
}

/* A new key for the candidate (malloc'd), unused in this run. */
char *
gate_fresh_key(const struct gsig *m, const struct cand *c, json_t *used)
{
	char *key = xasprintf("inc:%lld:%.0f", m->svc, c->onset);

	if (json_object_get(used, key) != NULL) {
		free(key);
		key = xasprintf("inc:%lld:%.0f:%lld", m->svc, c->onset, m->id);
	}
	return key;
}

void
gate_verdict_add(struct verdict *v, const char *reason, const char *fmt, ...)
{
	va_list ap;
	char *s;

	json_array_append_new(v->reasons, json_string(reason));
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&v->why, "%s%s", v->why.len ? "; " : "", s);
	free(s);
}

/* Appends the ids of the candidate's anchoring signals (all of them when none
 * anchors) as an array literal. */
static void
anchor_ids_literal(struct buf *b, const struct gate_rows *r,
    const struct gsig *g,
    const struct cand *c)
{
	int i, n = 0;

	pgarray_begin(b);
	for (i = 0; i < c->n; i++)
		if (gate_anchors(r, &g[c->members[i]])) {
			pgarray_add_ll(b, g[c->members[i]].id);
			n++;
		}
	pgarray_end(b);
	if (n == 0)
		gate_ids_literal(b, g, c);
}

/* Applies policy gate-v1 to a candidate; fills v. */
int
gate_decide(struct pipeline_ctx *ctx, const struct gate_rows *r,
    const struct gsig *g,
    const struct cand *c, const char *ids, const char *key, struct verdict *v,
    char **cause)
{
	struct db_res *q;
	struct buf anchor_ids;
	char on[40], dup[40], asvc[24];
	int i, strong = 0, flapping = 0, metric = 0;
	double best_q = 0;
	int best_sev = 0;

	for (i = 0; i < c->n; i++) {
		const struct gsig *s = &g[c->members[i]];

		if (!gate_corroborates(r, s->row))
			continue;
		metric++;
		if (s->flapping)
			flapping++;
		if (s->active && !s->flapping) {
			strong++;
			if (s->q > best_q)
				best_q = s->q;
			if (s->sev > best_sev)
				best_sev = s->sev;
		}
	}
	if (flapping > 0 && strong == 0)
		gate_verdict_add(v, "flapping", "the series flaps: %d flapping signal%s "
		    "and no steady anomaly", flapping, flapping > 1 ? "s" : "");

	/* Maintenance: every service with an anchoring signal is inside a
	 * window at its onset (a weak signal that joined does not count). */
	buf_init(&anchor_ids);
	anchor_ids_literal(&anchor_ids, r, g, c);
	q = DBQN(ctx->db, cause, "pipeline/gate_maintenance",
	    ctx->project, buf_str(&anchor_ids));
	buf_free(&anchor_ids);
	if (q == NULL)
		return -1;
	if (db_res_rows(q) == 1 && db_val_ll(q, 0, "outside") == 0)
		gate_verdict_add(v, "maintenance", "inside a maintenance window (%s)",
		    db_val(q, 0, "reasons") ? db_val(q, 0, "reasons") : "planned");
	db_res_free(q);

	/* Duplicate: an open incident that ended just before already covers
	 * the service where this candidate's trouble starts (its first
	 * anchoring signal's).  A new onset elsewhere - a symptom shared
	 * with the old incident is not enough - opens its own incident. */
	pipeline_ll(asvc, sizeof asvc, c->anchor_svc != 0 ? c->anchor_svc :
	    g[c->main].svc);
	q = DBQN(ctx->db, cause, "pipeline/gate_duplicate", ctx->project, key,
	    asvc, pipeline_num(on, sizeof on, c->onset),
	    policy_param(dup, sizeof dup, POL_GATE_DUPLICATE));
	if (q == NULL)
		return -1;
	if (db_res_rows(q) == 1) {
		v->dup_of = db_val_ll(q, 0, "id");
		gate_verdict_add(v, "duplicate", "duplicate of open incident #%lld (%s)",
		    v->dup_of, db_val(q, 0, "title"));
	}
	db_res_free(q);

	if (metric == 0)
		gate_verdict_add(v, "below_severity", "no corroborating metric, funnel or "
		    "health anomaly (alerts or error text only)");
	else if (strong > 0 && (best_q < POLICY(GATE_MIN_QUALITY) ||
	    best_sev < 2))
		gate_verdict_add(v, "below_severity", "below the minimum: best quality "
		    "%.2f (min %.2f), severity %s", best_q, POLICY(GATE_MIN_QUALITY),
		    severity_name(best_sev));
	else if (strong == 0 && flapping == 0)
		gate_verdict_add(v, "below_severity", "only weak signals (watch)");
	return 0;
}

/* Estimates failed requests (request_rate x error_ratio above its baseline
 * of the hour before onset) per service; low = the worst service, high = the
 * sum over the candidate's services.  0, or -1 with *cause. */
int
gate_impact(struct pipeline_ctx *ctx, const char *svcs, double onset,
    double end, double *low, double *high, char **cause)
{
	struct db_res *r;
	char on[40], en[40];

	*low = *high = 0;
	r = DBQN(ctx->db, cause, "pipeline/gate_impact",
	    ctx->project, svcs, pipeline_num(on, sizeof on, onset),
	    pipeline_num(en, sizeof en, end));
	if (r == NULL)
		return -1;
	*low = round(db_val_f(r, 0, "worst"));
	*high = round(db_val_f(r, 0, "total"));
	db_res_free(r);
	return 0;
}
