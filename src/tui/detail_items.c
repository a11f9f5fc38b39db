/*
 * detail_items.c - the views of the items an incident holds (detail.c opens
 * them): a hypothesis, why it is ranked where it is and what it cites; an
 * evidence item, its full summary and reference and the metric it cites
 * over its baseline band; a recommendation, its gate, rationale, expected
 * impact and notes; an alert, everything its row had no room for.  And the
 * chart of one series, which the incident's view shows too.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Rows of a series' chart. */
#define DETAIL_CHART_ROWS 4
/* Columns left of a chart: its scale's labels. */
#define DETAIL_GUTTER 12

/* A series' number in its unit, or v plainly when the model gave none. */
static const char *
detail_num(const char *text, double v, char *buf, size_t len)
{
	if (text != NULL)
		return text;
	snprintf(buf, len, "%.4g", isfinite(v) ? v : 0.0);
	return buf;
}

/* One series: a caption with its numbers in the metric's unit, the values
 * as an area chart over the detector's baseline band (shaded), the scale
 * at the left, the onset marked below, and what the band is. */
void
detail_series(struct dlines *d, const struct mw_series *s)
{
	int w = d->width - DETAIL_GUTTER, used, c, row, onset_col = -1;
	double *vals, *base = NULL, *blo = NULL, *bhi = NULL;
	double lo = s->lo, hi = s->hi, spread = s->spread;
	char hm[16], n1[32], n2[32], n3[32], *spread_text;
	struct buf b;
	size_t i;

	if (w < 10)
		w = 10;
	if (!(isfinite(lo) && isfinite(hi) && hi >= lo)) {
		lo = INFINITY;
		hi = -INFINITY;
		for (i = 0; i < s->n; i++)
			if (isfinite(s->value[i])) {
				lo = s->value[i] < lo ? s->value[i] : lo;
				hi = s->value[i] > hi ? s->value[i] : hi;
			}
	}
	detail_hhmm(s->onset, hm, sizeof hm, 0);
	dl_add(d, CS_HEADING, "  %s %s  onset %s  min %s  max %s  last %s",
	    s->service ? s->service : "?", s->metric ? s->metric : "?", hm,
	    detail_num(s->min_text, lo, n1, sizeof n1),
	    detail_num(s->max_text, hi, n2, sizeof n2),
	    detail_num(s->last_text, NAN, n3, sizeof n3));
	if (s->n == 0) {
		dl_add(d, CS_MUTED, "  (no points)");
		return;
	}
	vals = xcalloc((size_t)w, sizeof *vals);
	used = chart_resample(s->value, s->n, w, vals);
	if (s->baseline != NULL) {
		base = xcalloc((size_t)w, sizeof *base);
		blo = xcalloc((size_t)w, sizeof *blo);
		bhi = xcalloc((size_t)w, sizeof *bhi);
		chart_resample(s->baseline, s->n, w, base);
		if (!isfinite(spread) || spread < 0)
			spread = 0;
		for (c = 0; c < used; c++) {
			blo[c] = base[c] - spread;
			bhi[c] = base[c] + spread;
		}
	}
	buf_init(&b);
	for (row = DETAIL_CHART_ROWS - 1; row >= 0; row--) {
		const char *label = row == DETAIL_CHART_ROWS - 1 ?
		    detail_num(s->hi_text, hi, n1, sizeof n1) : row == 0 ?
		    detail_num(s->lo_text, lo, n2, sizeof n2) : "";

		buf_printf(&b, "  %-*.*s ", DETAIL_GUTTER - 3, DETAIL_GUTTER - 3,
		    label);
		chart_area_row(&b, row, DETAIL_CHART_ROWS, vals, blo, bhi, used,
		    lo, hi, d->utf8);
		dl_push(d, buf_steal(&b), CS_SPARK);
	}
	if (s->onset > 0 && s->ts != NULL && s->n > 1) {
		/* The column of the first point at or after the onset. */
		for (i = 0; i < s->n && s->ts[i] < s->onset; i++)
			;
		if (i < s->n) {
			onset_col = (int)((double)i * used / (double)s->n);
			buf_printf(&b, "%*s", DETAIL_GUTTER + onset_col, "");
			buf_adds(&b, "^ onset");
			dl_push(d, buf_steal(&b), CS_CRITICAL);
		}
	}
	if (s->baseline != NULL) {
		buf_printf(&b, "  %-*s ", DETAIL_GUTTER - 3, "band");
		chart_band_marks(&b, vals, blo, bhi, used, d->utf8);
		dl_push(d, buf_steal(&b), CS_BASELINE);
		spread_text = s->spread_text != NULL ? xasprintf("%s %s (the "
		    "detector's spread)", d->utf8 ? "\xc2\xb1" : "+-",
		    s->spread_text) : xstrdup("(no spread known)");
		dl_push(d, xasprintf("%*s%s baseline %s %s  %s above  %s below",
		    DETAIL_GUTTER, "", d->utf8 ? "\xe2\x96\x91" : ":",
		    s->base_text != NULL ? s->base_text : "?", spread_text,
		    d->utf8 ? "\xe2\x96\xb2" : "^", d->utf8 ? "\xe2\x96\xbc" : "v"),
		    CS_BASELINE);
		free(spread_text);
	}
	buf_free(&b);
	free(vals);
	free(base);
	free(blo);
	free(bhi);
}


