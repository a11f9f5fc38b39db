/*
 * tui_int.h - what the files of src/tui share: the console's state, the
 * reaction flags handlers return, pane rows, colour slots and the drawing
 * helpers.  Nothing outside src/tui includes this (and it does not include
 * curses: only the .c files that draw do, through curses_compat.h).
 */
#ifndef MIDWATCH_TUI_INT_H
#define MIDWATCH_TUI_INT_H

#include <signal.h>
#include <stddef.h>

#include "midwatch/buf.h"
#include "midwatch/feedback.h"
#include "midwatch/model.h"
#include "midwatch/tui.h"
#include "midwatch/worker.h"

/* Reaction flags: handlers return them, only the loop acts on them. */
#define R_NONE		0x00
#define R_REDRAW	0x01	/* draw again */
#define R_RELAYOUT	0x02	/* recompute pane geometry (focus, size) */
#define R_CLEAR		0x04	/* repaint every cell (Ctrl-L, resize) */
#define R_QUIT		0x08	/* leave the loop */

/* What a pane row shows. */
enum row_kind {
	ROW_INCIDENT,
	ROW_HYPOTHESIS,
	ROW_EVIDENCE,
	ROW_RECO,
	ROW_ALERT
};

/* One row of a pane, rebuilt from the snapshot before every draw.  The
 * pointers borrow from ui->snap and die with it. */
struct row {
	enum row_kind kind;
	long long id;		/* object id; evidence rows: the hypothesis id */
	long long sub;		/* evidence rows: the evidence identity (its id,
				 * or -(index+1) for 'missing' items without one) */
	const void *obj;	/* mw_incident/_hypothesis/_evidence/_recommendation/_alert */
	const struct mw_hypothesis *hyp;	/* evidence rows: their hypothesis */
	int group_start;	/* evidence rows: first of its role group */
};

/* A pane: its rows, a selection kept by identity (so reloads and other
 * consoles' changes never move the operator), scroll, filter and marks. */
struct pane {
	enum pane_id id;
	struct row *rows;
	size_t n_rows, cap_rows;
	size_t sel;		/* index into rows when n_rows > 0 */
	int have_sel;		/* sel_id/sel_sub are meaningful */
	long long sel_id, sel_sub;
	size_t top;		/* first visible row */
	int height;		/* content rows at the last layout */
	char *filter;		/* NULL or "" = none */
	long long *marks;	/* marked object ids (hypotheses for evidence) */
	size_t n_marks;
	long long for_incident;	/* dependent panes: the incident the rows,
				 * selection and marks belong to */
	int want;		/* rows it could show (all evidence expanded) */
	size_t n_items;		/* the items it lists (hypotheses, not rows) */
	int sort;		/* its order (pane_orders; 0: the default) */
	int sort_rev;		/* reversed */
	int need;		/* columns its longest line needs (grid layout) */
	/* the incidents pane: what its rows were built from, so a key that
	 * only moves the selection does not rebuild and re-sort them */
	int built;		/* rows built from snap_gen, filter, ... below */
	unsigned long built_gen;
	char *built_filter;
	int built_sort, built_rev, built_hidden;
	unsigned long rows_gen;	/* counts those builds */
	unsigned long measured_gen;	/* the build `need` was measured on */
};

enum view {
	VIEW_MAIN,
	VIEW_DETAIL,
	VIEW_HELP,
	VIEW_STATS,		/* :stats, reports.c */
	VIEW_RULES		/* :rules, reports.c */
};

enum prompt_kind {
	PROMPT_NONE,
	PROMPT_FILTER,		/* live filter of the focused pane */
	PROMPT_COMMAND,		/* ':' */
	PROMPT_NOTE,		/* note text */
	PROMPT_SILENCE,		/* silence duration */
	PROMPT_CONFIRM,		/* y/n for a destructive action */
	PROMPT_ROOTCAUSE,	/* y/n/Esc: confirm also as root cause? */
	PROMPT_ACT		/* an action on a recommendation (feedback_act_parse) */
};

/* Something an action applies to. */
struct target {
	enum row_kind kind;
	long long id;
	char *status;		/* as displayed (override applied), malloc'd */
	char *seen;		/* as the data says (no override), malloc'd: in
				 * the idempotency key, so a double key press
				 * records once */
	char *label;		/* "alert #5", malloc'd */
};

