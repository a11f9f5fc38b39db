/*
 * pane.c - what the four panes share: rows rebuilt from the snapshot before
 * every frame, a selection kept by identity (id, not index) so reloads and
 * other consoles' actions never move the operator, scrolling, marks and
 * filters, and drawing the visible rows.  What sets a pane apart (its
 * rows, how one looks, its title, orders and key hints) is its struct
 * pane_ops, in pane_incidents.c, pane_hypotheses.c, pane_recos.c and
 * pane_alerts.c; pane_table below lists them, and nothing here asks which
 * pane it is.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* The panes in pane_id order; the first leads, the others follow its
 * selection (pane_ops.follows). */
static const struct pane_ops *const pane_table[PANE_COUNT] = {
	[PANE_INCIDENTS] = &pane_incidents_ops,
	[PANE_HYPOTHESES] = &pane_hypotheses_ops,
	[PANE_RECOS] = &pane_recos_ops,
	[PANE_ALERTS] = &pane_alerts_ops,
};

/* The ops of a pane (see tui_int.h). */
const struct pane_ops *
pane_ops(enum pane_id id)
{
	return pane_table[id];
}

/* Does a following pane list every item now, not the incident's? */
static int
pane_all(const struct ui *ui, enum pane_id id)
{
	return pane_table[id]->all != NULL && pane_table[id]->all(ui);
}

/* An empty pane. */
void
pane_init(struct pane *p, enum pane_id id)
{
	memset(p, 0, sizeof *p);
	p->id = id;
	p->for_incident = -1;
}

/* Frees what a pane holds. */
void
pane_free(struct pane *p)
{
	free(p->rows);
	free(p->filter);
	free(p->marks);
	free(p->built_filter);
	pane_init(p, p->id);
}

