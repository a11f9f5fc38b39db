/*
 * reports.c - the console's read-only report views, opened from the `:`
 * command line: `:stats [day|week]` draws the weekly view (every report of
 * the catalogue: a sparkline of each total over the buckets, then the
 * newest bucket's rows as bars, as htop draws meters) and `:rules` lists
 * the alert rules with kind, severity, enabled, condition, last firing and
 * how often they fired.  The data comes from the worker as one JSON
 * document (WMSG_VIEW, worker_views.c); every text from it is sanitised
 * before drawing, bars and sparklines fall back to ASCII, and colours go
 * through the slots (NO_COLOR draws none).
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/units.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Rows of one report's newest bucket shown (a ranking: its config.top). */
#define REPORTS_ROWS 6
/* Columns of a row's name, and of a metric's value. */
#define REPORTS_NAME_W 18
#define REPORTS_VAL_W 11

/* Lines built for one frame: cells with their colours. */
struct rlines {
	struct line *l;
	size_t n, cap;
	int width;
};

/* A new empty line at the end. */
static struct line *
rl_add(struct rlines *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->l = xreallocarray(r->l, r->cap, sizeof *r->l);
	}
	line_init(&r->l[r->n], r->width);
	return &r->l[r->n++];
}

/* A line of one text (sanitised) in slot. */
static void
rl_text(struct rlines *r, const char *s, int slot)
{
	char *c = ui_clean(s);

	line_rest(rl_add(r), c, slot);
	free(c);
}

static void
rl_free(struct rlines *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		line_free(&r->l[i]);
	free(r->l);
}

/* Member key of object o as a string, or "". */
static const char *
rj_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The value of metric name in a row (NaN when it has none). */
static double
rj_metric(json_t *row, const char *name)
{
	json_t *v = json_object_get(json_object_get(row, "metrics"), name);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The row of dimension value dim in a bucket, or NULL. */
static json_t *
rj_row(json_t *bucket, const char *dim)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(bucket, "rows"), i, row)
		if (strcmp(rj_str(row, "dimension_value"), dim) == 0)
			return row;
	return NULL;
}

/* ---- :stats ------------------------------------------------------------------ */

/* The trend line of a report with totals: a sparkline of the total over
 * its buckets and the newest value. */
static void
stats_trend(struct rlines *r, json_t *rep, json_t *buckets)
{
	json_t *metrics = json_object_get(rep, "metrics"), *m = NULL, *b, *row;
	const char *trend = json_string_value(json_object_get(rep, "trend"));
	size_t nb = json_array_size(buckets), i, k;
	double *v;
	struct buf sp;
	struct line *l;
	char val[32], *txt;

	json_array_foreach(metrics, k, m)
		if (trend == NULL || strcmp(rj_str(m, "name"), trend) == 0)
			break;
	if (m == NULL || rj_row(json_array_get(buckets, nb - 1), "*") == NULL)
		return;
	v = xreallocarray(NULL, nb, sizeof *v);
	json_array_foreach(buckets, i, b) {
		row = rj_row(b, "*");
		v[i] = row != NULL ? rj_metric(row, rj_str(m, "name")) : NAN;
	}
	buf_init(&sp);
	meter_spark(&sp, v, nb, r->width - REPORTS_NAME_W - 2 * REPORTS_VAL_W - 12,
	    draw_utf8());
	units_format(v[nb - 1], rj_str(m, "unit"), val, sizeof val);
	l = rl_add(r);
	line_cell(l, "", 2, 0, CS_NORMAL);
	line_cell(l, rj_str(m, "label"), REPORTS_NAME_W, 0, CS_MUTED);
	line_cell(l, buf_str(&sp), text_width(buf_str(&sp), draw_utf8()) + 1, 0,
	    CS_SPARK);
	txt = xasprintf("%zu bucket%s, newest", nb, nb == 1 ? "" : "s");
	line_cell(l, txt, (int)strlen(txt) + 1, 0, CS_MUTED);
	free(txt);
	line_rest(l, val, CS_HEADING);
	buf_free(&sp);
	free(v);
}

