/*
 * draw.c - everything that puts characters on the screen: colours (or
 * monochrome attributes when NO_COLOR is set or the terminal has none),
 * clipped text through text.c, glyphs with ASCII fallbacks, pane titles,
 * the status bar and the hint line, and the composition of a frame.
 *
 * Text reaches curses only through draw_str(), which clips to a width with
 * text_clip() (control characters become '?') and, on UTF-8 terminals,
 * converts to wide characters; on others everything drawn is ASCII.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

#include "curses_compat.h"
#include "midwatch/conf.h"
#include "midwatch/severity.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

static int draw_is_utf8;
static int draw_has_color;
static attr_t draw_attrs[CS_COUNT];

static const char *const draw_slot_names[CS_COUNT] = {
#define SLOT(e, n) n,
	COLOR_SLOTS
#undef SLOT
};

/* Default colours: foreground, background (-1 = terminal default),
 * attributes, and the attributes used without colour. */
static const struct {
	short fg, bg;
	attr_t attr, mono;
} draw_defaults[CS_COUNT] = {
	[CS_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[CS_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[CS_TITLE_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD },
	[CS_SELECTED] = { -1, -1, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE },
	[CS_CURSOR] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[CS_STATUS] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE },
	[CS_HINT] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[CS_MESSAGE] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[CS_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[CS_CRITICAL] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[CS_HIGH] = { COLOR_RED, -1, A_NORMAL, A_BOLD },
	[CS_MEDIUM] = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[CS_LOW] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[CS_INFO] = { -1, -1, A_DIM, A_DIM },
	[CS_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[CS_ACKED] = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[CS_STALE] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[CS_MUTED] = { -1, -1, A_DIM, A_DIM },
	[CS_MARKED] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[CS_BAR] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[CS_SPARK] = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[CS_BASELINE] = { -1, -1, A_DIM, A_DIM },
	[CS_HEADING] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
};

/* Glyphs: UTF-8, then ASCII. */
static const char *const draw_glyphs[G_COUNT][2] = {
	[G_HLINE] = { "\xe2\x94\x80", "-" },
	[G_VLINE] = { "\xe2\x94\x82", "|" },
	[G_MARK] = { "\xe2\x97\x8f", "*" },
	[G_CHECK] = { "\xe2\x9c\x94", "+" },
	[G_CROSS] = { "\xe2\x9c\x98", "x" },
	[G_ARROW] = { "\xe2\x86\x92", ">" },
	[G_TICK] = { "\xe2\x94\xbc", "+" },
	[G_AXIS_L] = { "\xe2\x94\x9c", "|" },
	[G_AXIS_R] = { "\xe2\x94\xa4", "|" },
	[G_DOT] = { "\xc2\xb7", "-" },
};

/* Non-zero when drawing UTF-8. */
int
draw_utf8(void)
{
	return draw_is_utf8;
}

/* A glyph for the current terminal. */
const char *
draw_glyph(enum glyph g)
{
	return draw_glyphs[g][draw_is_utf8 ? 0 : 1];
}

/* Parses a colour name or number; -2 when unknown. */
static short
draw_color_value(const char *s)
{
	static const char *const names[] = { "black", "red", "green", "yellow",
	    "blue", "magenta", "cyan", "white" };
	size_t i;
	char *end;
	long n;

	if (strcasecmp(s, "default") == 0)
		return -1;
	for (i = 0; i < MW_ARRAY_LEN(names); i++)
		if (strcasecmp(s, names[i]) == 0)
			return (short)i;
	if (strncasecmp(s, "bright", 6) == 0) {
		for (i = 0; i < MW_ARRAY_LEN(names); i++)
			if (strcasecmp(s + 6, names[i]) == 0)
				return (short)(i + 8);
	}
	n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && n >= 0 && n < 256)
		return (short)n;
	return -2;
}

/* Parses space-separated attributes; -1 when one is unknown. */
static int
draw_attr_value(const char *s, attr_t *out)
{
	char *copy = xstrdup(s), *p = copy, *w;
	int rc = 0;

	*out = A_NORMAL;
	while ((w = strsep(&p, " ")) != NULL) {
		if (*w == '\0' || strcmp(w, "normal") == 0)
			continue;
		if (strcmp(w, "bold") == 0)
			*out |= A_BOLD;
		else if (strcmp(w, "reverse") == 0)
			*out |= A_REVERSE;
		else if (strcmp(w, "underline") == 0)
			*out |= A_UNDERLINE;
		else if (strcmp(w, "dim") == 0)
			*out |= A_DIM;
		else if (strcmp(w, "blink") == 0)
			*out |= A_BLINK;
		else if (strcmp(w, "standout") == 0)
			*out |= A_STANDOUT;
		else
			rc = -1;
	}
	free(copy);
	return rc;
}

/* The slot called name, or -1. */
static int
draw_slot_find(const char *name)
{
	int i;

	for (i = 0; i < CS_COUNT; i++)
		if (strcmp(draw_slot_names[i], name) == 0)
			return i;
	return -1;
}

/* Applies the colour lines of c to the slot tables (pure: no curses calls);
 * -1 with *cause at the first bad line. */
static int
draw_parse_colors(const struct conf *c, short *fg, short *bg, attr_t *attr,
    attr_t *mono, char **cause)
{
	attr_t a;
	size_t i;
	int slot;

	for (slot = 0; slot < CS_COUNT; slot++) {
		fg[slot] = draw_defaults[slot].fg;
		bg[slot] = draw_defaults[slot].bg;
		attr[slot] = draw_defaults[slot].attr;
		mono[slot] = draw_defaults[slot].mono;
	}
	for (i = 0; c != NULL && i < c->n_colors; i++) {
		const struct conf_color *cc = &c->colors[i];

		if ((slot = draw_slot_find(cc->slot)) < 0) {
			*cause = xasprintf("%s: unknown colour slot '%s'", cc->where,
			    cc->slot);
			return -1;
		}
		if ((fg[slot] = draw_color_value(cc->fg)) == -2 ||
		    (cc->bg != NULL && (bg[slot] = draw_color_value(cc->bg)) == -2)) {
			*cause = xasprintf("%s: unknown colour '%s'", cc->where,
			    fg[slot] == -2 ? cc->fg : cc->bg);
			return -1;
		}
		if (cc->bg == NULL)
			bg[slot] = -1;
		a = A_NORMAL;
		if (cc->attrs != NULL && draw_attr_value(cc->attrs, &a) != 0) {
			*cause = xasprintf("%s: unknown attribute in '%s'", cc->where,
			    cc->attrs);
			return -1;
		}
		attr[slot] = a;
		if (cc->attrs != NULL)
			mono[slot] = a;
	}
	return 0;
}

/* Checks the colour lines of c without touching the terminal. */
int
draw_check(const struct conf *c, char **cause)
{
	short fg[CS_COUNT], bg[CS_COUNT];
	attr_t attr[CS_COUNT], mono[CS_COUNT];

	return draw_parse_colors(c, fg, bg, attr, mono, cause);
}

/* Sets up colours or monochrome attributes and the glyph set.  Called
 * after initscr. */
int
draw_setup(int utf8, int color, const struct conf *c, char **cause)
{
	short fg[CS_COUNT], bg[CS_COUNT];
	attr_t attr[CS_COUNT], mono[CS_COUNT];
	int slot;

	draw_is_utf8 = utf8;
	if (draw_parse_colors(c, fg, bg, attr, mono, cause) != 0)
		return -1;
	draw_has_color = color && has_colors();
	if (draw_has_color && start_color() == OK) {
		use_default_colors();
		for (slot = 0; slot < CS_COUNT; slot++) {
			short f = fg[slot] < COLORS ? fg[slot] : -1;
			short b = bg[slot] < COLORS ? bg[slot] : -1;

			init_pair((short)(slot + 1), f, b);
			draw_attrs[slot] = attr[slot] | (attr_t)COLOR_PAIR(slot + 1);
		}
	} else {
		draw_has_color = 0;
		for (slot = 0; slot < CS_COUNT; slot++)
			draw_attrs[slot] = mono[slot];
	}
	return 0;
}

/* ---- text -------------------------------------------------------------------- */

/* Puts an already clipped string at (y, x). */
static void
draw_put(int y, int x, const char *s, int slot)
{
	wchar_t wbuf[512];
	unsigned cp;
	size_t n = 0;

	attrset(draw_attrs[slot]);
	if (!draw_is_utf8) {
		mvaddstr(y, x, s);
		return;
	}
	move(y, x);
	while (*s != '\0') {
		s += text_decode(s, &cp);
		wbuf[n++] = (wchar_t)cp;
		if (n == MW_ARRAY_LEN(wbuf) - 1) {
			addnwstr(wbuf, (int)n);
			n = 0;
		}
	}
	if (n > 0)
		addnwstr(wbuf, (int)n);
}

/* Draws s clipped to w columns (no padding). */
int
draw_str(int y, int x, int w, const char *s, int slot)
{
	struct buf b;
	int used;

	if (w <= 0 || s == NULL)
		return 0;
	buf_init(&b);
	used = text_clip(&b, s, w, draw_is_utf8, 1);
	if (b.len > 0)
		draw_put(y, x, buf_str(&b), slot);
	buf_free(&b);
	return used;
}

/* Draws s clipped and padded to w columns. */
void
draw_text(int y, int x, int w, const char *s, int slot)
{
	struct buf b;

	if (w <= 0)
		return;
	buf_init(&b);
	text_cell(&b, s != NULL ? s : "", w, draw_is_utf8, 0);
	draw_put(y, x, buf_str(&b), slot);
	buf_free(&b);
}

/* A horizontal rule. */
void
draw_hrule(int y, int x, int w, int slot)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < w; i++)
		buf_adds(&b, draw_glyph(G_HLINE));
	if (w > 0)
		draw_put(y, x, buf_str(&b), slot);
	buf_free(&b);
}

