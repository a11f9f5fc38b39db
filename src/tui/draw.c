/*
 * draw.c - the drawing primitives every view uses: colours (or monochrome
 * attributes when NO_COLOR is set or the terminal has none), clipped text
 * through text.c, glyphs with ASCII fallbacks, rules, pane titles, lines
 * of cells and the colours of severity and status words.  It knows no view:
 * the composition of a frame is screen.c's.
 *
 * Text reaches curses only through draw_str(), which clips to a width with
 * text_clip() (control characters become '?') and, on UTF-8 terminals,
 * converts to wide characters; on others everything drawn is ASCII.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "curses_compat.h"
#include "midwatch/conf.h"
#include "midwatch/severity.h"
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