struct prompt {
	enum prompt_kind kind;
	char *question;		/* shown before the input */
	struct buf input;	/* UTF-8 text typed so far */
	int action;		/* the action to finish (ACT_*) */
	struct target *targets;	/* what it applies to */
	size_t n_targets;
	char *saved;		/* PROMPT_FILTER: the filter before editing */
};

/* After the status of an object whose action waits for the database
 * (held in the journal): "acked*". */
#define UI_PENDING_MARK "*"

/* An action the worker has not confirmed yet: its expected status is shown
 * at once and survives snapshots until the worker replies. */
struct override {
	enum row_kind kind;
	long long id;
	char *status;
	char *who;
	double at;		/* wall clock */
	unsigned long seq;
	int confirmed;		/* the worker recorded it but sent no data:
				 * kept until the next snapshot shows it */
};

/* A bulk action in flight (Space marks, then a key): the seqs of its
 * intents and how they ended, so it ends with one summary message. */
struct batch {
	unsigned long first, last;	/* seq range; first == 0: none */
	size_t total, ok, already, failed;
	char *verb;		/* "acknowledge" */
	char *noun;		/* "alerts" */
	char *error;		/* the first failure, or NULL */
};

/* Colour slots; `color SLOT ...` in the configuration names them. */
#define COLOR_SLOTS \
	SLOT(NORMAL, "normal") \
	SLOT(TITLE, "title") \
	SLOT(TITLE_FOCUS, "title-focus") \
	SLOT(SELECTED, "selected") \
	SLOT(CURSOR, "cursor") \
	SLOT(STATUS, "status") \
	SLOT(HINT, "hint") \
	SLOT(MESSAGE, "message") \
	SLOT(ERROR, "error") \
	SLOT(CRITICAL, "critical") \
	SLOT(HIGH, "high") \
	SLOT(MEDIUM, "medium") \
	SLOT(LOW, "low") \
	SLOT(INFO, "info") \
	SLOT(OK, "ok") \
	SLOT(ACKED, "acked") \
	SLOT(STALE, "stale") \
	SLOT(MUTED, "muted") \
	SLOT(MARKED, "marked") \
	SLOT(BAR, "bar") \
	SLOT(SPARK, "spark") \
	SLOT(BASELINE, "baseline") \
	SLOT(HEADING, "heading")

enum color_slot {
#define SLOT(e, n) CS_##e,
	COLOR_SLOTS
#undef SLOT
	CS_COUNT
};

/* Glyphs with an ASCII fallback. */
enum glyph {
	G_HLINE, G_VLINE, G_MARK, G_CHECK, G_CROSS, G_ARROW, G_TICK,
	G_AXIS_L, G_AXIS_R, G_DOT, G_COUNT
};

/* The whole console. */
struct ui {
	const struct tui_config *cfg;
	struct keymap keys;
	int utf8;		/* draw UTF-8 (else ASCII only) */
	int stale_ack;		/* seconds after which an ack stands out */

	struct layout layout;
	int focus;		/* enum pane_id */
	struct pane panes[PANE_COUNT];
	enum view view;
	int help_scroll;

	/* The detail view: what it shows (identity, like a selection). */
	enum row_kind detail_kind;
	long long detail_id, detail_sub;
	int detail_scroll;
	int detail_lines;	/* lines at the last draw, for scrolling */
	struct mw_snapshot *detail_snap;	/* incident timeline/series */
	long long detail_snap_id;
	char *detail_error;
	int detail_loading;
	/* What the worker loaded for the open item (its feedback history,
	 * an evidence item's series), for detail_item_kind/_id. */
	struct mw_item_detail *detail_item;
	enum row_kind detail_item_kind;
	long long detail_item_id;

	struct mw_snapshot *snap;	/* the data shown, NULL until loaded */
	unsigned long snap_gen;	/* counts snapshots installed (pane.c) */
	double snap_at;			/* wall clock when it arrived */
	int show_hidden;		/* suppressed incidents, those resolved
					 * before console.recent_resolved,
					 * hidden recos */
	size_t inc_recent;		/* incidents listed resolved recently */
	size_t inc_older;		/* resolved earlier, hidden without H */
	int alerts_all;			/* all alerts, not the incident's */
	long long *unfolded;		/* alert group heads shown with their
					 * members (groups are folded) */
	size_t n_unfolded;
	struct override *ovr;
	size_t n_ovr;
	unsigned long *waiting;		/* seqs of actions held for the database
					 * (in the journal): shown pending */
	size_t n_waiting;
	struct batch batch;