/* A vertical rule. */
void
draw_vrule(int x, int y, int h, int slot)
{
	int i;

	for (i = 0; i < h; i++)
		draw_put(y + i, x, draw_glyph(G_VLINE), slot);
}

/* A pane title line: "─ Title (extra) ───────". */
void
draw_title(int y, int x, int w, const char *title, const char *extra,
    int focused)
{
	struct buf b;
	int used, slot = focused ? CS_TITLE_FOCUS : CS_TITLE;

	buf_init(&b);
	buf_adds(&b, draw_glyph(G_HLINE));
	buf_addc(&b, ' ');
	buf_adds(&b, title);
	if (extra != NULL && *extra != '\0') {
		buf_addc(&b, ' ');
		buf_adds(&b, extra);
	}
	buf_addc(&b, ' ');
	used = draw_str(y, x, w, buf_str(&b), slot);
	buf_free(&b);
	if (used < w)
		draw_hrule(y, x + used, w - used, slot);
}

/* ---- lines of cells ------------------------------------------------------------ */

/* An empty line of width columns. */
void
line_init(struct line *l, int width)
{
	memset(l, 0, sizeof *l);
	l->width = width > 0 ? width : 0;
}

/* Frees the segments. */
void
line_free(struct line *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->seg[i].s);
	l->n = 0;
}

