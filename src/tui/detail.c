/*
 * detail.c - the view Enter opens.  For an incident: its facts, a timeline
 * of deploys, config changes, alerts and the onset on one time axis, and a
 * chart of each anomalous series in its unit over the detector's baseline
 * band; for a hypothesis:
 * why it is ranked where it is and what it cites; for an evidence item: its
 * full summary and reference and the metric it cites over its baseline
 * band; for a recommendation: its gate, rationale, expected impact and
 * notes; for an alert: everything the row had no room for (its whole
 * message).  Every view ends with the item's feedback history.
 *
 * The view is rebuilt as lines of text for the current width on every
 * frame and scrolled; the object is looked up by identity in the current
 * snapshot each time, so live updates show here too.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/units.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Lines of the view. */
struct dlines {
	struct dline {
		char *text;
		int slot;
	} *v;
	size_t n, cap;
	int width;
	int utf8;
};

/* Appends a line (already sized to the width). */
static void
dl_push(struct dlines *d, char *text, int slot)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n].text = text;
	d->v[d->n].slot = slot;
	d->n++;
}

/* Appends a formatted line; its text is sanitised (it may hold external
 * strings) and clipped when drawn. */
void
dl_add(struct dlines *d, int slot, const char *fmt, ...)
{
	va_list ap;
	char *s, *clean;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	clean = sanitize_text(s, 0);
	free(s);
	dl_push(d, clean, slot);
}

/* Appends external text wrapped to the width, indented. */
void
dl_wrap(struct dlines *d, int slot, int indent, const char *text)
{
	char **lines, *clean;
	size_t n, i;

	clean = sanitize_text(text != NULL ? text : "", 1);
	n = text_wrap(clean, d->width - indent > 10 ? d->width - indent : 10,
	    d->utf8, &lines);
	for (i = 0; i < n; i++)
		dl_push(d, xasprintf("%*s%s", indent, "", lines[i]), slot);
	text_lines_free(lines, n);
	free(clean);
}

/* A section heading. */
void
dl_heading(struct dlines *d, const char *title)
{
	dl_push(d, xstrdup(""), CS_NORMAL);
	dl_push(d, xasprintf("%s %s", draw_glyph(G_HLINE), title), CS_HEADING);
}

/* Frees the lines. */
static void
dl_free(struct dlines *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
}

/* "HH:MM" (UTC) of t, or "--:--". */
static void
detail_hhmm(double t, char *out, size_t len, int seconds)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(out, len, seconds ? "--:--:--" : "--:--");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, len, seconds ? "%H:%M:%S" : "%H:%M", &tm);
}

/* RFC 3339 or "-". */
static void
detail_ts(double t, char *out, size_t len)
{
	if (t <= 0)
		snprintf(out, len, "-");
	else
		timefmt_format(t, out, len);
}

/* ---- finding the object by identity ---------------------------------------------- */

/* The incident id in s, or NULL (see tui_int.h). */
const struct mw_incident *
detail_find_incident(const struct mw_snapshot *s, long long id)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n_incidents; i++)
		if (s->incidents[i].id == id)
			return &s->incidents[i];
	return NULL;
}

/* The hypothesis id in s (and its incident in *inc), or NULL. */
static const struct mw_hypothesis *
detail_find_hypothesis(const struct mw_snapshot *s, long long id,
    const struct mw_incident **inc)
{
	size_t i, j;

	for (i = 0; s != NULL && i < s->n_incidents; i++)
		for (j = 0; j < s->incidents[i].n_hypotheses; j++)
			if (s->incidents[i].hypotheses[j].id == id) {
				*inc = &s->incidents[i];
				return &s->incidents[i].hypotheses[j];
			}
	return NULL;
}

/* The recommendation id in s (and its incident in *inc), or NULL. */
static const struct mw_recommendation *
detail_find_reco(const struct mw_snapshot *s, long long id,
    const struct mw_incident **inc)
{
	size_t i, j;

	for (i = 0; s != NULL && i < s->n_incidents; i++)
		for (j = 0; j < s->incidents[i].n_recommendations; j++)
			if (s->incidents[i].recommendations[j].id == id) {
				*inc = &s->incidents[i];
				return &s->incidents[i].recommendations[j];
			}
	return NULL;
}

/* The alert id in s (the snapshot's list, then the incidents'), or NULL. */
static const struct mw_alert *
detail_find_alert(const struct mw_snapshot *s, long long id)
{
	size_t i, j;

	for (i = 0; s != NULL && i < s->n_alerts; i++)
		if (s->alerts[i].id == id)
			return &s->alerts[i];
	for (i = 0; s != NULL && i < s->n_incidents; i++)
		for (j = 0; j < s->incidents[i].n_alerts; j++)
			if (s->incidents[i].alerts[j].id == id)
				return &s->incidents[i].alerts[j];
	return NULL;
}

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