	/* Status bar. */
	int db_ok;
	char *db_text;
	double db_retry_at;
	enum pipe_state pipe;
	char *pipe_text;
	long long pipe_held_run;	/* PIPE_HELD: the last run then, and */
	char *pipe_held_status;		/* its status (a change ends "held") */
	char *pipe_stage;
	int pipe_done, pipe_total;
	long long pipe_run;
	int pipe_requested;	/* R was pressed: report how the run ends */
	long long select_pending;	/* :investigate's incident, selected once
					 * a snapshot holds it (0: none) */

	/* Message line. */
	char *msg;
	int msg_error;
	double msg_until;
	double reminded_upto;	/* reminders that fired up to this time (db
				 * clock) were announced (detail_actions.c) */

	/* The report views (:stats, :rules; reports.c). */
	json_t *report_json;		/* the worker's data, NULL until loaded */
	char *report_error;		/* why it could not be loaded, or NULL */
	char *report_window;		/* :stats window, "day" or "week" */
	int report_loading;
	int report_scroll;
	int report_lines;		/* lines at the last draw */

	struct prompt prompt;
	struct worker *worker;
	unsigned long seq;
	int dirty;		/* R_* flags pending for the loop */

	/* Recommendations seen in the Recommendations pane (shown.c): when
	 * each was last counted and whether it was on screen at the last
	 * look.  Entries neither visible nor recent are dropped. */
	struct shown_seen {
		long long id;
		double at;	/* wall clock of the last count */
		int visible;
	} *shown;
	size_t n_shown;
};

/* tui.c */
extern volatile sig_atomic_t tui_quit_signal;	/* the signal that asked to quit */
extern volatile sig_atomic_t tui_winch;		/* the terminal was resized */
int tui_signal_fd(void);
void tui_drain_signals(void);
void tui_resize(struct ui *ui);
void tui_layout(struct ui *ui);
double tui_wall(void);

/* latency.c: the opt-in latency log (MIDWATCH_LATENCY_LOG=FILE, a
 * diagnostic for `make bench`): latency_init opens it, latency_key notes a
 * key read (reload: it is r), latency_snapshot a snapshot installed,
 * latency_done (drawn: after doupdate returned) writes a line per key
 * handled since, the first frame with data and the reload answered. */
void latency_init(void);
void latency_close(void);
void latency_key(int key, int reload);
void latency_snapshot(void);
void latency_done(int drawn);

/* shown.c: counts the recommendations the Recommendations pane shows now
 * (seed 001's shown_count telemetry) through the worker; called by the
 * loop after a draw, never by drawing code. */
void shown_note(struct ui *ui);

/* loop.c */
int loop_run(struct ui *ui);
void loop_install(struct ui *ui, struct mw_snapshot *s);

/* screen.c: draws one complete frame (status bar, the open view, the
 * bottom line); only the loop calls it. */
void screen_draw(struct ui *ui);

/* draw.c: the primitives every view draws with (it includes no view). */
int draw_setup(int utf8, int color, const struct conf *c, char **cause);
int draw_check(const struct conf *c, char **cause);
int draw_utf8(void);
const char *draw_glyph(enum glyph g);
/* Draws s clipped and padded to exactly w columns at (y, x). */
void draw_text(int y, int x, int w, const char *s, int slot);
/* Draws s clipped to w columns, no padding; returns the columns used. */
int draw_str(int y, int x, int w, const char *s, int slot);
void draw_hrule(int y, int x, int w, int slot);
void draw_vrule(int x, int y, int h, int slot);
void draw_title(int y, int x, int w, const char *title, const char *extra,
    int focused);
/* The slot of a severity or status word. */
int draw_severity_slot(const char *sev);
int draw_status_slot(const char *status);

