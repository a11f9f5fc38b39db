/*
 * tui.h - the console: starting it, and the pure parts the unit tests reach
 * without a terminal (pane geometry, width-aware text, charts, key names,
 * the action table and key bindings).
 *
 * Only src/tui/ includes curses; nothing in this header needs it.
 */
#ifndef MIDWATCH_TUI_H
#define MIDWATCH_TUI_H

#include <stddef.h>
#include "midwatch/midwatch.h"

struct buf;
struct conf;
struct db;
struct mw_snapshot;

/* ---- starting the console ------------------------------------------------ */

/* What cmd_console hands to the console. */
struct tui_config {
	struct db *db;		/* an open, migrated connection; the console's
				 * worker takes it over (the UI never uses it) */
	const char *conninfo;	/* for the worker's other connections */
	long long project_id;
	const char *project;	/* slug, for the status bar */
	const char *actor;	/* operator name recorded with every action */
	int readonly;		/* look but do not act (no feedback, no runs) */
	const char *role;	/* the user's role in the project when not the
				 * schema's owner ("viewer", "operator",
				 * "admin"; sql/020_roles.sql), for the status
				 * bar and refusals; NULL: owner */
	int no_runs;		/* the role runs no pipeline and no
				 * investigation (operator) */
	const struct conf *conf;	/* merged configuration (borrowed) */
};

/*
 * Runs the console until the operator quits or a signal ends it.  Returns
 * 0, or -1 with *cause when the terminal cannot be used or the key
 * bindings/colours in the configuration are wrong (before the screen
 * changes).  cfg->db belongs to the console afterwards (closed on return).
 */
int tui_run(struct tui_config *cfg, char **cause);
/* Checks what the console would refuse before the screen changes: a
 * terminal on stdin/stdout, and the key bindings and colours of c.
 * 0, or -1 with *cause ("FILE:LINE: unknown action 'x'"). */
int tui_check(const struct conf *c, char **cause);
/* Restores the terminal; safe to call any number of times, from atexit,
 * fatal() and the crash handler. */
void tui_stop(void);

/* ---- layout ---------------------------------------------------------------- */

/* The panes (each one's struct pane_ops is in src/tui/pane_*.c); the
 * first leads, the others list what its selected incident holds. */
enum pane_id {
	PANE_INCIDENTS,
	PANE_HYPOTHESES,
	PANE_RECOS,
	PANE_ALERTS,
	PANE_COUNT
};

struct rect {
	int x, y, w, h;
};

enum layout_mode {
	LAYOUT_TOO_SMALL,	/* only a "terminal too small" message */
	LAYOUT_STACK,		/* panes stacked, the focused one grows */
	LAYOUT_GRID		/* 2x2 grid, side by side */
};

#define LAYOUT_MIN_COLS 60
#define LAYOUT_MIN_LINES 16
#define LAYOUT_GRID_COLS 160	/* at least this wide (and 24 tall): grid */
#define LAYOUT_GRID_LINES 24
#define LAYOUT_GRID_MIN_PANE 60	/* the narrowest grid column */

/* Minimum content rows of a stacked pane (its title line not counted). */
#define LAYOUT_MIN_ROWS_INCIDENTS 3
#define LAYOUT_MIN_ROWS 2

struct layout {
	enum layout_mode mode;
	int cols, lines;
	struct rect status;		/* the status bar (top line) */
	struct rect hint;		/* the key hint / message line (bottom) */
	struct rect body;		/* between them: panes or an open view */
	struct rect pane[PANE_COUNT];	/* each includes its title line */
	int sep_x;			/* grid: column of the vertical rule, else -1 */
};

/*
 * Computes the screen geometry for a cols x lines terminal with focus the
 * focused pane.  want, when not NULL, gives the content rows each pane
 * could use (stacked panes that need less give room to the others).
 * Pure; every rectangle lies inside the screen, panes never overlap, and in
 * LAYOUT_STACK the panes cover the body exactly, each with at least its
 * minimum rows.
 */
void layout_compute(int cols, int lines, int focus, const int *want,
    struct layout *l);
/* layout_compute, and need (when not NULL) gives the columns each pane's
 * longest line needs: the grid's columns follow them (a column whose text
 * is short gives its width to the other), neither narrower than
 * LAYOUT_GRID_MIN_PANE. */
void layout_compute_fit(int cols, int lines, int focus, const int *want,
    const int *need, struct layout *l);

/* ---- width-aware text -------------------------------------------------------- */

/* Decodes one UTF-8 character at s (not at its NUL): returns its length and
 * sets *cp; an invalid byte is one character U+FFFD of length 1. */
size_t text_decode(const char *s, unsigned *cp);
/* Display columns of code point cp (0 for combining, 2 for wide). */
int text_cp_width(unsigned cp);
/* Display columns of s (utf8 = 0: one column per byte, ASCII-only display). */
int text_width(const char *s, int utf8);
/*
 * Appends s to b clipped to at most cols columns, never splitting a
 * character; control characters become '?', and without utf8 every
 * non-ASCII character becomes '?'.  When s does not fit and ellipsis is
 * set, the last column shows an ellipsis ("…", or "~" in ASCII).  Returns
 * the columns written.
 */