/* The timeline: markers over an axis with times, then the list.  Expired
 * signals of nearby services are left out unless show_expired (H). */
static void
detail_timeline(struct dlines *d, const struct mw_incident *inc,
    int show_expired)
{
	int w = d->width - 2, i, c, ticks[5];
	double t0 = inc->window_start, t1 = inc->window_end, span;
	size_t off = 0;
	char *marks, *labels, hm[16], when[40], *legend;
	const struct mw_timeline_item **order;
	struct buf axis;
	size_t k, n = 0, hidden = 0;

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
	for (k = 0; k < n; k++) {
		double ts = order[k]->ts;

		if (ts <= 0 || !detail_on_axis(inc, ts, span))
			continue;
		if (t0 <= 0 || ts < t0)
			t0 = ts;
		if (ts > t1)
			t1 = ts;
	}
	if (!(t1 > t0)) {
		t0 -= 300;
		t1 += 300;
	}
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
	legend = xstrdup("  D deploy  C config change  O onset  A alert  N note  S signal"
	    "  x expired");
	dl_push(d, legend, CS_MUTED);
	buf_free(&axis);
	free(marks);
	free(labels);
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
	detail_expired_note(d, hidden);
	free(order);
}

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
static void
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

/* ---- what the worker loads for the open item ----------------------------------------- */

/* The item the open view loads data for: its feedback target kind, id and
 * incident (for the series of an incident or evidence item).  -1 when it
 * has none (a missing evidence item, never stored). */
static int
detail_target(struct ui *ui, long long *item, long long *incident)
{
	const struct mw_incident *inc = NULL;

	*incident = 0;
	*item = ui->detail_id;
	if (ui->detail_kind == ROW_INCIDENT)
		*incident = ui->detail_id;
	else if (ui->detail_kind == ROW_EVIDENCE) {
		if (ui->detail_sub <= 0)
			return -1;
		*item = ui->detail_sub;
		if (detail_find_hypothesis(ui->snap, ui->detail_id, &inc) != NULL)
			*incident = inc->id;
	}
	return 0;
}

/* Asks the worker for the open item's data (see tui_int.h). */
void
detail_request(struct ui *ui)
{
	struct intent *in;
	long long item, incident;

	if (ui->view != VIEW_DETAIL || detail_target(ui, &item, &incident) != 0)
		return;
	in = xcalloc(1, sizeof *in);
	in->type = INTENT_DETAIL;
	in->id = incident;
	in->target_kind = xstrdup(actions_kind_name(ui->detail_kind));
	in->target_id = item;
	in->seq = ++ui->seq;
	worker_post(ui->worker, in);
}

/* Takes the data of a WMSG_DETAIL for the open item (see tui_int.h). */
void
detail_loaded(struct ui *ui, struct wmsg *m)
{
	long long item, incident;

	if (ui->view != VIEW_DETAIL || m->kind == NULL ||
	    strcmp(m->kind, actions_kind_name(ui->detail_kind)) != 0 ||
	    detail_target(ui, &item, &incident) != 0 || m->item_id != item)
		return;
	if (ui->detail_kind == ROW_INCIDENT && (m->snap != NULL || m->text != NULL)) {
		if (ui->detail_snap != NULL)
			model_free(ui->detail_snap);
		ui->detail_snap = m->snap;
		ui->detail_snap_id = m->id;
		m->snap = NULL;
	}
	if (m->item != NULL || m->text != NULL) {
		model_item_detail_free(ui->detail_item);
		ui->detail_item = m->item;
		ui->detail_item_kind = ui->detail_kind;
		ui->detail_item_id = item;
		m->item = NULL;
	}
	free(ui->detail_error);
	ui->detail_error = m->text != NULL ? xstrdup(m->text) : NULL;
	ui->detail_loading = 0;
}

/* The open item's loaded data, or NULL while it loads. */
static const struct mw_item_detail *
detail_item(struct ui *ui)
{
	long long item, incident;

	if (ui->detail_item == NULL || ui->detail_item_kind != ui->detail_kind ||
	    detail_target(ui, &item, &incident) != 0 ||
	    ui->detail_item_id != item)
		return NULL;
	return ui->detail_item;
}

/* The item's feedback history, oldest first: when, who, what, and the
 * payload (sanitised by dl_add). */
