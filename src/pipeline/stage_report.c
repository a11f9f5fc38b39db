/*
 * stage_report.c - pipeline stage "report": one markdown report per
 * approved incident the run touched, stored in incident_reports (upsert by
 * incident) with the evidence ids it cites.  `midwatch report ID` prints it.
 *
 * The report reads the incident through the read model (model_load_ids and
 * model_load_detail), so it says what the console shows: what happened, the
 * impact, a timeline, the ranked hypotheses with the evidence each cites
 * (supports / contradicts / missing), why rank 1 beat rank 2 (from the
 * hypotheses' score_details), the recommendations with their gate, and the
 * alerts.  All text from outside passes through sanitize_text() and has its
 * markdown punctuation escaped; the report holds no wall-clock time, so
 * regenerating an unchanged incident leaves the row untouched.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/model.h"
#include "midwatch/pgarray.h"
#include "midwatch/pipeline.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* How many differing score components the rank comparison lists. */
#define REPORT_MAX_COMPONENTS 6
/* How many score terms (score_details.terms) it lists per hypothesis. */
#define REPORT_MAX_TERMS 4

/* The evidence ids a report cites (grown as hypotheses are written). */
struct report_ids {
	long long *v;
	size_t n, cap;
};

/* A differing score component of two hypotheses. */
struct report_component {
	const char *key;
	double a, b;
};

/* ------------------------------------------------------------------------ */
/* Markdown helpers                                                          */
/* ------------------------------------------------------------------------ */

/* Appends external text: sanitised to one line, markdown punctuation that
 * could form links, emphasis, code, tables or HTML escaped. */
