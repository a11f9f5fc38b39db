/*
 * screen.c - the composition of a frame: the status bar (database,
 * pipeline, the last run, counts, operator), the bottom line (a prompt, a
 * message or the key hints of the context) and, between them, the view
 * that is open.  It uses every view; no view uses it (the arrows run
 * loop -> screen -> views -> primitives, draw.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses_compat.h"
#include "tui_int.h"

/* ---- the frame -------------------------------------------------------------------- */

/* Appends who holds the pipeline lock: lock_holder's "pipeline is locked by
 * WHO (run N, running since T, pid P)" as "held by WHO (run N...)", cut to
 * "held by WHO (run N)" when compact ("another session (pid P)": "pid P"). */
static void
screen_status_holder(struct buf *b, const char *text, int compact)
{
	static const char prefix[] = "pipeline is locked by ";
	static const char session[] = "another session (pid ";
	const char *who, *cut;

	if (text == NULL) {
		buf_adds(b, "held by another console");
		return;
	}
	if (strncmp(text, prefix, sizeof prefix - 1) != 0) {
		buf_adds(b, text);
		return;
	}
	who = text + sizeof prefix - 1;
	if (compact && strncmp(who, session, sizeof session - 1) == 0 &&
	    (cut = strchr(who, ')')) != NULL) {
		who += sizeof session - 1;
		buf_printf(b, "held by pid %.*s", (int)(cut - who), who);
		return;
	}
	cut = compact ? strstr(who, ", running since") : NULL;
	if (cut != NULL)
		buf_printf(b, "held by %.*s)", (int)(cut - who), who);
	else
		buf_printf(b, "held by %s", who);
}

/* The snapshot says the pipeline is degraded or failing, and no run of ours
 * or another console's is under way (which the bar says instead). */
static int
screen_status_unhealthy(const struct ui *ui)
{
	return ui->db_ok && ui->snap != NULL && ui->snap->health_line != NULL &&
	    ui->pipe != PIPE_RUNNING && ui->pipe != PIPE_HELD;
}

/*
 * The left part of the status bar at a level of detail: 0 all, 1 compact
 * (short holder, "completed" left out of the last run), 2 the last run as
 * its age alone ("ran 3m ago"), 3 also without the database name, 4 also
 * without the last run.
 */
static void
screen_status_left(struct ui *ui, struct buf *left, int level, int wide)
{
	const struct mw_snapshot *s = ui->snap;
	const char *st;
	char age[32];

	if (wide && level == 0)
		buf_printf(left, " midwatch %s", draw_glyph(G_DOT));
	buf_printf(left, " %s", ui->cfg->project);
	if (!ui->db_ok) {
		double wait = ui->db_retry_at - tui_wall();

		buf_printf(left, " %s DB DOWN", draw_glyph(G_DOT));
		if (wait > 0)
			buf_printf(left, " (retry %.0fs)", wait);
		if (ui->db_text != NULL)
			buf_printf(left, ": %s", ui->db_text);
	} else if (ui->db_text != NULL && level < 3) {
		/* "mwdev on local socket": the name alone when narrow. */
		const char *on = strstr(ui->db_text, " on ");

		if (!wide && on != NULL)
			buf_printf(left, " %s db %.*s", draw_glyph(G_DOT),
			    (int)(on - ui->db_text), ui->db_text);
		else
			buf_printf(left, " %s db %s", draw_glyph(G_DOT), ui->db_text);
	}
	/* A degraded or failing pipeline says so instead of "idle": never to
	 * be mistaken for a quiet one (the bar is in the alert colour). */
	if (screen_status_unhealthy(ui)) {
		buf_printf(left, " %s %s", draw_glyph(G_DOT), s->health_line);
		return;
	}
	buf_printf(left, " %s pipeline ", draw_glyph(G_DOT));
	switch (ui->pipe) {
	case PIPE_RUNNING:
		if (ui->pipe_stage != NULL && ui->pipe_total > 0)
			buf_printf(left, "running %s %d/%d", ui->pipe_stage,
			    ui->pipe_done, ui->pipe_total);
		else if (ui->pipe_stage != NULL)
			buf_printf(left, "running %s", ui->pipe_stage);
		else
			buf_adds(left, "running");
		break;
	case PIPE_HELD:
		screen_status_holder(left, ui->pipe_text, level > 0);
		break;
	case PIPE_FAILED:
		buf_printf(left, "FAILED %s", ui->pipe_text ? ui->pipe_text : "");
		break;
	case PIPE_DISABLED:
		buf_adds(left, "off");
		break;
	default:
		buf_adds(left, "idle");
		break;
	}
	if (s == NULL || s->last_run_id <= 0 || level >= 4)
		return;
	st = s->last_run_status != NULL ? s->last_run_status : "";
	/* A run in progress, ours or the holder's, is said already. */
	if ((ui->pipe == PIPE_RUNNING || ui->pipe == PIPE_HELD) &&
	    (strcmp(st, "running") == 0 || strcmp(st, "pending") == 0))
		return;
	if (level >= 2 && strcmp(st, "completed") == 0)
		buf_adds(left, ", ran");
	else if (level >= 2)
		buf_printf(left, ", run %s", st);
	else if (level == 1 && strcmp(st, "completed") == 0)
		buf_printf(left, ", run #%lld", s->last_run_id);
	else
		buf_printf(left, ", run #%lld %s", s->last_run_id, st);
	if (s->last_run_finished > 0) {
		ui_age(s->last_run_finished, age, sizeof age);
		buf_printf(left, " %s ago", age);
	}
}