static void
detail_history(struct ui *ui, struct dlines *d)
{
	const struct mw_item_detail *it = detail_item(ui);
	long long item, incident;
	char when[40], *line;
	size_t i;

	if (detail_target(ui, &item, &incident) != 0)
		return;
	dl_heading(d, "Feedback history (UTC, oldest first)");
	if (it == NULL) {
		dl_add(d, ui->detail_error ? CS_ERROR : CS_MUTED, "  %s%s",
		    ui->detail_error ? "cannot load it: " : "loading...",
		    ui->detail_error ? ui->detail_error : "");
		return;
	}
	if (it->n_history == 0)
		dl_add(d, CS_MUTED, "  (no feedback yet)");
	for (i = 0; i < it->n_history; i++) {
		const struct mw_history_item *h = &it->history[i];

		detail_ts(h->at, when, sizeof when);
		line = xasprintf("  %s  %-12s %-28s %s", when,
		    h->actor ? h->actor : "?", h->action ? h->action : "?",
		    h->summary ? h->summary : "");
		if (text_width(line, d->utf8) <= d->width ||
		    h->summary == NULL || *h->summary == '\0')
			dl_add(d, CS_NORMAL, "%s", line);
		else {	/* the payload wraps under it */
			dl_add(d, CS_NORMAL, "  %s  %-12s %s", when,
			    h->actor ? h->actor : "?", h->action ? h->action : "?");
			dl_wrap(d, CS_MUTED, 6, h->summary);
		}
		free(line);
	}
}

/* The notes written on the item (from its history), wrapped. */
static void
detail_notes(struct ui *ui, struct dlines *d)
{
	const struct mw_item_detail *it = detail_item(ui);
	char when[40], *line;
	size_t i, n = 0;

	dl_heading(d, "Notes");
	for (i = 0; it != NULL && i < it->n_history; i++) {
		const struct mw_history_item *h = &it->history[i];

		if (h->text == NULL)
			continue;
		detail_ts(h->at, when, sizeof when);
		line = xasprintf("%s %s: %s", when, h->actor ? h->actor : "?",
		    h->text);
		dl_wrap(d, CS_NORMAL, 2, line);
		free(line);
		n++;
	}
	if (n == 0)
		dl_add(d, CS_MUTED, "  %s", it == NULL ? "loading..." : "(none)");
}