/* ---- hypothesis and evidence --------------------------------------------------------- */

/* The evidence list of h, grouped by role. */
static void
detail_evidence_list(struct dlines *d, const struct mw_hypothesis *h)
{
	static const char *const roles[] = { "supports", "contradicts", "missing" };
	size_t r, i;
	int any;

	for (r = 0; r < MW_ARRAY_LEN(roles); r++) {
		any = 0;
		for (i = 0; i < h->n_evidence; i++) {
			const struct mw_evidence *e = &h->evidence[i];

			if (e->role == NULL || strcmp(e->role, roles[r]) != 0)
				continue;
			if (!any)
				dl_add(d, r == 0 ? CS_OK : r == 1 ? CS_HIGH : CS_MUTED,
				    "  %s:", roles[r]);
			any = 1;
			dl_add(d, CS_NORMAL, "    %-18s weight %.2f  %s", e->kind ? e->kind : "",
			    e->weight, e->ref ? e->ref : "");
			dl_wrap(d, CS_NORMAL, 6, e->summary != NULL && *e->summary != '\0' ?
			    e->summary : r == 2 ? "(expected, looked for, not found)" : "");
		}
	}
	if (h->n_evidence == 0)
		dl_add(d, CS_MUTED, "  (no evidence cited)");
}

/* The hypothesis view: why it is ranked where it is. */
void
detail_view_hypothesis(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc)
{
	const struct mw_hypothesis *h = r->obj;
	struct buf bar;
	char conf[16];
	size_t i;

	dl_add(d, CS_HEADING, "Hypothesis #%lld  rank %d of %zu  %s  suspected service %s",
	    h->id, h->rank, inc->n_hypotheses, h->type ? h->type : "",
	    h->service ? h->service : "-");
	dl_wrap(d, CS_NORMAL, 0, h->title);
	buf_init(&bar);
	chart_bar(&bar, h->confidence, 20, d->utf8);
	units_confidence(h->confidence, conf, sizeof conf);
	dl_push(d, xasprintf("Confidence %s %s", conf, buf_str(&bar)), CS_BAR);
	buf_free(&bar);
	dl_add(d, CS_NORMAL, "Status     %s", ui_status(ui, ROW_HYPOTHESIS, h->id, h->status));
	if (h->ref != NULL)
		dl_add(d, CS_NORMAL, "Blames     %s", h->ref);
	dl_add(d, CS_NORMAL, "Incident   #%lld %s (%s)", inc->id,
	    inc->service ? inc->service : "-", inc->trigger_type ? inc->trigger_type : "");
	dl_heading(d, "Why it is ranked here");
	if (h->why != NULL && *h->why != '\0')
		dl_wrap(d, CS_NORMAL, 2, h->why);
	else
		dl_add(d, CS_MUTED, "  (the pipeline gave no explanation)");
	for (i = 0; i < inc->n_hypotheses; i++) {
		const struct mw_hypothesis *o = &inc->hypotheses[i];

		if (o->id == h->id)
			continue;
		units_confidence(o->confidence, conf, sizeof conf);
		dl_add(d, CS_MUTED, "  %s #%d %-10s %s  %s",
		    o->rank < h->rank ? "below" : "above", o->rank,
		    o->type ? o->type : "", conf, o->title ? o->title : "");
	}
	dl_heading(d, "Evidence");
	detail_evidence_list(d, h);
	detail_history(ui, d);
}

/* The evidence view: full summary and reference, the metric it cites as
 * a chart over its baseline band, and its feedback history. */
void
detail_view_evidence(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc)
{
	const struct mw_evidence *e = r->obj;
	const struct mw_hypothesis *h = r->hyp;
	const struct mw_item_detail *it = detail_item(ui);
	char ts[40], conf[16];
	size_t i;

	detail_ts(e->observed_at, ts, sizeof ts);
	if (e->id > 0)
		dl_add(d, CS_HEADING, "Evidence #%lld  %s  %s hypothesis #%lld (rank %d)",
		    e->id, e->kind ? e->kind : "", e->role ? e->role : "", h->id, h->rank);
	else
		dl_add(d, CS_HEADING, "Missing evidence  %s  for hypothesis #%lld (rank %d)",
		    e->kind ? e->kind : "", h->id, h->rank);
	dl_add(d, CS_NORMAL, "Hypothesis %s", h->title ? h->title : "");
	dl_add(d, CS_NORMAL, "Source     %s", e->source ? e->source : "-");
	dl_add(d, CS_NORMAL, "Reference  %s", e->ref ? e->ref : "-");
	dl_add(d, CS_NORMAL, "Observed   %s", ts);
	units_confidence(e->confidence, conf, sizeof conf);
	dl_add(d, CS_NORMAL, "Confidence %s   weight %.2f", conf, e->weight);
	dl_heading(d, "Summary");
	dl_wrap(d, CS_NORMAL, 2, e->summary != NULL && *e->summary != '\0' ? e->summary :
	    "(none)");
	if (it != NULL && it->n_series > 0) {
		dl_heading(d, "The metric around the incident (value over baseline)");
		for (i = 0; i < it->n_series; i++)
			detail_series(d, &it->series[i]);
	}
	detail_history(ui, d);
}