/* A row of cells with their own colours. */
#define LINE_MAX_SEGS 16
struct line {
	int width;		/* total columns */
	int cols;		/* used so far */
	int need;		/* columns it would take with nothing cut */
	int n;
	struct line_seg {
		char *s;
		int slot;	/* -1: the line's base slot */
	} seg[LINE_MAX_SEGS];
};
void line_init(struct line *l, int width);
void line_free(struct line *l);
/* Adds s in a cell of w columns (clipped/padded; right-aligned if asked). */
void line_cell(struct line *l, const char *s, int w, int right, int slot);
/* Adds s in what is left of the line (clipped and padded). */
void line_rest(struct line *l, const char *s, int slot);
/* Adds s in what is left of the line but reserve columns (for the cells
 * that follow it). */
void line_flex(struct line *l, const char *s, int reserve, int slot);
/* Draws it; selected rows use the cursor/selection colour throughout. */
void line_draw(const struct line *l, int y, int x, int base_slot, int selected,
    int focused);

/* pane.c */
void pane_init(struct pane *p, enum pane_id id);
void pane_free(struct pane *p);
void pane_rebuild_all(struct ui *ui);
const struct row *pane_selected(const struct pane *p);
void pane_move(struct pane *p, long delta);
void pane_move_to(struct pane *p, size_t idx);
void pane_draw(struct ui *ui, enum pane_id id);
/* Sets each pane's need: the columns its longest line takes uncut. */
void pane_measure(struct ui *ui);
void pane_add_row(struct pane *p, enum row_kind kind, long long id,
    long long sub, const void *obj);
/* Sorts objs (n objects the pane lists, each starting with its long long
 * id) in the pane's order, adds a row for each and frees objs. */
void pane_add_objs(struct pane *p, enum row_kind kind, const void **objs,
    size_t n);
int pane_marked(const struct pane *p, long long id);
void pane_toggle_mark(struct pane *p, long long id);
void pane_clear_marks(struct pane *p);
const struct mw_incident *ui_incident(struct ui *ui);
const char *ui_status(struct ui *ui, enum row_kind kind, long long id,
    const char *model_status);
const struct override *ui_override(struct ui *ui, enum row_kind kind,
    long long id);
/* Non-zero when the action shown on the object waits for the database. */
int ui_pending(struct ui *ui, enum row_kind kind, long long id);
/* The short status of a status cell, marked UI_PENDING_MARK while the
 * action that set it waits for the database (written into buf). */
const char *ui_status_cell(struct ui *ui, enum row_kind kind, long long id,
    const char *status, char *buf, size_t len);
char *ui_clean(const char *s);
const char *ui_short_status(const char *status);
const char *ui_short_severity(const char *sev);
void ui_age(double when, char *out, size_t len);
void ui_clock_set(double db_now);
double ui_now(void);

/* An order a pane can be sorted in (`o`); a pane's first is its default. */
struct pane_order {
	const char *name;		/* "severity" */
	int (*cmp)(const void *x, const void *y);	/* objects; < 0: x first */
};

/* A key hint of a pane (the bottom line): shown when the console may act,
 * the terminal is at least min_cols wide and when() (if set) says so. */
struct pane_hint {
	int action;			/* ACT_* */
	const char *label;		/* "ack" */
	int min_cols;
	int (*when)(struct ui *ui);
};

/*
 * What sets one pane apart from the others, as tig's view_ops and htop's
 * PanelClass: each pane_*.c defines one, pane.c lists them in pane order.
 * A new pane is a new file with its ops (and its id in enum pane_id).
 */
struct pane_ops {
	const char *title;		/* "Recommendations" */
	const char *noun;		/* "recommendations", in messages */
	enum row_kind kind;		/* what its actions apply to (the
					 * hypotheses pane's evidence rows stand
					 * for their hypothesis) */
	int follows;			/* lists the items of the incident the
					 * leading pane (incidents) selects */
	int hides;			/* toggle-hidden shows items it hides */
	/* Lists every item, not the incident's (alerts: toggle-alerts);
	 * NULL: never. */
	int (*all)(const struct ui *ui);
	/* Adds the rows for ui->snap (a snapshot is there); sets p->want
	 * when the pane could show more rows than it adds. */
	void (*rows)(struct ui *ui, struct pane *p);
	/* How one of its rows looks (after the mark column). */
	void (*line)(struct ui *ui, const struct row *r, struct line *l);
	/* What its title adds after the counts, or NULL. */
	void (*title_extra)(struct ui *ui, struct buf *b);
	/* A malloc'd text for an empty pane instead of " (none)", or NULL. */
	char *(*empty)(struct ui *ui);
	const struct pane_order *orders;	/* [0] is the default */
	int n_orders;
	const struct pane_hint *hints;		/* its triage keys */
	int n_hints;
};
extern const struct pane_ops pane_incidents_ops, pane_hypotheses_ops,
    pane_recos_ops, pane_alerts_ops;
