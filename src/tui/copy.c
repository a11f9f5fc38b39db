/*
 * copy.c - `y`: copies the selected item's reference -- or, in an
 * incident's view, its markdown report -- to the terminal's clipboard with
 * OSC 52, which the terminal (or tmux with set-clipboard on) honours even
 * over SSH, where no X or Wayland clipboard is reachable.  The text is
 * sanitised like everything drawn: no escape sequence from the data can
 * ride along.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/base64.h"
#include "midwatch/buf.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* The most a copy sends (terminals cap OSC 52; xterm at about 100 kB of
 * Base64). */
#define COPY_MAX 65536

/* Adds s, sanitised to one line, to b ("-" when NULL or empty). */
static void
copy_add(struct buf *b, const char *s)
{
	char *t = sanitize_text(s != NULL && *s != '\0' ? s : "-", 0);

	buf_adds(b, t);
	free(t);
}

/* One line naming what row r shows, as an operator pastes it into a chat
 * or a ticket: kind, id, status and title. */
static char *
copy_reference(const struct row *r)
{
	const struct mw_incident *inc = r->obj;
	const struct mw_hypothesis *h = r->obj;
	const struct mw_evidence *e = r->obj;
	const struct mw_recommendation *rec = r->obj;
	const struct mw_alert *a = r->obj;
	struct buf b;
	char num[64];

	buf_init(&b);
	switch (r->kind) {
	case ROW_INCIDENT:
		snprintf(num, sizeof num, "incident #%lld [", inc->id);
		buf_adds(&b, num);
		copy_add(&b, inc->status);
		buf_adds(&b, ", ");
		copy_add(&b, inc->severity);
		buf_adds(&b, "] ");
		copy_add(&b, inc->service);
		buf_adds(&b, ": ");
		copy_add(&b, inc->title);
		snprintf(num, sizeof num, " (midwatch report %lld)", inc->id);
		buf_adds(&b, num);
		break;
	case ROW_HYPOTHESIS:
		snprintf(num, sizeof num, "hypothesis #%lld (rank %d, %.0f%%, ",
		    h->id, h->rank, h->confidence * 100.0);
		buf_adds(&b, num);
		copy_add(&b, h->status);
		buf_adds(&b, "): ");
		copy_add(&b, h->title);
		break;
	case ROW_EVIDENCE:
		buf_adds(&b, "evidence (");
		copy_add(&b, e->role);
		snprintf(num, sizeof num, ") of hypothesis #%lld: ", r->id);
		buf_adds(&b, num);
		copy_add(&b, e->summary);
		if (e->ref != NULL && *e->ref != '\0') {
			buf_adds(&b, " [");
			copy_add(&b, e->ref);
			buf_addc(&b, ']');
		}
		break;
	case ROW_RECO:
		snprintf(num, sizeof num, "recommendation #%lld [", rec->id);
		buf_adds(&b, num);
		copy_add(&b, rec->status);
		buf_adds(&b, "]: ");
		copy_add(&b, rec->title);
		break;
	case ROW_ALERT:
		snprintf(num, sizeof num, "alert #%lld [", a->id);
		buf_adds(&b, num);
		copy_add(&b, a->severity);
		buf_adds(&b, ", ");
		copy_add(&b, a->status);
		buf_adds(&b, "] ");
		copy_add(&b, a->title);
		break;
	default:
		break;
	}
	return buf_steal(&b);
}

/* Writes text to the clipboard: OSC 52 straight to the terminal, between
 * curses' frames (nothing moves on the screen). */
static void
copy_osc52(const char *text)
{
	char *b64 = base64_encode(text, strlen(text));

	fprintf(stdout, "\033]52;c;%s\a", b64);
	fflush(stdout);
	free(b64);
}

/* y: see the top of the file. */
int
actions_copy(struct ui *ui)
{
	struct row buf;
	const struct row *r;
	const struct mw_incident *det = NULL;
	const char *what = "reference";
	char *text;
	size_t n;

	r = ui->view == VIEW_DETAIL ? (detail_row(ui, &buf) == 0 ? &buf : NULL) :
	    ui->view == VIEW_MAIN ? pane_selected(&ui->panes[ui->focus]) : NULL;
	if (r == NULL || r->obj == NULL) {
		actions_message(ui, 1, "nothing selected to copy");
		return R_REDRAW;
	}
	if (ui->view == VIEW_DETAIL && r->kind == ROW_INCIDENT &&
	    ui->detail_snap_id == r->id)
		det = detail_find_incident(ui->detail_snap, r->id);
	if (det != NULL && det->report_md != NULL) {
		text = sanitize_text(det->report_md, 1);
		what = "report";
	} else
		text = copy_reference(r);
	n = strlen(text);
	if (n > COPY_MAX) {
		actions_message(ui, 1, "the %s is %zu bytes, more than a terminal "
		    "takes (%d): midwatch report %lld prints it", what, n, COPY_MAX,
		    r->id);
		free(text);
		return R_REDRAW;
	}
	copy_osc52(text);
	free(text);
	actions_message(ui, 0, "copied the %s (%zu bytes) to the clipboard "
	    "(OSC 52; in tmux: set-clipboard on)", what, n);
	return R_REDRAW;
}
