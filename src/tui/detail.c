/*
 * detail.c - the view Enter opens: finding the item it shows by identity,
 * what the worker loads for it (its feedback history; an incident's
 * timeline and series), its lines, drawing and scrolling them.  What each
 * kind of item shows is in detail_incident.c and detail_items.c; every view
 * ends with the item's feedback history (here).
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


/* Appends a line (already sized to the width). */
void
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
void
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
void
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
const struct mw_item_detail *
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
void
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
void
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

/* The item the open view shows, as a row, and the incident it belongs to
 * (an incident: itself; an alert: NULL); -1 when it is not in the data. */
static int
detail_find(struct ui *ui, struct row *out, const struct mw_incident **inc)
{
	const struct mw_hypothesis *h;
	const void *obj = NULL;
	size_t i;

	memset(out, 0, sizeof *out);
	out->kind = ui->detail_kind;
	out->id = ui->detail_id;
	*inc = NULL;
	switch (ui->detail_kind) {
	case ROW_INCIDENT:
		obj = *inc = detail_find_incident(ui->snap, ui->detail_id);
		break;
	case ROW_HYPOTHESIS:
		obj = h = detail_find_hypothesis(ui->snap, ui->detail_id, inc);
		out->hyp = h;
		break;
	case ROW_EVIDENCE:
		h = detail_find_hypothesis(ui->snap, ui->detail_id, inc);
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
		obj = detail_find_reco(ui->snap, ui->detail_id, inc);
		break;
	case ROW_ALERT:
		obj = detail_find_alert(ui->snap, ui->detail_id);
		break;
	}
	out->obj = obj;
	return obj != NULL ? 0 : -1;
}

/* The item the open view shows, as a row (see tui_int.h): triage keys in
 * a view act on it, not on whatever the pane selects meanwhile. */
int
detail_row(struct ui *ui, struct row *out)
{
	const struct mw_incident *inc;

	return detail_find(ui, out, &inc);
}

/* The view of each kind of item (detail_incident.c, detail_items.c). */
static void (*const detail_views[])(struct ui *, struct dlines *,
    const struct row *, const struct mw_incident *) = {
	[ROW_INCIDENT] = detail_view_incident,
	[ROW_HYPOTHESIS] = detail_view_hypothesis,
	[ROW_EVIDENCE] = detail_view_evidence,
	[ROW_RECO] = detail_view_reco,
	[ROW_ALERT] = detail_view_alert,
};

/* Builds the lines of the open view for width w. */
static void
detail_build(struct ui *ui, struct dlines *d)
{
	const struct mw_incident *inc;
	struct row r;

	if (detail_find(ui, &r, &inc) == 0)
		detail_views[r.kind](ui, d, &r, inc);
	else
		dl_add(d, CS_MUTED, "This item is no longer in the data (Esc goes "
		    "back).");
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
