/*
 * detail_incident.c - the incident's view (detail.c opens it): its facts, a
 * timeline of deploys, config changes, alerts and the onset on one time
 * axis, and a chart of each anomalous series in its unit over the
 * detector's baseline band (detail_items.c draws one), then its notes and
 * feedback history.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/buf.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* ---- incident ---------------------------------------------------------------------- */

/* The marker letter of a timeline item kind. */
static char
detail_mark(const char *kind)
{
	if (kind == NULL)
		return '*';
	if (strcmp(kind, "deploy") == 0)
		return 'D';
	if (strcmp(kind, "config_change") == 0)
		return 'C';
	if (strcmp(kind, "alert") == 0)
		return 'A';
	if (strcmp(kind, "onset") == 0)
		return 'O';
	if (strcmp(kind, "signal") == 0)
		return 'S';
	if (strcmp(kind, "expired") == 0)
		return 'x';
	if (strcmp(kind, "note") == 0)
		return 'N';
	return '*';
}

/* qsort: timeline items by time (stable enough: equal times keep kinds). */
static int
detail_item_cmp(const void *a, const void *b)
{
	const struct mw_timeline_item *x = *(const struct mw_timeline_item *const *)a;
	const struct mw_timeline_item *y = *(const struct mw_timeline_item *const *)b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Says how many expired signals the timeline leaves out. */
static void
detail_expired_note(struct dlines *d, size_t hidden)
{
	if (hidden > 0)
		dl_add(d, CS_MUTED, "  %zu expired signal%s of nearby services "
		    "not shown (H shows them)", hidden, hidden == 1 ? "" : "s");
}

/* How far past the incident's window the timeline's axis reaches at
 * least (an item further away is listed with its date, off the axis). */
#define DETAIL_AXIS_REACH 3600.0

/* 1 if time ts belongs on inc's timeline axis: within span of its window
 * (an incident without a window takes everything). */
static int
detail_on_axis(const struct mw_incident *inc, double ts, double span)
{
	if (inc->window_start <= 0 || inc->window_end <= 0)
		return 1;
	return ts >= inc->window_start - span && ts <= inc->window_end + span;
}

/* The time range of the axis: the incident's window stretched over the
 * items within span of it (ten minutes around a single instant). */
static void
detail_axis_range(const struct mw_incident *inc,
    const struct mw_timeline_item **order, size_t n, double span, double *t0,
    double *t1)
{
	size_t k;

	*t0 = inc->window_start;
	*t1 = inc->window_end;
	for (k = 0; k < n; k++) {
		double ts = order[k]->ts;

		if (ts <= 0 || !detail_on_axis(inc, ts, span))
			continue;
		if (*t0 <= 0 || ts < *t0)
			*t0 = ts;
		if (ts > *t1)
			*t1 = ts;
	}
	if (!(*t1 > *t0)) {
		*t0 -= 300;
		*t1 += 300;
	}
}

/* The axis: a line of markers, the axis with its ticks, their times and
 * the legend.  Returns how many items are off the axis. */
static size_t
detail_axis(struct dlines *d, const struct mw_incident *inc,
    const struct mw_timeline_item **order, size_t n, double span)
{
	int w = d->width - 2, i, c, ticks[5];
	double t0, t1;
	size_t k, off = 0;
	char *marks, *labels, hm[16];
	struct buf axis;

	detail_axis_range(inc, order, n, span, &t0, &t1);
	if (w < 20)
		w = 20;
	marks = xmalloc((size_t)w + 1);
	labels = xmalloc((size_t)w + 1);
	memset(marks, ' ', (size_t)w);
	memset(labels, ' ', (size_t)w);
	marks[w] = labels[w] = '\0';
	/* Where several items share a column, the likelier cause wins:
	 * deploys, then config changes, onsets, alerts, notes, signals. */
	for (k = 0; k < n; k++) {
		static const char prio[] = "DCOANSx*";
		char m = detail_mark(order[k]->kind);

		if (order[k]->ts > 0 && !detail_on_axis(inc, order[k]->ts, span)) {
			off++;
			continue;
		}
		c = chart_time_col(order[k]->ts, t0, t1, w);
		if (marks[c] == ' ' || strchr(prio, m) < strchr(prio, marks[c]))
			marks[c] = m;
	}
	for (i = 0; i < 5; i++)
		ticks[i] = (w - 1) * i / 4;
	buf_init(&axis);
	for (c = 0; c < w; c++) {
		if (c == 0)
			buf_adds(&axis, draw_glyph(G_AXIS_L));
		else if (c == w - 1)
			buf_adds(&axis, draw_glyph(G_AXIS_R));
		else if (c == ticks[1] || c == ticks[2] || c == ticks[3])
			buf_adds(&axis, draw_glyph(G_TICK));
		else
			buf_adds(&axis, draw_glyph(G_HLINE));
	}
	for (i = 0; i < 5; i++) {
		int at = ticks[i];

		detail_hhmm(t0 + (t1 - t0) * i / 4, hm, sizeof hm, 0);
		if (i == 4)
			at = w - (int)strlen(hm);
		else if (i > 0)
			at -= (int)strlen(hm) / 2;
		if (at < 0)
			at = 0;
		if (at + (int)strlen(hm) <= w && (at == 0 || labels[at - 1] == ' '))
			memcpy(labels + at, hm, strlen(hm));
	}
	dl_push(d, xasprintf("  %s", marks), CS_SPARK);
	dl_push(d, xasprintf("  %s", buf_str(&axis)), CS_MUTED);
	dl_push(d, xasprintf("  %s", labels), CS_MUTED);
	dl_push(d, xstrdup("  D deploy  C config change  O onset  A alert  N note  "
	    "S signal  x expired"), CS_MUTED);
	buf_free(&axis);
	free(marks);
	free(labels);
	return off;
}

/* The timeline's items in time order: those on the axis with their time of
 * day, then the off ones (off of them) with their dates. */
static void
detail_timeline_list(struct dlines *d, const struct mw_incident *inc,
    const struct mw_timeline_item **order, size_t n, double span, size_t off)
{
	char hm[16], when[40];
	size_t k;

	qsort(order, n, sizeof *order, detail_item_cmp);
	for (k = 0; k < n; k++) {
		const struct mw_timeline_item *it = order[k];

		if (it->ts > 0 && !detail_on_axis(inc, it->ts, span))
			continue;
		detail_hhmm(it->ts, hm, sizeof hm, 1);
		dl_add(d, strcmp(it->kind ? it->kind : "", "onset") == 0 ?
		    CS_CRITICAL : CS_NORMAL, "  %s  %c  %-13s %s", hm,
		    detail_mark(it->kind), it->kind ? it->kind : "",
		    it->label ? it->label : "");
	}
	if (off > 0)
		dl_add(d, CS_HEADING, "  off the axis (%zu, with their dates):", off);
	for (k = 0; off > 0 && k < n; k++) {
		const struct mw_timeline_item *it = order[k];

		if (it->ts <= 0 || detail_on_axis(inc, it->ts, span))
			continue;
		detail_ts(it->ts, when, sizeof when);
		dl_add(d, CS_NORMAL, "  %s  %c  %-13s %s", when,
		    detail_mark(it->kind), it->kind ? it->kind : "",
		    it->label ? it->label : "");
	}
}

/* The timeline: markers over an axis with times, then the list.  Expired
 * signals of nearby services are left out unless show_expired (H). */
static void
detail_timeline(struct dlines *d, const struct mw_incident *inc,
    int show_expired)
{
	const struct mw_timeline_item **order;
	double span;
	size_t k, n = 0, hidden = 0, off;

	order = xcalloc(inc->n_timeline + 1, sizeof *order);
	for (k = 0; k < inc->n_timeline; k++) {
		if (!show_expired && inc->timeline[k].kind != NULL &&
		    strcmp(inc->timeline[k].kind, "expired") == 0)
			hidden++;
		else
			order[n++] = &inc->timeline[k];
	}
	if (n == 0) {
		dl_add(d, CS_MUTED, "  (no deploys, config changes or alerts around the onset)");
		detail_expired_note(d, hidden);
		free(order);
		return;
	}
	/* The axis stays on the incident: it reaches out to items within a
	 * span (the window's length, at least an hour) of the window; a note
	 * or resolution days later is listed with its date instead of
	 * squeezing everything else into one column. */
	span = inc->window_end - inc->window_start;
	if (!(span >= DETAIL_AXIS_REACH))
		span = DETAIL_AXIS_REACH;
	off = detail_axis(d, inc, order, n, span);
	detail_timeline_list(d, inc, order, n, span, off);
	detail_expired_note(d, hidden);
	free(order);
}


/* The incident view (inc: the incident, row->obj). */
void
detail_view_incident(struct ui *ui, struct dlines *d, const struct row *row,
    const struct mw_incident *inc)
{
	const struct mw_incident *det = NULL;
	char a[40], b[40], age[32], conf[16];
	size_t i;

	detail_ts(inc->window_start, a, sizeof a);
	detail_ts(inc->window_end, b, sizeof b);
	ui_age(inc->window_start, age, sizeof age);
	dl_add(d, CS_HEADING, "Incident #%lld  %s  %s  %s  (%s)", inc->id,
	    inc->service ? inc->service : "-", inc->severity ? inc->severity : "",
	    ui_status(ui, ROW_INCIDENT, inc->id, inc->status),
	    inc->trigger_type ? inc->trigger_type : "");
	if (inc->title != NULL && *inc->title != '\0')
		dl_wrap(d, CS_NORMAL, 0, inc->title);
	dl_add(d, CS_NORMAL, "Window     %s %s %s  (began %s ago)", a,
	    draw_glyph(G_ARROW), b, age);
	if (inc->decision != NULL)
		dl_add(d, CS_NORMAL, "Decision   %s (policy %s): %s", inc->decision,
		    inc->policy_version ? inc->policy_version : "?",
		    inc->rationale ? inc->rationale : "");
	units_confidence(inc->confidence, conf, sizeof conf);
	dl_add(d, CS_NORMAL, "Confidence %s", conf);
	if (inc->resolution != NULL && *inc->resolution != '\0' &&
	    inc->status != NULL && strcmp(inc->status, "resolved") == 0) {
		char *res = xasprintf("Resolution %s", inc->resolution);

		dl_wrap(d, CS_NORMAL, 0, res);
		free(res);
	}

	if (ui->detail_snap != NULL && ui->detail_snap_id == inc->id)
		det = detail_find_incident(ui->detail_snap, inc->id);
	dl_heading(d, "Timeline (UTC)");
	if (det != NULL)
		detail_timeline(d, det, ui->show_hidden);
	else if (ui->detail_error != NULL)
		dl_add(d, CS_ERROR, "  cannot load the timeline: %s", ui->detail_error);
	else
		dl_add(d, CS_MUTED, "  loading...");
	dl_heading(d, "Anomalous series (value over baseline)");
	if (det != NULL) {
		if (det->n_series == 0)
			dl_add(d, CS_MUTED, "  (no series)");
		for (i = 0; i < det->n_series; i++)
			detail_series(d, &det->series[i]);
	} else
		dl_add(d, CS_MUTED, "  %s", ui->detail_error ? "-" : "loading...");

	dl_heading(d, "Hypotheses");
	if (inc->n_hypotheses == 0)
		dl_add(d, CS_MUTED, "  (none)");
	for (i = 0; i < inc->n_hypotheses; i++) {
		const struct mw_hypothesis *h = &inc->hypotheses[i];

		units_confidence(h->confidence, conf, sizeof conf);
		dl_add(d, CS_NORMAL, "  %d. %-10s %s %-10s %s", h->rank,
		    h->type ? h->type : "", conf,
		    ui_status(ui, ROW_HYPOTHESIS, h->id, h->status), h->title ? h->title : "");
	}
	dl_heading(d, "Recommendations");
	if (inc->n_recommendations == 0)
		dl_add(d, CS_MUTED, "  (none)");
	for (i = 0; i < inc->n_recommendations; i++) {
		const struct mw_recommendation *r = &inc->recommendations[i];

		dl_add(d, r->publishable ? CS_NORMAL : CS_MUTED, "  %-12s %-13s %s%s",
		    ui_status(ui, ROW_RECO, r->id, r->status), r->type ? r->type : "",
		    r->publishable ? "" : "[hidden] ", r->title ? r->title : "");
		if (r->already_done != NULL)
			dl_add(d, CS_MUTED, "%28s already done: %s", "",
			    r->already_done);
	}
	dl_heading(d, "Alerts");
	if (inc->n_alerts == 0)
		dl_add(d, CS_MUTED, "  (none)");
	for (i = 0; i < inc->n_alerts; i++) {
		const struct mw_alert *al = &inc->alerts[i];

		dl_add(d, CS_NORMAL, "  %-12s %-8s %s",
		    ui_status(ui, ROW_ALERT, al->id, al->status),
		    al->severity ? al->severity : "", al->title ? al->title : "");
	}
	detail_history(ui, d);
}