int text_clip(struct buf *b, const char *s, int cols, int utf8, int ellipsis);
/* text_clip, then pads with spaces to exactly cols columns (right-aligned
 * when align_right). */
void text_cell(struct buf *b, const char *s, int cols, int utf8, int align_right);
/*
 * Word-wraps s into lines of at most cols columns (breaking long words,
 * honouring '\n').  Returns the number of lines; *lines is a malloc'd array
 * of malloc'd strings (free with text_lines_free).
 */
size_t text_wrap(const char *s, int cols, int utf8, char ***lines);
void text_lines_free(char **lines, size_t n);
/* Case-insensitive (ASCII) substring test, for filters. */
int text_contains(const char *hay, const char *needle);

/* ---- charts -------------------------------------------------------------- */

/* A confidence bar of width cols for frac (0..1): "█████▌   " or "####    ". */
void chart_bar(struct buf *b, double frac, int cols, int utf8);
/*
 * Resamples n values into at most cols columns (mean per column; NaN when a
 * column has no finite value).  Returns the columns used (min(n, cols)).
 */
int chart_resample(const double *v, size_t n, int cols, double *out);
/* Appends one sparkline glyph per value, scaled between lo and hi
 * ("▁▂▃▄▅▆▇█", ASCII "_.,-=+*#"; NaN is a blank). */
void chart_spark(struct buf *b, const double *v, int n, double lo, double hi,
    int utf8);
/*
 * Area charts of a metric over its baseline band, rows lines high, each
 * cell in eighths (rows * 8 levels).  chart_fill: the eighths value v fills
 * on the scale lo..hi, 1 (lo, a thin line: never invisible) to rows * 8
 * (hi), -1 for NaN.  chart_band_span: the eighths [*b0, *b1) the band
 * blo..bhi covers, at least one (a band of no width still shows where the
 * baseline is), -1 for NaN.  chart_area_cell: the glyph of row (0 = bottom)
 * of a column: the value's part of the cell as a block ("█", or the eighth
 * "▁".."▇"; ASCII "#", or "_" under half a cell), else a shade where the
 * band passes ("░", ASCII ":"), else a blank.  chart_area_row: row of n
 * columns (blo/bhi may be NULL: no band).
 */
int chart_fill(double v, double lo, double hi, int rows);
void chart_band_span(double blo, double bhi, double lo, double hi, int rows,
    int *b0, int *b1);
void chart_area_cell(struct buf *b, int fill, int b0, int b1, int row,
    int utf8);
void chart_area_row(struct buf *b, int row, int rows, const double *v,
    const double *blo, const double *bhi, int n, double lo, double hi,
    int utf8);
/* The band as a marked range, one glyph per column: the value within its
 * band blo..bhi "░" (ASCII ":"), above it "▲" ("^"), below it "▼" ("v"),
 * a blank where the value or band is NaN.  It shows where the detector saw
 * the series leave its normal band even when the band is thinner than a
 * chart cell. */
void chart_band_marks(struct buf *b, const double *v, const double *blo,
    const double *bhi, int n, int utf8);
/* The column (0..cols-1) of time t on an axis from t0 to t1. */
int chart_time_col(double t, double t0, double t1, int cols);
/* The report views' meters (meter.c): the share (0..1) of max that v
 * fills -- 0 for NaN, negative values or max <= 0; a bar of cols cells
 * for it; and a sparkline of n values in at most cols columns (means),
 * scaled from 0 to their maximum (the maximum at the top level, 0 and NaN
 * at the bottom or blank; all zero: the bottom level), returning the
 * columns written. */
double meter_frac(double v, double max);
void meter_bar(struct buf *b, double v, double max, int cols, int utf8);
int meter_spark(struct buf *b, const double *v, size_t n, int cols, int utf8);

/* ---- actions and keys ------------------------------------------------------ */

/*
 * Every console action, once: ACTION_INFO(ENUM, "name", group, help).  The
 * list yields enum action, the names for `:` commands and key bindings, and
 * the `?` help screen, so they cannot drift apart.
 */