/* Adds a cell of w columns; the line's need grows by need_w. */
static void
line_add(struct line *l, const char *s, int w, int right, int slot,
    int need_w)
{
	struct buf b;

	l->need += need_w;
	if (w > l->width - l->cols)
		w = l->width - l->cols;
	if (w <= 0 || l->n == LINE_MAX_SEGS)
		return;
	buf_init(&b);
	text_cell(&b, s != NULL ? s : "", w, draw_is_utf8, right);
	l->seg[l->n].s = buf_steal(&b);
	l->seg[l->n].slot = slot;
	l->n++;
	l->cols += w;
	buf_free(&b);
}

/* Adds a cell. */
void
line_cell(struct line *l, const char *s, int w, int right, int slot)
{
	line_add(l, s, w, right, slot, w);
}

/* Adds a cell taking what is left but reserve columns. */
void
line_flex(struct line *l, const char *s, int reserve, int slot)
{
	line_add(l, s, l->width - l->cols - reserve, 0, slot,
	    text_width(s != NULL ? s : "", draw_is_utf8));
}

/* Adds the last cell, filling the line. */
void
line_rest(struct line *l, const char *s, int slot)
{
	line_flex(l, s, 0, slot);
}

/* Draws a line; the selection colour wins over cell colours. */
void
line_draw(const struct line *l, int y, int x, int base_slot, int selected,
    int focused)
{
	int i, slot, cx = x, w;

	for (i = 0; i < l->n; i++) {
		if (selected)
			slot = focused ? CS_CURSOR : CS_SELECTED;
		else
			slot = l->seg[i].slot >= 0 ? l->seg[i].slot : base_slot;
		w = text_width(l->seg[i].s, draw_is_utf8);
		draw_put(y, cx, l->seg[i].s, slot);
		cx += w;
	}
	if (cx < x + l->width)
		draw_text(y, cx, x + l->width - cx, "",
		    selected ? (focused ? CS_CURSOR : CS_SELECTED) : base_slot);
}