/* ---- recommendation and alert ------------------------------------------------------ */

/* Why a recommendation is made and what it should do. */
static void
detail_reco_why(struct dlines *d, const struct mw_recommendation *r)
{
	dl_heading(d, "Rationale");
	dl_wrap(d, CS_NORMAL, 2, r->rationale != NULL ? r->rationale :
	    "(its hypothesis was withdrawn)");
	dl_heading(d, "Expected impact");
	dl_wrap(d, CS_NORMAL, 2, r->expected_impact != NULL &&
	    *r->expected_impact != '\0' ? r->expected_impact : "(not stated)");
}

/* The recommendation view: the evidence gate (and its reason), who
 * acknowledged it, why it is made, its expected impact, notes and
 * feedback history. */
void
detail_view_reco(struct ui *ui, struct dlines *d, const struct row *row,
    const struct mw_incident *inc)
{
	const struct mw_recommendation *r = row->obj;
	char age[32];

	dl_add(d, CS_HEADING, "Recommendation #%lld  %s  %s", r->id, r->type ? r->type : "",
	    ui_status(ui, ROW_RECO, r->id, r->status));
	dl_wrap(d, CS_NORMAL, 0, r->title);
	dl_add(d, CS_NORMAL, "Incident   #%lld %s", inc->id, inc->service ? inc->service : "-");
	if (r->hypothesis_id > 0)
		dl_add(d, CS_NORMAL, "For        hypothesis #%lld", r->hypothesis_id);
	if (r->gate_reason != NULL || !r->publishable)
		dl_add(d, r->publishable ? CS_OK : CS_MUTED, "Evidence gate %s%s%s",
		    r->publishable ? "passed" : "blocked (hidden from the panes)",
		    r->gate_reason ? ": " : "", r->gate_reason ? r->gate_reason : "");
	else
		dl_add(d, CS_OK, "Evidence gate passed: %d supporting evidence "
		    "item%s", r->evidence_count, r->evidence_count == 1 ? "" : "s");
	if (r->acked_by != NULL) {
		ui_age(r->acked_at, age, sizeof age);
		dl_add(d, CS_ACKED, "Acknowledged by %s, %s ago", r->acked_by, age);
	}
	detail_reco_why(d, r);
	detail_notes(ui, d);
	detail_actions(d, r);
	detail_history(ui, d);
}

/* The alert view: its state and the whole message. */
void
detail_view_alert(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc)
{
	const struct mw_alert *a = r->obj;
	char since[32], ts[40], age[32], *t;

	detail_ts(a->created_at, ts, sizeof ts);
	ui_age(a->created_at, since, sizeof since);
	dl_add(d, CS_HEADING, "Alert #%lld  %s  %s", a->id, a->severity ? a->severity : "",
	    ui_status(ui, ROW_ALERT, a->id, a->status));
	dl_wrap(d, CS_NORMAL, 0, a->title);
	dl_add(d, CS_NORMAL, "Since      %s (%s ago)", ts, since);
	if (a->incident_id > 0)
		dl_add(d, CS_NORMAL, "Incident   #%lld", a->incident_id);
	if (a->acked_by != NULL) {
		ui_age(a->acked_at, age, sizeof age);
		dl_add(d, ui_now() - a->acked_at > ui->stale_ack ? CS_STALE : CS_ACKED,
		    "Acknowledged by %s, %s ago", a->acked_by, age);
	}
	if (a->silenced_until > 0) {
		detail_ts(a->silenced_until, ts, sizeof ts);
		dl_add(d, CS_MUTED, "Silenced until %s", ts);
	}
	if (a->source != NULL)
		dl_add(d, CS_NORMAL, "Source     %s", a->source);
	if (a->group_head_id == a->id && a->group_members > 0)
		dl_add(d, CS_NORMAL, "Group      head: pages for %d more alert%s"
		    " (f in the Alerts pane lists them)", a->group_members,
		    a->group_members == 1 ? "" : "s");
	else if (a->group_reason != NULL)
		dl_add(d, CS_MUTED, "Group      %s", a->group_reason);
	if (a->am_silence != NULL) {	/* wrapped: its id, its error */
		t = xasprintf("Alertmanager silence %s", a->am_silence);
		dl_wrap(d, CS_MUTED, 0, t);
		free(t);
	}
	dl_heading(d, "Message");
	dl_wrap(d, CS_NORMAL, 2, a->message != NULL && *a->message != '\0' ?
	    a->message : "(empty)");
	if (a->labels != NULL) {
		dl_heading(d, "Labels");
		dl_wrap(d, CS_NORMAL, 2, a->labels);
	}
	if (a->annotations != NULL) {
		dl_heading(d, "Annotations");
		dl_wrap(d, CS_NORMAL, 2, a->annotations);
	}
	detail_history(ui, d);
}