#define ACTION_LIST \
	ACTION_INFO(MOVE_UP, "move-up", "Moving", "move the selection up (scroll up in a view)") \
	ACTION_INFO(MOVE_DOWN, "move-down", "Moving", "move the selection down (scroll down in a view)") \
	ACTION_INFO(MOVE_FIRST, "move-first", "Moving", "jump to the first item") \
	ACTION_INFO(MOVE_LAST, "move-last", "Moving", "jump to the last item") \
	ACTION_INFO(PAGE_UP, "page-up", "Moving", "one page up") \
	ACTION_INFO(PAGE_DOWN, "page-down", "Moving", "one page down") \
	ACTION_INFO(NEXT_PANE, "next-pane", "Moving", "focus the next pane") \
	ACTION_INFO(PREV_PANE, "prev-pane", "Moving", "focus the previous pane") \
	ACTION_INFO(OPEN, "open", "Views", "open the selected item (timeline, evidence, why ranked)") \
	ACTION_INFO(BACK, "back", "Views", "go back: close the view, cancel, clear filter and marks") \
	ACTION_INFO(CLOSE, "close", "Views", "close the open view; quit from the main screen") \
	ACTION_INFO(QUIT, "quit", "Views", "quit from anywhere") \
	ACTION_INFO(HELP, "help", "Views", "show this help") \
	ACTION_INFO(FILTER, "filter", "Views", "filter the focused pane (empty clears)") \
	ACTION_INFO(COMMAND, "command", "Views", "enter a command (:help lists them)") \
	ACTION_INFO(REFRESH, "refresh", "Views", "reload the data now") \
	ACTION_INFO(REDRAW, "redraw", "Views", "redraw the screen") \
	ACTION_INFO(TOGGLE_HIDDEN, "toggle-hidden", "Views", "show/hide suppressed and older resolved incidents, expired signals, unpublishable recommendations") \
	ACTION_INFO(TOGGLE_ALERTS, "toggle-alerts", "Views", "alerts of the selected incident / all alerts") \
	ACTION_INFO(TOGGLE_GROUP, "toggle-group", "Views", "fold/unfold the selected alert's incident group (its head and members)") \
	ACTION_INFO(SORT, "sort", "Views", "sort the focused pane by its next column (again: the one after)") \
	ACTION_INFO(SORT_REVERSE, "sort-reverse", "Views", "reverse the focused pane's order") \
	ACTION_INFO(COPY, "copy", "Views", "copy the item's reference (in an incident's view: its report) to the clipboard, OSC 52") \
	ACTION_INFO(RUN_PIPELINE, "run-pipeline", "Pipeline", "run the pipeline now") \
	ACTION_INFO(MARK, "mark", "Triage", "mark/unmark the item to act on several at once") \
	ACTION_INFO(ACK, "ack", "Triage", "acknowledge the alert or recommendation") \
	ACTION_INFO(RESOLVE, "resolve", "Triage", "resolve the alert") \
	ACTION_INFO(SILENCE, "silence", "Triage", "silence the alert (asks for how long)") \
	ACTION_INFO(UNSILENCE, "unsilence", "Triage", "end the alert's silence (undoes silence)") \
	ACTION_INFO(CONFIRM, "confirm", "Triage", "confirm the hypothesis (asks about root cause)") \
	ACTION_INFO(REJECT, "reject", "Triage", "reject the hypothesis") \
	ACTION_INFO(DISMISS, "dismiss", "Triage", "dismiss the recommendation") \
	ACTION_INFO(DONE, "done", "Triage", "mark the recommendation done") \
	ACTION_INFO(INCIDENT_TOGGLE, "incident-resolve", "Triage", "resolve the incident, or reopen it") \
	ACTION_INFO(NOTE, "note", "Triage", "add a note to the selected item") \
	ACTION_INFO(ACT, "act", "Triage", "act on the recommendation: a message, the incident's task, a reminder (asks)")

enum action {
#define ACTION_INFO(e, n, g, h) ACT_##e,
	ACTION_LIST
#undef ACTION_INFO
	ACT_COUNT,
	ACT_NONE = -1
};

/* The name of an action ("move-up"). */
const char *action_name(int a);
/* Its help group and help text. */
const char *action_group(int a);
const char *action_help(int a);
/* The action called name, or ACT_NONE. */
int action_find(const char *name);

/*
 * Key codes: a Unicode code point for a character (control characters and
 * Esc included), or KEYC_SPECIAL + a curses KEY_* code for function keys.
 */
#define KEYC_SPECIAL 0x200000
#define KEYC_ESC 27
#define KEYC_ENTER '\n'
#define KEYC_TAB '\t'
#define KEYC_CTRL(c) ((c) & 0x1f)

/* Parses a key name ("j", "G", "C-l", "Enter", "S-Tab", "PgDn", "F5").
 * 0 and *key, or -1. */
int keys_parse(const char *name, int *key);
/* Writes the canonical name of key into out. */
void keys_name(int key, char *out, size_t len);

/* A table from key to action. */
struct keymap {
	struct keymap_entry {
		int key;
		int action;
	} *entries;
	size_t n;
};

void keymap_init(struct keymap *km);
void keymap_free(struct keymap *km);
/* Binds key to action (replacing an earlier binding of key). */
void keymap_bind(struct keymap *km, int key, int action);
void keymap_unbind(struct keymap *km, int key);
/* The action bound to key, or ACT_NONE. */
int keymap_lookup(const struct keymap *km, int key);
/* Appends the names of the keys bound to action ("j, Down"), at most max
 * of them (0: all); returns how many. */
int keymap_keys(const struct keymap *km, int action, struct buf *b, int max);
/* Applies the bind/unbind lines of a parsed configuration; -1 with *cause
 * ("FILE:LINE: unknown action 'x'") at the first bad one. */
int keymap_apply(struct keymap *km, const struct conf *c, char **cause);
/* Loads the compiled-in defaults (doc/midwatch.keys); -1 only if that text
 * is broken. */
int keymap_defaults(struct keymap *km, char **cause);

/* doc/midwatch.keys, compiled in (generated at build time). */
extern const char keys_default_text[];

#endif