/* Appends a row. */
void
pane_add_row(struct pane *p, enum row_kind kind, long long id, long long sub,
    const void *obj)
{
	struct row *r;

	if (p->n_rows == p->cap_rows) {
		p->cap_rows = p->cap_rows ? p->cap_rows * 2 : 32;
		p->rows = xreallocarray(p->rows, p->cap_rows, sizeof *p->rows);
	}
	r = &p->rows[p->n_rows++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->id = id;
	r->sub = sub;
	r->obj = obj;
}

/* Adds the pane's objects, sorted (see tui_int.h).  Every model object
 * begins with its id. */
_Static_assert(offsetof(struct mw_incident, id) == 0, "id first");
_Static_assert(offsetof(struct mw_recommendation, id) == 0, "id first");
_Static_assert(offsetof(struct mw_alert, id) == 0, "id first");
void
pane_add_objs(struct pane *p, enum row_kind kind, const void **objs, size_t n)
{
	size_t i;

	pane_sort_objs(p, objs, n);
	for (i = 0; i < n; i++)
		pane_add_row(p, kind, *(const long long *)objs[i], 0, objs[i]);
	p->n_items = n;
	free(objs);
}

/* The selected row, or NULL in an empty pane. */
const struct row *
pane_selected(const struct pane *p)
{
	return p->n_rows > 0 ? &p->rows[p->sel] : NULL;
}

/* Selects row idx and remembers its identity. */
void
pane_move_to(struct pane *p, size_t idx)
{
	if (p->n_rows == 0) {
		p->sel = 0;
		return;
	}
	if (idx >= p->n_rows)
		idx = p->n_rows - 1;
	p->sel = idx;
	p->sel_id = p->rows[idx].id;
	p->sel_sub = p->rows[idx].sub;
	p->have_sel = 1;
}

/* Moves the selection by delta rows (clamped). */
void
pane_move(struct pane *p, long delta)
{
	long idx;

	if (p->n_rows == 0)
		return;
	idx = (long)p->sel + delta;
	if (idx < 0)
		idx = 0;
	if (idx >= (long)p->n_rows)
		idx = (long)p->n_rows - 1;
	pane_move_to(p, (size_t)idx);
}

/* Is object id marked? */
int
pane_marked(const struct pane *p, long long id)
{
	size_t i;

	for (i = 0; i < p->n_marks; i++)
		if (p->marks[i] == id)
			return 1;
	return 0;
}

/* Marks or unmarks object id. */
void
pane_toggle_mark(struct pane *p, long long id)
{
	size_t i;

	for (i = 0; i < p->n_marks; i++) {
		if (p->marks[i] == id) {
			p->marks[i] = p->marks[--p->n_marks];
			return;
		}
	}
	p->marks = xreallocarray(p->marks, p->n_marks + 1, sizeof *p->marks);
	p->marks[p->n_marks++] = id;
}

/* Clears every mark. */
void
pane_clear_marks(struct pane *p)
{
	free(p->marks);
	p->marks = NULL;
	p->n_marks = 0;
}

/* Finds the remembered selection in the fresh rows (else keeps the index,
 * clamped) and keeps it on screen. */
static void
pane_restore(struct pane *p)
{
	size_t i;
	int found = 0;

	if (p->n_rows == 0) {
		p->sel = 0;
		p->top = 0;
		return;
	}
	if (p->have_sel) {
		for (i = 0; i < p->n_rows; i++) {
			if (p->rows[i].id == p->sel_id && p->rows[i].sub == p->sel_sub) {
				p->sel = i;
				found = 1;
				break;
			}
		}
		/* An evidence row that is gone: fall back to its hypothesis. */
		for (i = 0; !found && p->sel_sub != 0 && i < p->n_rows; i++) {
			if (p->rows[i].id == p->sel_id && p->rows[i].sub == 0) {
				p->sel = i;
				found = 1;
			}
		}
	}
	if (!found) {
		if (p->sel >= p->n_rows)
			p->sel = p->n_rows - 1;
		if (!p->have_sel)
			p->sel = 0;
	}
	pane_move_to(p, p->sel);
	if (p->height > 0) {
		if (p->sel < p->top)
			p->top = p->sel;
		if (p->sel >= p->top + (size_t)p->height)
			p->top = p->sel - (size_t)p->height + 1;
		if (p->top + (size_t)p->height > p->n_rows)
			p->top = p->n_rows > (size_t)p->height ?
			    p->n_rows - (size_t)p->height : 0;
	}
}

/* Are the leading pane's rows those of the current snapshot, filter,
 * order and show_hidden?  Notes them as built (rows are built next). */
static int
pane_lead_current(struct ui *ui, struct pane *p)
{
	const char *f = p->filter != NULL ? p->filter : "";

	if (p->built && ui->snap != NULL && p->built_gen == ui->snap_gen &&
	    p->built_sort == p->sort && p->built_rev == p->sort_rev &&
	    p->built_hidden == ui->show_hidden && p->built_filter != NULL &&
	    strcmp(p->built_filter, f) == 0)
		return 1;
	p->built = ui->snap != NULL;
	p->built_gen = ui->snap_gen;
	p->built_sort = p->sort;
	p->built_rev = p->sort_rev;
	p->built_hidden = ui->show_hidden;
	free(p->built_filter);
	p->built_filter = xstrdup(f);
	return 0;
}

/* Rebuilds the rows of one pane from the snapshot (p->want: the rows it
 * could show, see tui_int.h) and finds its selection in them again. */
static void
pane_rebuild(struct ui *ui, struct pane *p)
{
	p->n_rows = 0;
	p->n_items = 0;
	p->rows_gen++;
	p->want = -1;
	if (ui->snap != NULL)
		pane_table[p->id]->rows(ui, p);
	if (p->want < 0)
		p->want = (int)p->n_rows;
}

/* Rebuilds the panes from the snapshot, the leading one (incidents) first
 * because the others follow its selection.  The leading pane is rebuilt
 * (filtered and sorted) only when what it is built from changed: a key that
 * moves the selection rebuilds only the panes that follow it. */
void
pane_rebuild_all(struct ui *ui)
{
	const struct mw_incident *inc;
	long long inc_id;
	int i;

	for (i = 0; i < PANE_COUNT; i++)
		ui->panes[i].height = ui->layout.pane[i].h - 1;
	for (i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &ui->panes[i];

		if (pane_table[i]->follows)
			continue;
		if (!pane_lead_current(ui, p))
			pane_rebuild(ui, p);
		p->want = (int)p->n_rows;
		pane_restore(p);
	}
	inc = ui_incident(ui);
	inc_id = inc != NULL ? inc->id : 0;
	for (i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &ui->panes[i];

		if (!pane_table[i]->follows)
			continue;
		if (p->for_incident != inc_id && !pane_all(ui, i)) {
			/* Another incident: start at its top, forget marks. */
			p->have_sel = 0;
			p->sel = 0;
			p->top = 0;
			pane_clear_marks(p);
		}
		p->for_incident = inc_id;
		pane_rebuild(ui, p);
		if (ui->snap != NULL)
			pane_restore(p);
	}
}

/* The incident the incidents pane has selected, or NULL. */
const struct mw_incident *
ui_incident(struct ui *ui)
{
	const struct row *r = pane_selected(&ui->panes[PANE_INCIDENTS]);

	return r != NULL ? r->obj : NULL;
}

/* The pending override of an object, or NULL. */
const struct override *
ui_override(struct ui *ui, enum row_kind kind, long long id)
{
	size_t i;

	for (i = ui->n_ovr; i > 0; i--)
		if (ui->ovr[i - 1].kind == kind && ui->ovr[i - 1].id == id)
			return &ui->ovr[i - 1];
	return NULL;
}

/* Whether the action shown on an object waits for the database. */
int
ui_pending(struct ui *ui, enum row_kind kind, long long id)
{
	const struct override *o = ui_override(ui, kind, id);
	size_t i;

	for (i = 0; o != NULL && i < ui->n_waiting; i++)
		if (ui->waiting[i] == o->seq)
			return 1;
	return 0;
}

/* A status cell's text: short, with the pending mark. */
const char *
ui_status_cell(struct ui *ui, enum row_kind kind, long long id,
    const char *status, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", ui_short_status(status),
	    ui_pending(ui, kind, id) ? UI_PENDING_MARK : "");
	return buf;
}