/* ---- slots for words ------------------------------------------------------------- */

/* Colour of a severity. */
int
draw_severity_slot(const char *sev)
{
	static const int slot[MW_SEV_COUNT] = { CS_INFO, CS_LOW, CS_MEDIUM,
	    CS_HIGH, CS_CRITICAL };
	int r = severity_rank(sev);

	if (sev == NULL)
		return CS_NORMAL;
	return r >= 0 ? slot[r] : CS_INFO;
}

/* Colour of a status word. */
int
draw_status_slot(const char *status)
{
	if (status == NULL)
		return CS_NORMAL;
	if (strcmp(status, "open") == 0 || strcmp(status, "active") == 0 ||
	    strcmp(status, "new") == 0)
		return CS_CRITICAL;
	if (strcmp(status, "triaged") == 0 || strcmp(status, "acknowledged") == 0)
		return CS_ACKED;
	if (strcmp(status, "confirmed") == 0 || strcmp(status, "done") == 0 ||
	    strcmp(status, "resolved") == 0)
		return CS_OK;
	if (strcmp(status, "silenced") == 0 || strcmp(status, "suppressed") == 0 ||
	    strcmp(status, "rejected") == 0 || strcmp(status, "dismissed") == 0)
		return CS_MUTED;
	return CS_NORMAL;
}

/* ---- the frame -------------------------------------------------------------------- */

/* Appends who holds the pipeline lock: lock_holder's "pipeline is locked by
 * WHO (run N, running since T, pid P)" as "held by WHO (run N...)", cut to
 * "held by WHO (run N)" when compact ("another session (pid P)": "pid P"). */