/* One report: its title, its trend, the newest bucket's rows as bars. */
static void
stats_report(struct rlines *r, json_t *rep)
{
	json_t *buckets = json_object_get(rep, "buckets"), *metrics, *newest;
	json_t *row, *m, *m0;
	size_t nb = json_array_size(buckets), i, k, shown = 0, nrows;
	json_int_t top = json_integer_value(json_object_get(rep, "top"));
	int barw, only_total;
	double max = 0, x;
	struct line *l;
	struct buf bar;
	char val[32], *txt, *name;

	metrics = json_object_get(rep, "metrics");
	m0 = json_array_get(metrics, 0);
	name = ui_clean(rj_str(rep, "name"));
	l = rl_add(r);
	line_cell(l, name, text_width(name, draw_utf8()) + 2, 0, CS_HEADING);
	free(name);
	if (nb == 0) {
		line_rest(l, "(nothing computed yet)", CS_MUTED);
		return;
	}
	newest = json_array_get(buckets, nb - 1);
	txt = xasprintf("(%s, newest bucket %.10s)", rj_str(rep, "slug"),
	    rj_str(newest, "bucket_start"));
	line_rest(l, txt, CS_MUTED);
	free(txt);
	stats_trend(r, rep, buckets);
	/* Rows of the newest bucket, the total aside unless it is all. */
	nrows = json_array_size(json_object_get(newest, "rows"));
	only_total = nrows == 1 && rj_row(newest, "*") != NULL;
	if (strcmp(rj_str(m0, "unit"), "share") == 0)
		max = 1;
	else
		json_array_foreach(json_object_get(newest, "rows"), i, row) {
			x = rj_metric(row, rj_str(m0, "name"));
			if ((only_total || strcmp(rj_str(row, "dimension_value"),
			    "*") != 0) && isfinite(x) && x > max)
				max = x;
		}
	barw = r->width - 2 - REPORTS_NAME_W - 1 -
	    (int)json_array_size(metrics) * REPORTS_VAL_W;
	if (barw > 30)
		barw = 30;
	/* The header: the metrics' labels. */
	l = rl_add(r);
	line_cell(l, "", 2 + REPORTS_NAME_W + 1 + (barw > 0 ? barw : 0), 0,
	    CS_NORMAL);
	json_array_foreach(metrics, k, m) {
		line_cell(l, "", 1, 0, CS_NORMAL);
		line_cell(l, rj_str(m, "label"), REPORTS_VAL_W - 1, 1, CS_MUTED);
	}
	json_array_foreach(json_object_get(newest, "rows"), i, row) {
		if (!only_total && strcmp(rj_str(row, "dimension_value"), "*") == 0)
			continue;
		if (shown >= (size_t)(top > 0 ? top : REPORTS_ROWS))
			break;
		shown++;
		l = rl_add(r);
		line_cell(l, "", 2, 0, CS_NORMAL);
		name = ui_clean(only_total ? "all" : rj_str(row, "dimension_value"));
		line_cell(l, name, REPORTS_NAME_W, 0, CS_NORMAL);
		free(name);
		line_cell(l, "", 1, 0, CS_NORMAL);
		if (barw > 0) {
			buf_init(&bar);
			meter_bar(&bar, rj_metric(row, rj_str(m0, "name")), max, barw,
			    draw_utf8());
			line_cell(l, buf_str(&bar), barw, 0, CS_BAR);
			buf_free(&bar);
		}
		json_array_foreach(metrics, k, m) {
			units_format(rj_metric(row, rj_str(m, "name")),
			    rj_str(m, "unit"), val, sizeof val);
			line_cell(l, "", 1, 0, CS_NORMAL);
			line_cell(l, val, REPORTS_VAL_W - 1, 1, k == 0 ?
			    CS_HEADING : CS_NORMAL);
		}
	}
	if (shown == 0)
		rl_text(r, "  (no rows in the newest bucket)", CS_MUTED);
}