/* The incident view. */
static void
detail_incident(struct ui *ui, struct dlines *d, const struct mw_incident *inc)
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
static void
detail_hypothesis(struct ui *ui, struct dlines *d, const struct mw_hypothesis *h,
    const struct mw_incident *inc)
{
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
static void
detail_evidence(struct ui *ui, struct dlines *d, const struct mw_evidence *e,
    const struct mw_hypothesis *h)
{
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
static void
detail_reco(struct ui *ui, struct dlines *d, const struct mw_recommendation *r,
    const struct mw_incident *inc)
{
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
static void
detail_alert(struct ui *ui, struct dlines *d, const struct mw_alert *a)
{
	char since[32], ts[40], age[32];

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
	if (a->am_silence != NULL)
		dl_add(d, CS_MUTED, "Alertmanager silence %s", a->am_silence);
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

/* ---- public ------------------------------------------------------------------------ */

/* Opens the view for row r. */
void
detail_open(struct ui *ui, const struct row *r)
{
	ui->view = VIEW_DETAIL;
	ui->detail_kind = r->kind;
	ui->detail_id = r->id;
	ui->detail_sub = r->sub;
	ui->detail_scroll = 0;
	model_item_detail_free(ui->detail_item);
	ui->detail_item = NULL;
	free(ui->detail_error);
	ui->detail_error = NULL;
	if (r->kind == ROW_INCIDENT) {
		if (ui->detail_snap_id != r->id && ui->detail_snap != NULL) {
			model_free(ui->detail_snap);
			ui->detail_snap = NULL;
			ui->detail_snap_id = 0;
		}
		free(ui->detail_error);
		ui->detail_error = NULL;
		ui->detail_loading = 1;
	}
}

/* The item the open view shows, as a row (see tui_int.h): triage keys in
 * a view act on it, not on whatever the pane selects meanwhile. */
int
detail_row(struct ui *ui, struct row *out)
{
	const struct mw_incident *inc = NULL;
	const struct mw_hypothesis *h;
	const void *obj = NULL;
	size_t i;

	memset(out, 0, sizeof *out);
	out->kind = ui->detail_kind;
	out->id = ui->detail_id;
	switch (ui->detail_kind) {
	case ROW_INCIDENT:
		obj = detail_find_incident(ui->snap, ui->detail_id);
		break;
	case ROW_HYPOTHESIS:
		obj = h = detail_find_hypothesis(ui->snap, ui->detail_id, &inc);
		out->hyp = h;
		break;
	case ROW_EVIDENCE:
		h = detail_find_hypothesis(ui->snap, ui->detail_id, &inc);
		for (i = 0; h != NULL && i < h->n_evidence; i++) {
			long long sub = h->evidence[i].id > 0 ? h->evidence[i].id :
			    -(long long)(i + 1);

			if (sub == ui->detail_sub) {
				obj = &h->evidence[i];
				out->sub = sub;
				out->hyp = h;
				break;
			}
		}
		break;
	case ROW_RECO:
		obj = detail_find_reco(ui->snap, ui->detail_id, &inc);
		break;
	case ROW_ALERT:
		obj = detail_find_alert(ui->snap, ui->detail_id);
		break;
	}
	out->obj = obj;
	return obj != NULL ? 0 : -1;
}

/* Builds the lines of the open view for width w. */
static void
detail_build(struct ui *ui, struct dlines *d)
{
	const struct mw_incident *inc = NULL;
	const struct mw_hypothesis *h;
	size_t i;

	switch (ui->detail_kind) {
	case ROW_INCIDENT:
		if ((inc = detail_find_incident(ui->snap, ui->detail_id)) != NULL) {
			detail_incident(ui, d, inc);
			return;
		}
		break;
	case ROW_HYPOTHESIS:
		if ((h = detail_find_hypothesis(ui->snap, ui->detail_id, &inc)) != NULL) {
			detail_hypothesis(ui, d, h, inc);
			return;
		}
		break;
	case ROW_EVIDENCE:
		if ((h = detail_find_hypothesis(ui->snap, ui->detail_id, &inc)) != NULL) {
			for (i = 0; i < h->n_evidence; i++) {
				long long sub = h->evidence[i].id > 0 ? h->evidence[i].id :
				    -(long long)(i + 1);

				if (sub == ui->detail_sub) {
					detail_evidence(ui, d, &h->evidence[i], h);
					return;
				}
			}
		}
		break;
	case ROW_RECO: {
		const struct mw_recommendation *r;

		if ((r = detail_find_reco(ui->snap, ui->detail_id, &inc)) != NULL) {
			detail_reco(ui, d, r, inc);
			return;
		}
		break;
	}
	case ROW_ALERT: {
		const struct mw_alert *a;

		if ((a = detail_find_alert(ui->snap, ui->detail_id)) != NULL) {
			detail_alert(ui, d, a);
			return;
		}
		break;
	}
	}
	dl_add(d, CS_MUTED, "This item is no longer in the data (Esc goes back).");
}

/* Draws the open view in the body. */
void
detail_draw(struct ui *ui)
{
	const struct rect *r = &ui->layout.body;
	struct dlines d;
	size_t i;
	int y, max;

	memset(&d, 0, sizeof d);
	d.width = r->w - 1;
	d.utf8 = draw_utf8();
	detail_build(ui, &d);
	ui->detail_lines = (int)d.n;
	max = (int)d.n - (r->h - 1);
	if (ui->detail_scroll > max)
		ui->detail_scroll = max > 0 ? max : 0;
	draw_title(r->y, r->x, r->w, "Detail",
	    d.n > (size_t)(r->h - 1) ? "(j/k scroll, Esc back)" : "(Esc back)", 1);
	for (i = (size_t)ui->detail_scroll, y = r->y + 1; i < d.n && y < r->y + r->h;
	    i++, y++)
		draw_text(y, r->x + 1, r->w - 1, d.v[i].text, d.v[i].slot);
	dl_free(&d);
}

/* Scrolls the view; 1 when the action was a scrolling one. */
int
detail_scroll(struct ui *ui, int action)
{
	int page = ui->layout.body.h - 2 > 1 ? ui->layout.body.h - 2 : 1;
	int max = ui->detail_lines - (ui->layout.body.h - 1);

	if (max < 0)
		max = 0;
	switch (action) {
	case ACT_MOVE_UP: ui->detail_scroll--; break;
	case ACT_MOVE_DOWN: ui->detail_scroll++; break;
	case ACT_PAGE_UP: ui->detail_scroll -= page; break;
	case ACT_PAGE_DOWN: ui->detail_scroll += page; break;
	case ACT_MOVE_FIRST: ui->detail_scroll = 0; break;
	case ACT_MOVE_LAST: ui->detail_scroll = max; break;
	default: return 0;
	}
	if (ui->detail_scroll > max)
		ui->detail_scroll = max;
	if (ui->detail_scroll < 0)
		ui->detail_scroll = 0;
	return 1;
}