static void
report_text(struct buf *b, const char *s)
{
	char *clean, *p;

	if (s == NULL || *s == '\0') {
		buf_adds(b, "-");
		return;
	}
	clean = sanitize_text(s, 0);
	for (p = clean; *p != '\0'; p++) {
		if (strchr("\\`*|<>[", *p) != NULL)
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	free(clean);
}

/* Appends an RFC 3339 time, or "-" for none. */
static void
report_time(struct buf *b, double t)
{
	char ts[32];

	if (t == 0) {
		buf_adds(b, "-");
		return;
	}
	timefmt_format(t, ts, sizeof ts);
	buf_adds(b, ts);
}

/* What a trigger type means, as the start of a sentence. */
static const char *
report_trigger(const char *t)
{
	static const struct {
		const char *type, *text;
	} map[] = {
		{ "error_rate_spike", "The error rate spiked" },
		{ "latency_regression", "Latency regressed" },
		{ "saturation", "Resources saturated" },
		{ "traffic_drop", "Traffic dropped" },
		{ "traffic_surge", "Traffic surged" },
		{ "crashloop", "Instances crash-looped" },
		{ "error_fingerprint_new", "A new kind of error appeared" },
		{ "health_down", "Health checks failed" },
		{ "conversion_drop", "Conversion dropped" },
		{ "external_alert", "An external alert fired" },
		{ "investigation", "An investigation was requested" },
	};
	size_t i;

	for (i = 0; t != NULL && i < MW_ARRAY_LEN(map); i++)
		if (strcmp(map[i].type, t) == 0)
			return map[i].text;
	return "A custom signal fired";
}

/* The numeric score components of a hypothesis: score_details.components,
 * .factors, or its numeric top-level members (borrowed). */
static json_t *
report_components(const struct mw_hypothesis *h)
{
	json_t *c;

	if ((c = json_object_get(h->score_details, "components")) != NULL &&
	    json_is_object(c))
		return c;
	if ((c = json_object_get(h->score_details, "factors")) != NULL &&
	    json_is_object(c))
		return c;
	return h->score_details;
}

/* A scored term of a hypothesis (score_details.terms[]). */
struct report_term {
	double points;
	const char *why;
};

/* Orders terms by weight, heaviest first. */
static int
report_term_cmp(const void *x, const void *y)
{
	const struct report_term *a = x, *b = y;

	if (fabs(a->points) != fabs(b->points))
		return fabs(a->points) < fabs(b->points) ? 1 : -1;
	return strcmp(a->why, b->why);
}

/* Appends "- Rank N scored: +0.40 why; -0.10 why" (or "- Rank N scored 1.12,
 * capped at 0.99: ..." when the confidence is the clamped score) from the
 * hypothesis's score_details.terms (the ranking's own breakdown), heaviest
 * first; returns 0 when there are none. */
static int
report_terms(struct buf *b, const struct mw_hypothesis *h)
{
	struct report_term t[32];
	json_t *terms = json_object_get(h->score_details, "terms"), *e, *p, *w;
	char sc[32], cf[32];
	size_t i, n = 0;

	json_array_foreach(terms, i, e) {
		p = json_object_get(e, "points");
		w = json_object_get(e, "why");
		if (!json_is_number(p) || !json_is_string(w) ||
		    json_number_value(p) == 0 || n == MW_ARRAY_LEN(t))
			continue;
		t[n].points = json_number_value(p);
		t[n].why = json_string_value(w);
		n++;
	}
	if (n == 0)
		return 0;
	qsort(t, n, sizeof *t, report_term_cmp);
	buf_printf(b, "- Rank %d scored", h->rank);
	/* The confidence is the score clamped: say so, as score_details'
	 * explanation does, when they differ. */
	p = json_object_get(h->score_details, "score");
	w = json_object_get(h->score_details, "confidence");
	if (json_is_number(p) && json_is_number(w)) {
		snprintf(sc, sizeof sc, "%.2f", json_number_value(p));
		snprintf(cf, sizeof cf, "%.2f", json_number_value(w));
		if (strcmp(sc, cf) != 0)
			buf_printf(b, " %s, %s at %s", sc, json_number_value(p) >
			    json_number_value(w) ? "capped" : "floored", cf);
	}
	buf_adds(b, ": ");
	for (i = 0; i < n && i < REPORT_MAX_TERMS; i++) {
		buf_printf(b, "%s%+.2f ", i > 0 ? "; " : "", t[i].points);
		report_text(b, t[i].why);
	}
	if (n > REPORT_MAX_TERMS)
		buf_printf(b, "; %zu more", n - REPORT_MAX_TERMS);
	buf_adds(b, ".\n");
	return 1;
}

/* Orders components by the size of their difference, largest first. */
static int
report_component_cmp(const void *x, const void *y)
{
	const struct report_component *a = x, *b = y;
	double da = fabs(a->a - a->b), db = fabs(b->a - b->b);

	if (da != db)
		return da < db ? 1 : -1;
	return strcmp(a->key, b->key);
}

/* Counts a hypothesis's evidence by role. */
static void
report_roles(const struct mw_hypothesis *h, int *sup, int *con, int *mis)
{
	size_t i;

	*sup = *con = *mis = 0;
	for (i = 0; i < h->n_evidence; i++) {
		if (strcmp(h->evidence[i].role, "supports") == 0)
			(*sup)++;
		else if (strcmp(h->evidence[i].role, "contradicts") == 0)
			(*con)++;
		else
			(*mis)++;
	}
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                  */
/* ------------------------------------------------------------------------ */

/* Header and summary list. */
static void
report_header(struct buf *b, const struct mw_incident *inc)
{
	char conf[16];

	buf_printf(b, "# Incident %lld: ", inc->id);
	report_text(b, inc->title != NULL && *inc->title != '\0' ? inc->title :
	    inc->trigger_type);
	buf_adds(b, "\n\n- **Service:** ");
	report_text(b, inc->service);
	buf_printf(b, "\n- **Status:** %s\n- **Severity:** %s\n- **Trigger:** %s\n",
	    inc->status, inc->severity, inc->trigger_type);
	buf_adds(b, "- **Window (UTC):** ");
	report_time(b, inc->window_start);
	buf_adds(b, " to ");
	report_time(b, inc->window_end);
	buf_printf(b, " (%.0f min)\n", (inc->window_end - inc->window_start) / 60);
	units_confidence(inc->confidence, conf, sizeof conf);
	buf_printf(b, "- **Confidence:** %s\n", conf);
	if (inc->resolution != NULL && strcmp(inc->status, "resolved") == 0) {
		buf_adds(b, "- **Resolution:** ");
		report_text(b, inc->resolution);
		buf_adds(b, "\n");
	}
	buf_adds(b, "- **Gate decision:** ");
	report_text(b, inc->decision);
	if (inc->policy_version != NULL) {
		buf_adds(b, " (policy ");
		report_text(b, inc->policy_version);
		buf_adds(b, ")");
	}
	if (inc->rationale != NULL) {
		buf_adds(b, ": ");
		report_text(b, inc->rationale);
	}
	buf_adds(b, "\n");
}

/* What happened: the trigger, the signals' onsets, the anomalous series. */
static void
report_what(struct buf *b, const struct mw_incident *inc)
{
	const struct mw_series *sr;
	size_t i, k, worst;
	double dev, best;
	char ts[32];

	buf_adds(b, "\n## What happened\n\n");
	buf_adds(b, report_trigger(inc->trigger_type));
	if (inc->service != NULL) {
		buf_adds(b, " on ");
		report_text(b, inc->service);
	}
	buf_adds(b, " from ");
	report_time(b, inc->window_start);
	buf_adds(b, " to ");
	report_time(b, inc->window_end);
	buf_adds(b, ".\n");
	for (i = 0; i < inc->n_timeline; i++) {
		if (strcmp(inc->timeline[i].kind, "onset") != 0)
			continue;
		buf_adds(b, "\n- Onset ");
		report_time(b, inc->timeline[i].ts);
		buf_adds(b, ": ");
		report_text(b, inc->timeline[i].label);
	}
	for (i = 0; i < inc->n_series; i++) {
		sr = &inc->series[i];
		if (sr->n == 0)
			continue;
		worst = 0;
		best = -1;
		for (k = 0; k < sr->n; k++) {
			dev = sr->baseline != NULL ?
			    fabs(sr->value[k] - sr->baseline[k]) : sr->value[k];
			if (dev > best) {
				best = dev;
				worst = k;
			}
		}
		timefmt_format(sr->ts[worst], ts, sizeof ts);
		buf_adds(b, "\n- ");
		report_text(b, sr->metric);
		buf_adds(b, " on ");
		report_text(b, sr->service);
		buf_printf(b, ": %g at %s", sr->value[worst], ts);
		if (sr->baseline != NULL && isfinite(sr->baseline[worst]))
			buf_printf(b, " (baseline %g)", sr->baseline[worst]);
	}
	buf_adds(b, "\n");
}

/* Impact estimate and alert count. */
static void
report_impact(struct buf *b, const struct mw_incident *inc)
{
	buf_adds(b, "\n## Impact\n\n");
	if (inc->has_impact) {
		if (inc->impact_low == inc->impact_high)
			buf_printf(b, "Estimated %g ", inc->impact_low);
		else
			buf_printf(b, "Estimated between %g and %g ",
			    inc->impact_low, inc->impact_high);
		report_text(b, inc->impact_unit != NULL ? inc->impact_unit :
		    "units");
		buf_adds(b, ".");
	} else
		buf_adds(b, "No impact estimate yet.");
	buf_printf(b, " %zu alert%s raised.\n", inc->n_alerts,
	    inc->n_alerts == 1 ? "" : "s");
}

/* The timeline table. */
static void
report_timeline(struct buf *b, const struct mw_incident *inc)
{
	size_t i;

	buf_adds(b, "\n## Timeline\n\n");
	if (inc->n_timeline == 0) {
		buf_adds(b, "Nothing recorded around the incident.\n");
		return;
	}
	buf_adds(b, "| Time (UTC) | Kind | Event |\n| --- | --- | --- |\n");
	for (i = 0; i < inc->n_timeline; i++) {
		buf_adds(b, "| ");
		report_time(b, inc->timeline[i].ts);
		buf_printf(b, " | %s | ", inc->timeline[i].kind);
		report_text(b, inc->timeline[i].label);
		buf_adds(b, " |\n");
	}
}

/* Adds an evidence id to the cited set. */
static void
report_cite(struct report_ids *ids, long long id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap > 0 ? ids->cap * 2 : 16;
		ids->v = xreallocarray(ids->v, ids->cap, sizeof *ids->v);
	}
	ids->v[ids->n++] = id;
}

/* Orders ids ascending. */
static int
report_id_cmp(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

/* One hypothesis with its cited evidence; evidence ids go to cited. */
static void
report_hypothesis(struct buf *b, const struct mw_hypothesis *h,
    struct report_ids *cited)
{
	const struct mw_evidence *e;
	char conf[16];
	size_t i;

	buf_printf(b, "\n### %d. ", h->rank);
	report_text(b, h->title);
	units_confidence(h->confidence, conf, sizeof conf);
	buf_printf(b, " (%s, confidence %s)", h->type, conf);
	if (h->is_root_cause)
		buf_adds(b, " - confirmed root cause");
	else if (strcmp(h->status, "proposed") != 0)
		buf_printf(b, " - %s", h->status);
	if (h->is_root_cause || strcmp(h->status, "proposed") != 0) {
		buf_adds(b, " by ");
		report_text(b, h->status_by != NULL ? h->status_by :
		    "an operator");
	}
	buf_printf(b, "\n\nHypothesis %lld. Suspected service: ", h->id);
	report_text(b, h->service);
	if (h->ref != NULL) {
		buf_adds(b, "; blames: ");
		report_text(b, h->ref);
	}
	buf_adds(b, ".");
	if (h->why != NULL) {
		buf_adds(b, " Score: ");
		report_text(b, h->why);
	}
	buf_adds(b, "\n\n");
	if (h->n_evidence == 0)
		buf_adds(b, "- No evidence cited.\n");
	for (i = 0; i < h->n_evidence; i++) {
		e = &h->evidence[i];
		buf_printf(b, "- %s", e->role);
		if (e->id != 0) {
			buf_printf(b, " [E%lld]", e->id);
			report_cite(cited, e->id);
		}
		buf_adds(b, " ");
		report_text(b, e->kind);
		buf_adds(b, ": ");
		report_text(b, e->summary);
		buf_adds(b, "\n");
	}
}

/* Why the first hypothesis ranks above the second. */
static void
report_why(struct buf *b, const struct mw_incident *inc)
{
	const struct mw_hypothesis *h1, *h2;
	struct report_component comp[32];
	json_t *c1, *c2, *v, *w;
	const char *key;
	char conf[16];
	size_t n = 0, i;
	int s1, k1, m1, s2, k2, m2;

	buf_adds(b, "\n## Why rank 1 ranks above rank 2\n\n");
	if (inc->n_hypotheses < 2) {
		buf_adds(b, inc->n_hypotheses == 0 ? "No hypotheses yet.\n" :
		    "Only one hypothesis was formed.\n");
		return;
	}
	h1 = &inc->hypotheses[0];
	h2 = &inc->hypotheses[1];
	buf_adds(b, "Rank 1 (");
	report_text(b, h1->title);
	units_confidence(h1->confidence, conf, sizeof conf);
	buf_printf(b, ", confidence %s) ranks above rank 2 (", conf);
	report_text(b, h2->title);
	units_confidence(h2->confidence, conf, sizeof conf);
	if (h1->confidence > h2->confidence)
		buf_printf(b, ", %s): %.2f more confidence.\n\n",
		    conf, h1->confidence - h2->confidence);
	else
		buf_printf(b, ", %s): equal confidence, ordered by the "
		    "ranking's tie-break.\n\n", conf);
	report_roles(h1, &s1, &k1, &m1);
	report_roles(h2, &s2, &k2, &m2);
	buf_printf(b, "- Evidence: %d supporting, %d contradicting, %d missing "
	    "against %d, %d, %d.\n", s1, k1, m1, s2, k2, m2);
	c1 = report_components(h1);
	c2 = report_components(h2);
	json_object_foreach(c1, key, v) {
		/* The confidence gap is stated above already. */
		if (strcmp(key, "confidence") == 0 || strcmp(key, "score") == 0)
			continue;
		w = json_object_get(c2, key);
		if (!json_is_number(v) || !json_is_number(w) ||
		    n == MW_ARRAY_LEN(comp))
			continue;
		if (json_number_value(v) == json_number_value(w))
			continue;
		comp[n].key = key;
		comp[n].a = json_number_value(v);
		comp[n].b = json_number_value(w);
		n++;
	}
	qsort(comp, n, sizeof *comp, report_component_cmp);
	if (n > 0) {
		buf_adds(b, "- Score components (rank 1 against rank 2): ");
		for (i = 0; i < n && i < REPORT_MAX_COMPONENTS; i++) {
			if (i > 0)
				buf_adds(b, "; ");
			report_text(b, comp[i].key);
			buf_printf(b, " %.2f against %.2f", comp[i].a, comp[i].b);
		}
		buf_adds(b, ".\n");
	}
	/* The terms are the ranking's own reasons; a free-text explanation
	 * is shown only where there are none. */
	if (!report_terms(b, h1) && h1->why != NULL) {
		buf_adds(b, "- Rank 1: ");
		report_text(b, h1->why);
		buf_adds(b, "\n");
	}
	if (!report_terms(b, h2) && h2->why != NULL) {
		buf_adds(b, "- Rank 2: ");
		report_text(b, h2->why);
		buf_adds(b, "\n");
	}
}

/* Recommendations with their gate. */
static void
report_recommendations(struct buf *b, const struct mw_incident *inc)
{
	const struct mw_recommendation *r;
	size_t i;

	buf_adds(b, "\n## Recommendations\n\n");
	if (inc->n_recommendations == 0) {
		buf_adds(b, "None.\n");
		return;
	}
	for (i = 0; i < inc->n_recommendations; i++) {
		r = &inc->recommendations[i];
		buf_printf(b, "- %s**", r->publishable ? "" : "Held back: ");
		report_text(b, r->title);
		buf_printf(b, "** (%s, %s; recommendation %lld", r->type, r->status,
		    r->id);
		if (r->hypothesis_id != 0)
			buf_printf(b, ", hypothesis %lld", r->hypothesis_id);
		buf_printf(b, ") - gate %s",
		    r->gate_status != NULL ? r->gate_status : "-");
		if (r->publishable)
			buf_printf(b, ": %d supporting evidence", r->evidence_count);
		else if (r->gate_reason != NULL) {
			buf_adds(b, ": ");
			report_text(b, r->gate_reason);
		}
		if (r->already_done != NULL) {
			buf_adds(b, "; already done: ");
			report_text(b, r->already_done);
		}
		buf_adds(b, "\n");
	}
}

/* Alerts of the incident. */
static void
report_alerts(struct buf *b, const struct mw_incident *inc)
{
	const struct mw_alert *a;
	size_t i;

	buf_adds(b, "\n## Alerts\n\n");
	if (inc->n_alerts == 0) {
		buf_adds(b, "None.\n");
		return;
	}
	for (i = 0; i < inc->n_alerts; i++) {
		a = &inc->alerts[i];
		buf_printf(b, "- Alert %lld [%s] ", a->id, a->severity);
		report_text(b, a->title);
		buf_printf(b, " - %s\n", a->status);
	}
}

/* Builds the whole report of inc; *cited gets "{1,2}" of cited evidence
 * (both malloc'd). */
static char *
report_build(const struct mw_incident *inc, char **cited)
{
	struct buf b, arr;
	struct report_ids ids = { NULL, 0, 0 };
	size_t i, k = 0;

	buf_init(&b);
	buf_init(&arr);
	report_header(&b, inc);
	report_what(&b, inc);
	report_impact(&b, inc);
	report_timeline(&b, inc);
	buf_adds(&b, "\n## Hypotheses\n");
	if (inc->n_hypotheses == 0)
		buf_adds(&b, "\nNo hypotheses yet.\n");
	for (i = 0; i < inc->n_hypotheses; i++)
		report_hypothesis(&b, &inc->hypotheses[i], &ids);
	report_why(&b, inc);
	report_recommendations(&b, inc);
	report_alerts(&b, inc);
	/* Two hypotheses may cite one artifact: list each id once. */
	if (ids.n > 0)
		qsort(ids.v, ids.n, sizeof *ids.v, report_id_cmp);
	buf_adds(&b, "\n## Evidence cited\n\n");
	pgarray_begin(&arr);
	for (i = 0; i < ids.n; i++) {
		if (i > 0 && ids.v[i] == ids.v[i - 1])
			continue;
		buf_printf(&b, "%sE%lld", k > 0 ? ", " : "", ids.v[i]);
		pgarray_add_ll(&arr, ids.v[i]);
		k++;
	}
	buf_adds(&b, k == 0 ? "None.\n" : "\n");
	pgarray_end(&arr);
	free(ids.v);
	*cited = buf_steal(&arr);
	return buf_steal(&b);
}

/* Writes the report of one loaded incident; 1 written, 0 unchanged, -1. */
static int
report_store(struct pipeline_ctx *ctx, struct mw_incident *inc, char **cause)
{
	char id[24], *md, *cited, *details;
	struct db_res *r;
	int rc;

	if (model_load_detail(ctx->db, ctx->project_id, inc, cause) != 0)
		return -1;
	md = report_build(inc, &cited);
	details = jsonx_pack("{s:I, s:I, s:I, s:I}",
	    "hypotheses", (json_int_t)inc->n_hypotheses,
	    "recommendations", (json_int_t)inc->n_recommendations,
	    "alerts", (json_int_t)inc->n_alerts,
	    "timeline", (json_int_t)inc->n_timeline);
	snprintf(id, sizeof id, "%lld", inc->id);
	/* unless it is unchanged: a row when written */
	r = DBQN(ctx->db, cause, "pipeline/report_upsert", ctx->project, ctx->run,
	    id, md, cited, details);
	if (r == NULL) {
		rc = -1;
		goto out;
	}
	rc = db_res_rows(r) > 0;
	db_res_free(r);
out:
	free(md);
	free(cited);
	free(details);
	return rc;
}

/* Runs the stage (see pipeline.h). */
int
stage_report_run(struct pipeline_ctx *ctx, char **cause)
{
	struct mw_snapshot *s = NULL;
	struct db_res *r;
	long long *ids;
	size_t n, i;
	int rc = -1, w;
	long long written = 0;

	/* the approved incidents this run touched */
	r = DBQN(ctx->db, cause, "pipeline/report_incidents", ctx->project,
	    ctx->run, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	n = (size_t)db_res_rows(r);
	ids = xcalloc(n + 1, sizeof *ids);
	for (i = 0; i < n; i++)
		ids[i] = db_val_ll(r, (int)i, "id");
	db_res_free(r);
	if (n > 0) {
		/* All recommendations, including those the gate holds back. */
		s = model_load_ids(ctx->db, ctx->project_id, ids, n, 1, cause);
		if (s == NULL)
			goto out;
		for (i = 0; i < s->n_incidents; i++) {
			char id[24], *ucause = NULL;

			pipeline_ll(id, sizeof id, s->incidents[i].id);
			w = pipeline_unit_begin(ctx, "report", "incident", id, &ucause);
			if (w == 0)
				w = report_store(ctx, &s->incidents[i], &ucause);
			if (w > 0)
				written += w;
			if (pipeline_unit_end(ctx, w < 0, "report", "incident", id,
			    &ucause, cause) != 0)
				goto out;
		}
	}
	log_debug("report: %zu incidents, %lld reports written", n, written);
	if (ctx->summary != NULL)
		json_object_set_new(ctx->summary, "report", json_pack("{sIsI}",
		    "incidents", (json_int_t)n, "written", (json_int_t)written));
	rc = 0;
out:
	model_free(s);
	free(ids);
	return rc;
}