/* The lines of :stats. */
static void
stats_lines(struct ui *ui, struct rlines *r)
{
	json_t *rep, *lr = json_object_get(ui->report_json, "last_run");
	size_t i;
	char *txt;

	if (json_is_object(lr)) {
		txt = xasprintf("last recompute: run %lld %s %s%s%s",
		    (long long)json_integer_value(json_object_get(lr, "id")),
		    rj_str(lr, "status"), rj_str(lr, "finished_at"),
		    json_is_string(json_object_get(lr, "error")) ? ": " : "",
		    rj_str(lr, "error"));
		rl_text(r, txt, strcmp(rj_str(lr, "status"), "failed") == 0 ?
		    CS_ERROR : CS_MUTED);
		free(txt);
	} else
		rl_text(r, "no recompute yet (midwatch stats recompute; the "
		    "pipeline runner computes closed buckets)", CS_MUTED);
	json_array_foreach(json_object_get(ui->report_json, "reports"), i, rep) {
		rl_text(r, "", CS_NORMAL);
		stats_report(r, rep);
	}
}

/* ---- :rules ------------------------------------------------------------------ */

/* "YYYY-MM-DD HH:MM" of an RFC 3339 text, or "-". */
static void
rules_when(const char *ts, char *out, size_t len)
{
	if (ts == NULL || strlen(ts) < 16)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.10s %.5s", ts, ts + 11);
}

/* Columns of :rules before the condition; narrower screens show the
 * condition on a line of its own. */
#define RULES_COLS 72
#define RULES_WIDE (RULES_COLS + 28)

/* The lines of :rules. */
static void
rules_lines(struct ui *ui, struct rlines *r)
{
	json_t *rule;
	struct line *l;
	size_t i;
	char when[24], n[24], *name, *cond;
	int on, slot, wide = r->width >= RULES_WIDE;

	l = rl_add(r);
	line_cell(l, "NAME", 25, 0, CS_HEADING);
	line_cell(l, "KIND", 10, 0, CS_HEADING);
	line_cell(l, "SEVERITY", 9, 0, CS_HEADING);
	line_cell(l, "ON", 4, 0, CS_HEADING);
	line_cell(l, "LAST FIRING", 17, 0, CS_HEADING);
	line_cell(l, "FIRED", 6, 1, CS_HEADING);
	line_cell(l, " ", 1, 0, CS_HEADING);
	line_rest(l, wide ? "CONDITION" : "", CS_HEADING);
	if (json_array_size(ui->report_json) == 0)
		rl_text(r, "no alert rules (midwatch rules add)", CS_MUTED);
	json_array_foreach(ui->report_json, i, rule) {
		on = json_is_true(json_object_get(rule, "enabled"));
		slot = on ? CS_NORMAL : CS_MUTED;
		l = rl_add(r);
		name = ui_clean(rj_str(rule, "name"));
		cond = ui_clean(rj_str(rule, "condition"));
		rules_when(json_string_value(json_object_get(rule,
		    "last_fired_at")), when, sizeof when);
		snprintf(n, sizeof n, "%lld",
		    (long long)json_integer_value(json_object_get(rule, "fired")));
		line_cell(l, name, 24, 0, slot);
		line_cell(l, " ", 1, 0, slot);
		line_cell(l, rj_str(rule, "kind"), 10, 0, slot);
		line_cell(l, rj_str(rule, "severity"), 9, 0, on ?
		    draw_severity_slot(rj_str(rule, "severity")) : slot);
		line_cell(l, on ? "yes" : "no", 4, 0, on ? CS_OK : CS_MUTED);
		line_cell(l, when, 17, 0, slot);
		line_cell(l, n, 6, 1, slot);
		line_cell(l, " ", 1, 0, slot);
		if (!wide) {
			l = rl_add(r);
			line_cell(l, "", 4, 0, slot);
		}
		line_rest(l, cond, wide ? slot : CS_MUTED);
		free(name);
		free(cond);
	}
}

/* ---- the view -------------------------------------------------------------------- */

/* Asks the worker for the open view's data. */
void
reports_reload(struct ui *ui)
{
	struct intent *in;

	if (ui->view != VIEW_STATS && ui->view != VIEW_RULES)
		return;
	in = xcalloc(1, sizeof *in);
	in->type = INTENT_VIEW;
	in->seq = ++ui->seq;
	in->id = ui->view == VIEW_STATS ? WVIEW_STATS : WVIEW_RULES;
	in->window = ui->report_window != NULL ? xstrdup(ui->report_window) :
	    NULL;
	ui->report_loading = 1;
	worker_post(ui->worker, in);
}