/* Whether an incident's or alert's status counts in the status bar. */
static int
screen_counted(enum row_kind kind, const char *st)
{
	if (st == NULL)
		return 0;
	if (kind == ROW_INCIDENT)
		return strcmp(st, "open") == 0 || strcmp(st, "triaged") == 0;
	return kind == ROW_ALERT && strcmp(st, "active") == 0;
}

/* The snapshot's status of an incident or alert, or NULL when it is not in
 * the snapshot. */
static const char *
screen_model_status(const struct mw_snapshot *s, enum row_kind kind,
    long long id)
{
	size_t i, j;

	if (kind == ROW_INCIDENT) {
		for (i = 0; i < s->n_incidents; i++)
			if (s->incidents[i].id == id)
				return s->incidents[i].status;
		return NULL;
	}
	for (i = 0; i < s->n_alerts; i++)
		if (s->alerts[i].id == id)
			return s->alerts[i].status;
	for (i = 0; i < s->n_incidents; i++)
		for (j = 0; j < s->incidents[i].n_alerts; j++)
			if (s->incidents[i].alerts[j].id == id)
				return s->incidents[i].alerts[j].status;
	return NULL;
}

/* The status bar's counts: the database's, counted when the snapshot was
 * taken (model.c), moved by the actions shown but not yet in a snapshot.
 * Costs one pass per override (usually none), never one per row. */
static void
screen_counts(struct ui *ui, long long *open, long long *active)
{
	const struct mw_snapshot *s = ui->snap;
	const struct override *o;
	const char *was;
	size_t i;
	int d;

	*open = s->n_open_total > 0 ? s->n_open_total : 0;
	*active = s->n_active_total > 0 ? s->n_active_total : 0;
	for (i = 0; i < ui->n_ovr; i++) {
		o = &ui->ovr[i];
		if ((o->kind != ROW_INCIDENT && o->kind != ROW_ALERT) ||
		    o->status == NULL ||
		    ui_override(ui, o->kind, o->id) != o ||	/* the newest */
		    (was = screen_model_status(s, o->kind, o->id)) == NULL)
			continue;
		d = screen_counted(o->kind, o->status) - screen_counted(o->kind, was);
		if (o->kind == ROW_INCIDENT)
			*open += d;
		else
			*active += d;
	}
	if (*open < 0)
		*open = 0;
	if (*active < 0)
		*active = 0;
}

/* The status bar: project, database, pipeline state and the last run,
 * counts, operator; less detail when narrow, so the last run's age and
 * the operator stay visible at 80 columns. */
static void
screen_status(struct ui *ui)
{
	const struct rect *r = &ui->layout.status;
	struct buf left, right;
	long long open, active;
	int rw, level, slot = ui->db_ok && !screen_status_unhealthy(ui) ?
	    CS_STATUS : CS_ERROR;

	buf_init(&left);
	buf_init(&right);
	if (ui->snap != NULL) {
		screen_counts(ui, &open, &active);
		buf_printf(&right, "%lld open %s %lld alerts %s ", open,
		    draw_glyph(G_DOT), active, draw_glyph(G_DOT));
	} else
		buf_printf(&right, "loading %s ", draw_glyph(G_DOT));
	/* Actions held in the journal until the database takes them. */
	if (ui->n_waiting > 0)
		buf_printf(&right, "%zu pending %s ", ui->n_waiting,
		    draw_glyph(G_DOT));
	/* the role in the project (sql/020_roles.sql) when not the owner */
	if (ui->cfg->role != NULL)
		buf_printf(&right, "%s [%s%s] ", ui->cfg->actor, ui->cfg->role,
		    ui->cfg->readonly ? ", read-only" : "");
	else
		buf_printf(&right, "%s%s ", ui->cfg->actor, ui->cfg->readonly ?
		    " [read-only]" : "");
	rw = text_width(buf_str(&right), draw_utf8());
	if (rw > r->w / 2)
		rw = r->w / 2;
	for (level = 0; level < 5; level++) {
		buf_reset(&left);
		screen_status_left(ui, &left, level, r->w >= 120);
		/* One column stays blank between the two parts. */
		if (text_width(buf_str(&left), draw_utf8()) < r->w - rw)
			break;
	}
	draw_text(r->y, r->x, r->w - rw, buf_str(&left), slot);
	draw_text(r->y, r->x + r->w - rw, rw, buf_str(&right), slot);
	buf_free(&left);
	buf_free(&right);
}