/* The status to show: a pending action's result, else the model's. */
const char *
ui_status(struct ui *ui, enum row_kind kind, long long id,
    const char *model_status)
{
	const struct override *o = ui_override(ui, kind, id);

	if (o != NULL && o->status != NULL)
		return o->status;
	return model_status != NULL ? model_status : "";
}

/* A drawable copy of external text: escapes and controls neutralised
 * (malloc'd; never NULL). */
char *
ui_clean(const char *s)
{
	return sanitize_text(s != NULL ? s : "", 0);
}

/* Short forms for narrow status columns. */
const char *
ui_short_status(const char *status)
{
	if (status == NULL)
		return "";
	if (strcmp(status, "acknowledged") == 0)
		return "acked";
	if (strcmp(status, "suppressed") == 0)
		return "suppr";
	return status;
}

/* Short forms of severities. */
const char *
ui_short_severity(const char *sev)
{
	if (sev == NULL)
		return "";
	if (strcmp(sev, "critical") == 0)
		return "crit";
	if (strcmp(sev, "medium") == 0)
		return "med";
	return sev;
}

/* The database clock minus ours, from the last snapshot: ages are
 * computed on the database's clock, which stamped the times shown. */
static double ui_clock_skew;

/* Learns the database clock from a snapshot's taken_at. */
void
ui_clock_set(double db_now)
{
	if (db_now > 0)
		ui_clock_skew = db_now - tui_wall();
}

/* Now, on the database's clock.  Test hook: MIDWATCH_TEST_NOW=TS (RFC
 * 3339) pins it at TS, so every age the console draws ("5m ago", "ack 3m
 * ago", a silence's end) is the same whenever a screen test runs
 * (tests/tui/test_screens.sh).  Read here and nowhere else; the UI thread
 * is the only caller. */
double
ui_now(void)
{
	static int pin_read;
	static double pinned;
	const char *e;

	if (!pin_read) {
		pin_read = 1;
		if ((e = getenv("MIDWATCH_TEST_NOW")) != NULL && *e != '\0' &&
		    timefmt_parse(e, &pinned) != 0)
			pinned = 0;
	}
	if (pinned > 0)
		return pinned;
	return tui_wall() + ui_clock_skew;
}

/* "3m", "2h05m": how long ago (database clock) time when was. */
void
ui_age(double when, char *out, size_t len)
{
	if (when <= 0) {
		snprintf(out, len, "-");
		return;
	}
	timefmt_age(ui_now() - when, out, len);
}