static void
draw_status_holder(struct buf *b, const char *text, int compact)
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
draw_status_unhealthy(const struct ui *ui)
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
draw_status_left(struct ui *ui, struct buf *left, int level, int wide)
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
	if (draw_status_unhealthy(ui)) {
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
		draw_status_holder(left, ui->pipe_text, level > 0);
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
draw_counted(enum row_kind kind, const char *st)
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
draw_model_status(const struct mw_snapshot *s, enum row_kind kind,
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
draw_counts(struct ui *ui, long long *open, long long *active)
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
		    (was = draw_model_status(s, o->kind, o->id)) == NULL)
			continue;
		d = draw_counted(o->kind, o->status) - draw_counted(o->kind, was);
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
draw_status(struct ui *ui)
{
	const struct rect *r = &ui->layout.status;
	struct buf left, right;
	long long open, active;
	int rw, level, slot = ui->db_ok && !draw_status_unhealthy(ui) ?
	    CS_STATUS : CS_ERROR;

	buf_init(&left);
	buf_init(&right);
	if (ui->snap != NULL) {
		draw_counts(ui, &open, &active);
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
	rw = text_width(buf_str(&right), draw_is_utf8);
	if (rw > r->w / 2)
		rw = r->w / 2;
	for (level = 0; level < 5; level++) {
		buf_reset(&left);
		draw_status_left(ui, &left, level, r->w >= 120);
		/* One column stays blank between the two parts. */
		if (text_width(buf_str(&left), draw_is_utf8) < r->w - rw)
			break;
	}
	draw_text(r->y, r->x, r->w - rw, buf_str(&left), slot);
	draw_text(r->y, r->x + r->w - rw, rw, buf_str(&right), slot);
	buf_free(&left);
	buf_free(&right);
}

/* Appends "KEY label" for action to a hint line when it is bound. */
static void
draw_hint(struct ui *ui, struct buf *b, int action, const char *label)
{
	struct buf k;

	buf_init(&k);
	if (keymap_keys(&ui->keys, action, &k, 1) > 0)
		buf_printf(b, "%s %s  ", buf_str(&k), label);
	buf_free(&k);
}

/* Is the alert the focused pane (or the open view) shows silenced? */
static int
draw_silenced(struct ui *ui)
{
	struct row buf;
	const struct row *r = ui->view == VIEW_DETAIL ?
	    (detail_row(ui, &buf) == 0 ? &buf : NULL) :
	    pane_selected(&ui->panes[ui->focus]);

	return r != NULL && r->kind == ROW_ALERT && strcmp(ui_status(ui,
	    ROW_ALERT, r->id, ((const struct mw_alert *)r->obj)->status),
	    "silenced") == 0;
}

/* The bottom line: a prompt, a message, or the key hints of the context --
 * only the keys that work here (a read-only console offers no triage). */
static void
draw_bottom(struct ui *ui)
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
			draw_hint(ui, &b, ACT_REFRESH, "reload");
		draw_hint(ui, &b, ACT_MOVE_DOWN, "scroll");
		draw_hint(ui, &b, ACT_CLOSE, "close");
	} else {
		if (ui->view == VIEW_MAIN) {
			draw_hint(ui, &b, ACT_NEXT_PANE, "pane");
			draw_hint(ui, &b, ACT_OPEN, "open");
		} else
			draw_hint(ui, &b, ACT_BACK, "back");
		switch (act ? ui->focus : -1) {
		case PANE_INCIDENTS:
			draw_hint(ui, &b, ACT_INCIDENT_TOGGLE, "resolve");
			break;
		case PANE_HYPOTHESES:
			draw_hint(ui, &b, ACT_CONFIRM, "confirm");
			draw_hint(ui, &b, ACT_REJECT, "reject");
			break;
		case PANE_RECOS:
			draw_hint(ui, &b, ACT_ACK, "ack");
			draw_hint(ui, &b, ACT_DONE, "done");
			draw_hint(ui, &b, ACT_DISMISS, "dismiss");
			draw_hint(ui, &b, ACT_ACT, "act");
			break;
		case PANE_ALERTS:
			draw_hint(ui, &b, ACT_ACK, "ack");
			draw_hint(ui, &b, ACT_RESOLVE, "resolve");
			/* a silenced alert: its undo */
			if (draw_silenced(ui))
				draw_hint(ui, &b, ACT_UNSILENCE, "unsilence");
			else
				draw_hint(ui, &b, ACT_SILENCE, "silence");
			if (r->w >= 100)
				draw_hint(ui, &b, ACT_MARK, "mark");
			break;
		}
		if (act)
			draw_hint(ui, &b, ACT_NOTE, "note");
		if (ui->view == VIEW_MAIN && (r->w >= 100 || !act))
			draw_hint(ui, &b, ACT_FILTER, "filter");
		if (ui->view == VIEW_MAIN && (r->w >= 120 || !act))
			draw_hint(ui, &b, ACT_SORT, "sort");
		if (act && !ui->cfg->no_runs && r->w >= 100)
			draw_hint(ui, &b, ACT_RUN_PIPELINE, "run");
		if (r->w >= 130)
			draw_hint(ui, &b, ACT_COPY, "copy");
		draw_hint(ui, &b, ACT_HELP, "help");
		draw_hint(ui, &b, ACT_CLOSE, ui->view == VIEW_MAIN ? "quit" : "close");
		if (!act)
			buf_adds(&b, "(read-only)");
	}
	draw_text(r->y, r->x, r->w, buf_str(&b), CS_HINT);
	buf_free(&b);
}

/* Draws one complete frame. */
void
draw_screen(struct ui *ui)
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
	draw_status(ui);
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
	draw_bottom(ui);
	if (ui->prompt.kind == PROMPT_NONE)
		curs_set(0);
}