/* Appends "KEY label" for action to a hint line when it is bound. */
static void
screen_hint(struct ui *ui, struct buf *b, int action, const char *label)
{
	struct buf k;

	buf_init(&k);
	if (keymap_keys(&ui->keys, action, &k, 1) > 0)
		buf_printf(b, "%s %s  ", buf_str(&k), label);
	buf_free(&k);
}

/* Appends the triage keys the focused pane offers. */
static void
screen_pane_hints(struct ui *ui, struct buf *b, const struct pane_ops *ops,
    int cols)
{
	const struct pane_hint *h;
	int i;

	for (i = 0; i < ops->n_hints; i++) {
		h = &ops->hints[i];
		if (cols >= h->min_cols && (h->when == NULL || h->when(ui)))
			screen_hint(ui, b, h->action, h->label);
	}
}

/* The bottom line: a prompt, a message, or the key hints of the context --
 * only the keys that work here (a read-only console offers no triage). */
static void
screen_bottom(struct ui *ui)
{
	const struct rect *r = &ui->layout.hint;
	int act = !ui->cfg->readonly;
	struct buf b;

	if (ui->prompt.kind != PROMPT_NONE) {
		prompt_draw(ui);
		return;
	}
	if (ui->msg != NULL && tui_wall() < ui->msg_until) {
		draw_text(r->y, r->x, r->w, ui->msg, ui->msg_error ? CS_ERROR : CS_MESSAGE);
		return;
	}
	buf_init(&b);
	buf_addc(&b, ' ');
	if (ui->view == VIEW_HELP || ui->view == VIEW_STATS ||
	    ui->view == VIEW_RULES) {
		if (ui->view != VIEW_HELP)
			screen_hint(ui, &b, ACT_REFRESH, "reload");
		screen_hint(ui, &b, ACT_MOVE_DOWN, "scroll");
		screen_hint(ui, &b, ACT_CLOSE, "close");
	} else {
		if (ui->view == VIEW_MAIN) {
			screen_hint(ui, &b, ACT_NEXT_PANE, "pane");
			screen_hint(ui, &b, ACT_OPEN, "open");
		} else
			screen_hint(ui, &b, ACT_BACK, "back");
		if (act) {
			screen_pane_hints(ui, &b, pane_ops(ui->focus), r->w);
			screen_hint(ui, &b, ACT_NOTE, "note");
		}
		if (ui->view == VIEW_MAIN && (r->w >= 100 || !act))
			screen_hint(ui, &b, ACT_FILTER, "filter");
		if (ui->view == VIEW_MAIN && (r->w >= 120 || !act))
			screen_hint(ui, &b, ACT_SORT, "sort");
		if (act && !ui->cfg->no_runs && r->w >= 100)
			screen_hint(ui, &b, ACT_RUN_PIPELINE, "run");
		if (r->w >= 130)
			screen_hint(ui, &b, ACT_COPY, "copy");
		screen_hint(ui, &b, ACT_HELP, "help");
		screen_hint(ui, &b, ACT_CLOSE, ui->view == VIEW_MAIN ? "quit" : "close");
		if (!act)
			buf_adds(&b, "(read-only)");
	}
	draw_text(r->y, r->x, r->w, buf_str(&b), CS_HINT);
	buf_free(&b);
}

/* Draws one complete frame. */
void
screen_draw(struct ui *ui)
{
	const struct layout *l = &ui->layout;
	char msg[96];
	int i, y;

	erase();
	attrset(A_NORMAL);
	if (l->mode == LAYOUT_TOO_SMALL) {
		snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d",
		    l->cols, l->lines, LAYOUT_MIN_COLS, LAYOUT_MIN_LINES);
		y = l->lines / 2;
		draw_str(y, 0, l->cols, msg, CS_NORMAL);
		if (y + 1 < l->lines)
			draw_str(y + 1, 0, l->cols, "(Q quits)", CS_NORMAL);
		curs_set(0);
		return;
	}
	screen_status(ui);
	if (ui->view == VIEW_MAIN) {
		for (i = 0; i < PANE_COUNT; i++)
			pane_draw(ui, (enum pane_id)i);
		if (l->sep_x >= 0)
			draw_vrule(l->sep_x, l->body.y, l->body.h, CS_TITLE);
	} else if (ui->view == VIEW_DETAIL)
		detail_draw(ui);
	else if (ui->view == VIEW_STATS || ui->view == VIEW_RULES)
		reports_draw(ui);
	else
		help_draw(ui);
	screen_bottom(ui);
	if (ui->prompt.kind == PROMPT_NONE)
		curs_set(0);
}