/* Opens :stats [day|week] or :rules (see tui_int.h). */
int
reports_open(struct ui *ui, enum view view, const char *arg)
{
	if (view == VIEW_STATS && arg != NULL && strcmp(arg, "day") != 0 &&
	    strcmp(arg, "week") != 0) {
		actions_message(ui, 1, "usage: stats [day|week]");
		return R_REDRAW;
	}
	if (ui->view != view || view == VIEW_RULES ||
	    (arg != NULL && (ui->report_window == NULL ||
	    strcmp(arg, ui->report_window) != 0))) {
		json_decref(ui->report_json);
		ui->report_json = NULL;
		ui->report_scroll = 0;
	}
	free(ui->report_window);
	ui->report_window = xstrdup(view == VIEW_STATS && arg != NULL ? arg :
	    "day");
	free(ui->report_error);
	ui->report_error = NULL;
	ui->view = view;
	reports_reload(ui);
	return R_REDRAW;
}

/* Takes the worker's answer for the open view (see tui_int.h). */
void
reports_loaded(struct ui *ui, struct wmsg *m)
{
	json_error_t e;
	int want = ui->view == VIEW_STATS ? WVIEW_STATS :
	    ui->view == VIEW_RULES ? WVIEW_RULES : 0;

	if (m->id != want)
		return;
	ui->report_loading = 0;
	free(ui->report_error);
	ui->report_error = NULL;
	if (m->rc == WRC_FAILED) {
		ui->report_error = xstrdup(m->text != NULL ? m->text : "failed");
		return;
	}
	json_decref(ui->report_json);
	ui->report_json = json_loads(m->text != NULL ? m->text : "", 0, &e);
	if (ui->report_json == NULL)
		ui->report_error = xasprintf("bad data: %s", e.text);
	ui->dirty |= R_REDRAW;
}

/* Frees what the views hold. */
void
reports_free(struct ui *ui)
{
	json_decref(ui->report_json);
	ui->report_json = NULL;
	free(ui->report_error);
	ui->report_error = NULL;
	free(ui->report_window);
	ui->report_window = NULL;
}

/* Draws the open view in the body. */
void
reports_draw(struct ui *ui)
{
	const struct rect *b = &ui->layout.body;
	struct rlines r;
	char *title;
	size_t i;
	int y, max;

	memset(&r, 0, sizeof r);
	r.width = b->w - 1;
	if (ui->view == VIEW_STATS)
		title = xasprintf("Stats (%s buckets)", ui->report_window ?
		    ui->report_window : "day");
	else
		title = xstrdup("Alert rules");
	draw_title(b->y, b->x, b->w, title, ui->report_loading ?
	    "loading... (q closes)" : "(r reloads, q closes)", 1);
	free(title);
	if (ui->report_error != NULL) {
		char *c = ui_clean(ui->report_error);

		draw_text(b->y + 1, b->x + 1, b->w - 1, c, CS_ERROR);
		free(c);
		return;
	}
	if (ui->report_json == NULL)
		return;
	if (ui->view == VIEW_STATS)
		stats_lines(ui, &r);
	else
		rules_lines(ui, &r);
	ui->report_lines = (int)r.n;
	max = (int)r.n - (b->h - 1);
	if (ui->report_scroll > max)
		ui->report_scroll = max > 0 ? max : 0;
	for (i = (size_t)ui->report_scroll, y = b->y + 1;
	    i < r.n && y < b->y + b->h; i++, y++)
		line_draw(&r.l[i], y, b->x + 1, CS_NORMAL, 0, 0);
	rl_free(&r);
}

/* Scrolls the open view; 1 when the action was a scrolling one. */
int
reports_scroll(struct ui *ui, int action)
{
	int page = ui->layout.body.h - 2 > 1 ? ui->layout.body.h - 2 : 1;

	switch (action) {
	case ACT_MOVE_UP: ui->report_scroll--; break;
	case ACT_MOVE_DOWN: ui->report_scroll++; break;
	case ACT_PAGE_UP: ui->report_scroll -= page; break;
	case ACT_PAGE_DOWN: ui->report_scroll += page; break;
	case ACT_MOVE_FIRST: ui->report_scroll = 0; break;
	case ACT_MOVE_LAST: ui->report_scroll = 1 << 20; break;
	default: return 0;
	}
	if (ui->report_scroll < 0)
		ui->report_scroll = 0;
	return 1;
}