/* Builds the line of one row: its mark, then what its pane shows. */
static void
pane_line(struct ui *ui, const struct pane *p, const struct row *row,
    struct line *l)
{
	int marked = pane_marked(p, row->id) && row->sub == 0;

	line_cell(l, marked ? draw_glyph(G_MARK) : " ", 1, 0,
	    marked ? CS_MARKED : -1);
	pane_table[p->id]->line(ui, row, l);
}

/* The columns a line may take at most when measured. */
#define PANE_MEASURE_WIDTH 400

/* Measures what each pane's lines need (see tui_int.h).  An incident's
 * line needs its fixed cells and its title, so the incidents pane is
 * measured once per build of its rows, not on every frame (formatting its
 * 1,000 lines was most of a keypress's time, doc/performance.md). */
void
pane_measure(struct ui *ui)
{
	struct line l;
	size_t i;
	int id;

	for (id = 0; id < PANE_COUNT; id++) {
		struct pane *p = &ui->panes[id];

		if (!pane_table[id]->follows && p->rows_gen > 0 &&
		    p->measured_gen == p->rows_gen)
			continue;
		p->measured_gen = p->rows_gen;
		p->need = 0;
		for (i = 0; i < p->n_rows; i++) {
			line_init(&l, PANE_MEASURE_WIDTH);
			pane_line(ui, p, &p->rows[i], &l);
			if (l.need > p->need)
				p->need = l.need;
			line_free(&l);
		}
	}
}

/* Draws a pane: title with counts/filter/marks, then the visible rows. */
void
pane_draw(struct ui *ui, enum pane_id id)
{
	struct pane *p = &ui->panes[id];
	const struct pane_ops *ops = pane_table[id];
	const struct rect *r = &ui->layout.pane[id];
	struct buf extra;
	struct line l;
	size_t i;
	int y, focused = ui->focus == (int)id;
	const struct row *row;
	const char *order;

	buf_init(&extra);
	buf_printf(&extra, "(%zu)", p->n_items);
	if (ops->follows && !pane_all(ui, id)) {
		const struct mw_incident *inc = ui_incident(ui);

		if (inc != NULL)
			buf_printf(&extra, " incident #%lld", inc->id);
	}
	if (ops->title_extra != NULL)
		ops->title_extra(ui, &extra);
	if (ops->hides && ui->show_hidden)
		buf_adds(&extra, " +hidden");
	if (p->filter != NULL && *p->filter != '\0') {
		char *f = ui_clean(p->filter);

		buf_printf(&extra, " /%s", f);
		free(f);
	}
	if (p->n_marks > 0)
		buf_printf(&extra, " [%zu marked]", p->n_marks);
	if ((order = pane_sort_name(p)) != NULL)
		buf_printf(&extra, " by %s%s", order, p->sort_rev ? ", reversed" :
		    "");
	draw_title(r->y, r->x, r->w, ops->title, buf_str(&extra), focused);
	buf_free(&extra);
	if (ui->snap == NULL) {
		if (r->h > 1)
			draw_text(r->y + 1, r->x, r->w, ui->db_ok ? " loading..." :
			    " waiting for the database...", CS_MUTED);
		return;
	}
	if (p->n_rows == 0 && r->h > 1) {
		const char *empty = " (none)";
		char *s = NULL;

		if (ops->follows && ui_incident(ui) == NULL && !pane_all(ui, id))
			empty = " (no incident selected)";
		else if (p->filter != NULL && *p->filter != '\0')
			empty = " (nothing matches the filter)";
		else if (ops->empty != NULL && (s = ops->empty(ui)) != NULL)
			empty = s;
		draw_text(r->y + 1, r->x, r->w, empty, CS_MUTED);
		free(s);
		return;
	}
	for (i = p->top, y = r->y + 1; i < p->n_rows && y < r->y + r->h; i++, y++) {
		row = &p->rows[i];
		line_init(&l, r->w);
		pane_line(ui, p, row, &l);
		line_draw(&l, y, r->x, CS_NORMAL, i == p->sel, focused);
		line_free(&l);
	}
}