/* The ops of a pane (pane.c). */
const struct pane_ops *pane_ops(enum pane_id id);

/* pane_sort.c: sorting a pane's objects, and what the pane files build
 * their orders from. */
/* Sorts a pane's objects by its order, stably (ties keep the default). */
void pane_sort_objs(const struct pane *p, const void **objs, size_t n);
/* The name of the pane's order when it is not the default, else NULL. */
const char *pane_sort_name(const struct pane *p);
/* The model's order (the comparator that keeps it). */
int pane_sort_none(const void *a, const void *b);
/* Sort ranks: a severity (critical first), a status (what needs someone
 * first); comparisons: numbers (bigger first), texts (NULL last). */
int pane_sort_sev(const char *s);
int pane_sort_status(const char *s);
int pane_sort_desc(double x, double y);
int pane_sort_text(const char *x, const char *y);
/* Comparators of one field of a model object: its text, its number
 * (biggest first: newest, most confident), its status word. */
#define PANE_SORT_TEXT(fn, type, field) \
	static int fn(const void *a, const void *b) { return pane_sort_text( \
	    ((const type *)a)->field, ((const type *)b)->field); }
#define PANE_SORT_DESC(fn, type, field) \
	static int fn(const void *a, const void *b) { return pane_sort_desc( \
	    ((const type *)a)->field, ((const type *)b)->field); }
#define PANE_SORT_STATUS(fn, type) \
	static int fn(const void *a, const void *b) { return \
	    pane_sort_status(((const type *)a)->status) - \
	    pane_sort_status(((const type *)b)->status); }

/* pane_alerts.c: is the group headed by alert head unfolded; fold or
 * unfold it (returns 1 when it is now unfolded). */
int pane_alerts_unfolded(const struct ui *ui, long long head);
int pane_alerts_toggle_group(struct ui *ui, long long head);

/* detail.c */
void detail_open(struct ui *ui, const struct row *r);
/* The lines of the open view (detail.c), for the files that add sections
 * to it: a formatted line (sanitised), external text wrapped and indented,
 * a section heading. */
struct dlines {
	struct dline {
		char *text;
		int slot;
	} *v;
	size_t n, cap;
	int width;
	int utf8;
};
void dl_add(struct dlines *d, int slot, const char *fmt, ...) MW_PRINTF(3, 4);
void dl_wrap(struct dlines *d, int slot, int indent, const char *text);
void dl_heading(struct dlines *d, const char *title);
/* Appends a line already sized to the width (takes text). */
void dl_push(struct dlines *d, char *text, int slot);
/* "HH:MM" (UTC) of t, with seconds if asked, or "--:--"; RFC 3339 of t,
 * or "-". */
void detail_hhmm(double t, char *out, size_t len, int seconds);
void detail_ts(double t, char *out, size_t len);
/* What the worker loaded for the open item, or NULL while it loads. */
const struct mw_item_detail *detail_item(struct ui *ui);
/* The open item's notes, and its feedback history (every view ends with
 * it). */
void detail_notes(struct ui *ui, struct dlines *d);
void detail_history(struct ui *ui, struct dlines *d);
/* The views of the kinds of item: r the item (detail_row), inc the
 * incident it belongs to (an incident: itself; an alert: NULL).
 * detail_incident.c: */
void detail_view_incident(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc);
/* detail_items.c: */
void detail_view_hypothesis(struct ui *ui, struct dlines *d,
    const struct row *r, const struct mw_incident *inc);
void detail_view_evidence(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc);
void detail_view_reco(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc);
void detail_view_alert(struct ui *ui, struct dlines *d, const struct row *r,
    const struct mw_incident *inc);
/* One series as a chart over its baseline band (detail_items.c). */
void detail_series(struct dlines *d, const struct mw_series *s);
/* The actions requested on recommendation r, for its view
 * (detail_actions.c). */
void detail_actions(struct dlines *d, const struct mw_recommendation *r);
/* The marker of recommendation r (shown in status) in its row: " [reminder
 * due]" once a reminder fired while it is still open, " [action failed]"
 * when its newest action failed, else "". */
const char *detail_actions_mark(const struct mw_recommendation *r,
    const char *status);
/* Announces on the message line the reminders of snapshot s that fired
 * since the last call (detail_actions.c); the loop calls it on every new
 * snapshot. */
void detail_actions_reminders(struct ui *ui, const struct mw_snapshot *s);
/* The item the open view shows, as a row (borrowing from ui->snap);
 * 0, or -1 when it is not in the data any more. */
int detail_row(struct ui *ui, struct row *out);
/* The incident id in snapshot s, or NULL. */
const struct mw_incident *detail_find_incident(const struct mw_snapshot *s,
    long long id);
void detail_draw(struct ui *ui);
/* Asks the worker for what the open view loads besides the snapshot (its
 * feedback history; an incident's timeline and series; an evidence item's
 * series): on opening, on refresh and after an action was recorded. */
void detail_request(struct ui *ui);
/* Takes a WMSG_DETAIL's data when it is the open view's. */
void detail_loaded(struct ui *ui, struct wmsg *m);
int detail_scroll(struct ui *ui, int action);

/* reports.c: the :stats and :rules views.  reports_open opens one (arg:
 * the stats window or NULL) and asks the worker for its data;
 * reports_loaded takes a WMSG_VIEW; reports_reload asks again (r). */
int reports_open(struct ui *ui, enum view view, const char *arg);
void reports_loaded(struct ui *ui, struct wmsg *m);
void reports_reload(struct ui *ui);
void reports_draw(struct ui *ui);
int reports_scroll(struct ui *ui, int action);
void reports_free(struct ui *ui);

/* help.c */
void help_draw(struct ui *ui);
int help_scroll(struct ui *ui, int action);

/* prompt.c */
void prompt_start(struct ui *ui, enum prompt_kind kind, const char *question,
    const char *initial, int action, struct target *targets, size_t n);
void prompt_end(struct ui *ui);
int prompt_key(struct ui *ui, int key);
void prompt_draw(struct ui *ui);

/* actions.c */
int actions_run(struct ui *ui, int action);
int actions_command(struct ui *ui, const char *line);
/* Completes a prompted action with the answer; takes over targets. */
int actions_finish(struct ui *ui, enum prompt_kind kind, int action,
    const char *answer, struct target *targets, size_t n);
void actions_message(struct ui *ui, int error, const char *fmt, ...)
    MW_PRINTF(3, 4);
void actions_free_targets(struct target *t, size_t n);
/* Counts a finished intent of the bulk action in flight; 1 when seq
 * belonged to it (its own message is then folded into the summary). */
int actions_batch_done(struct ui *ui, unsigned long seq, enum wmsg_rc rc,
    const char *text);
void actions_batch_clear(struct ui *ui);
/* The row kind of a feedback target kind ("alert"); 0, or -1. */
int actions_kind_of(const char *name, enum row_kind *k);
/* The feedback target_kind of a row kind ("incident", "evidence", ...). */
const char *actions_kind_name(enum row_kind k);
/* Selects incident id in the incidents pane (clearing a filter or showing
 * hidden incidents when they keep it out); 0 when it is not in the data. */
int actions_select_incident(struct ui *ui, long long id);
/* What actions_run.c's handlers share with actions.c: take the message
 * away; refuse in a read-only console, or a run the role may not start
 * (1 when refused, saying why); the targets of kind want (marked, else the
 * current item), less those the feedback rules refuse for fa; "select WHAT
 * first"; the triage keys, the incident's resolve/reopen, a note, an
 * action on a recommendation. */
void actions_message_clear(struct ui *ui);
int actions_readonly(struct ui *ui);
int actions_no_runs(struct ui *ui);
struct target *actions_collect(struct ui *ui, enum row_kind want, size_t *n);
void actions_check(struct ui *ui, struct target *t, size_t *n,
    enum feedback_action fa);
int actions_need(struct ui *ui, int action, const char *what);
int actions_triage_key(struct ui *ui, int action);
int actions_incident(struct ui *ui);
int actions_note(struct ui *ui, const char *text);
int actions_act(struct ui *ui);
/* y: copies the selected item's reference, or in an incident's view its
 * report, to the terminal's clipboard with OSC 52 (copy.c). */
int actions_copy(struct ui *ui);

#endif
