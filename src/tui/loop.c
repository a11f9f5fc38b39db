/*
 * loop.c - the console's event loop: poll() the terminal, the worker's wake
 * pipe and the signal self-pipe; turn keys into actions (or prompt input)
 * and worker messages into state; draw once when something changed.
 *
 * Keys are drained completely before drawing, so holding j over a slow link
 * costs one frame, not one per key; curses then sends only changed cells.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curses_compat.h"
#include "midwatch/log.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Removes override i, keeping the others in order. */
static void
loop_remove_override(struct ui *ui, size_t i)
{
	free(ui->ovr[i].status);
	free(ui->ovr[i].who);
	memmove(&ui->ovr[i], &ui->ovr[i + 1],
	    (ui->n_ovr - i - 1) * sizeof *ui->ovr);
	ui->n_ovr--;
}

/* Removes the override an intent put up. */
static void
loop_drop_override(struct ui *ui, unsigned long seq)
{
	size_t i = 0;

	while (i < ui->n_ovr) {
		if (ui->ovr[i].seq == seq)
			loop_remove_override(ui, i);
		else
			i++;
	}
}

/* Replaces a malloc'd string field. */
static void
loop_set(char **field, const char *value)
{
	free(*field);
	*field = value != NULL ? xstrdup(value) : NULL;
}

/* Marks the override of an intent the worker recorded (see struct
 * override): it stays until the next snapshot. */
static void
loop_confirm_override(struct ui *ui, unsigned long seq)
{
	size_t i;

	for (i = 0; i < ui->n_ovr; i++)
		if (ui->ovr[i].seq == seq)
			ui->ovr[i].confirmed = 1;
}

/* Notes that the action seq waits for the database (shown pending). */
static void
loop_wait(struct ui *ui, unsigned long seq)
{
	size_t i;

	for (i = 0; i < ui->n_waiting; i++)
		if (ui->waiting[i] == seq)
			return;
	ui->waiting = xreallocarray(ui->waiting, ui->n_waiting + 1,
	    sizeof *ui->waiting);
	ui->waiting[ui->n_waiting++] = seq;
}

/* The database answered for the action seq: it is no longer pending. */
static void
loop_unwait(struct ui *ui, unsigned long seq)
{
	size_t i;

	for (i = 0; i < ui->n_waiting; i++)
		if (ui->waiting[i] == seq) {
			ui->waiting[i] = ui->waiting[--ui->n_waiting];
			return;
		}
}

/* An action an earlier console left in the journal: shown as pending with
 * its expected status until its WMSG_DONE. */
static void
loop_restored(struct ui *ui, const struct wmsg *m)
{
	struct override *o;
	enum row_kind kind;

	loop_wait(ui, m->seq);
	if (m->status == NULL || actions_kind_of(m->kind, &kind) != 0)
		return;
	ui->ovr = xreallocarray(ui->ovr, ui->n_ovr + 1, sizeof *ui->ovr);
	o = &ui->ovr[ui->n_ovr++];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->id = m->id;
	o->status = xstrdup(m->status);
	o->who = xstrdup(m->who != NULL ? m->who : "?");
	o->at = m->at;
	o->seq = m->seq;
}

/* Shows s as the data from now on (taken over); rows are rebuilt before
 * the old snapshot is freed, because they point into it. */
void
loop_install(struct ui *ui, struct mw_snapshot *s)
{
	struct mw_snapshot *old = ui->snap;
	size_t i = 0;

	/* Actions the worker confirmed without data show in s now. */
	while (i < ui->n_ovr) {
		if (ui->ovr[i].confirmed)
			loop_remove_override(ui, i);
		else
			i++;
	}
	/* "Held by another console" ends when that console's run does. */
	if (ui->pipe == PIPE_HELD && s->last_run_id > 0 &&
	    s->last_run_status != NULL &&
	    (strcmp(s->last_run_status, "completed") == 0 ||
	    strcmp(s->last_run_status, "failed") == 0) &&
	    (s->last_run_id != ui->pipe_held_run ||
	    ui->pipe_held_status == NULL ||
	    strcmp(s->last_run_status, ui->pipe_held_status) != 0)) {
		ui->pipe = PIPE_IDLE;
		loop_set(&ui->pipe_text, NULL);
	}
	ui->snap = s;
	ui->snap_gen++;
	ui->snap_at = tui_wall();
	ui_clock_set(s->taken_at);
	detail_actions_reminders(ui, s);
	pane_rebuild_all(ui);
	latency_snapshot();
	if (old != NULL)
		model_free(old);
	ui->dirty |= R_REDRAW;
	/* The incident :investigate found, once the data holds it. */
	if (ui->select_pending != 0 &&
	    actions_select_incident(ui, ui->select_pending))
		ui->select_pending = 0;
}

/* Applies one message from the worker. */
static void
loop_message(struct ui *ui, struct wmsg *m)
{
	switch (m->type) {
	case WMSG_SNAPSHOT:
		loop_install(ui, m->snap);
		m->snap = NULL;
		reports_reload(ui);	/* an open report view follows the data */
		break;
	case WMSG_DETAIL:
		detail_loaded(ui, m);
		break;
	case WMSG_PENDING:
		loop_restored(ui, m);
		break;
	case WMSG_VIEW:
		reports_loaded(ui, m);
		break;
	case WMSG_DONE:
		if (m->rc == WRC_WAITING)
			loop_wait(ui, m->seq);	/* held in the journal */
		else
			loop_unwait(ui, m->seq);
		if (m->snap != NULL || m->rc == WRC_FAILED)
			loop_drop_override(ui, m->seq);
		else if (m->rc != WRC_WAITING)
			loop_confirm_override(ui, m->seq);	/* data follows */
		if (m->snap != NULL) {
			loop_install(ui, m->snap);
			m->snap = NULL;
		}
		if (!actions_batch_done(ui, m->seq, m->rc, m->text) &&
		    m->text != NULL)
			actions_message(ui, m->rc == WRC_FAILED, "%s", m->text);
		/* An open view lists the item's history: reload it. */
		if ((m->rc == WRC_OK || m->rc == WRC_ALREADY) &&
		    ui->view == VIEW_DETAIL)
			detail_request(ui);
		break;
	case WMSG_DB:
		if (m->db != WDB_DOWN && !ui->db_ok)
			actions_message(ui, 0, "database connection restored");
		else if (m->db == WDB_DOWN && ui->db_ok)
			actions_message(ui, 1, "database unavailable: %s%s",
			    m->text ? m->text : "?", ui->snap != NULL ?
			    " (showing the last data)" : "");
		else if (m->db == WDB_NO_DATA && m->text != NULL)
			actions_message(ui, 1, "%s", m->text);
		ui->db_ok = m->db != WDB_DOWN;
		ui->db_retry_at = m->retry_at;
		if (m->db != WDB_NO_DATA)
			loop_set(&ui->db_text, m->text);
		break;
	case WMSG_SILENCES:	/* after an ack: the silence in Alertmanager */
		if (m->text != NULL)
			actions_message(ui, m->rc == WRC_FAILED, "%s", m->text);
		break;
	case WMSG_INVESTIGATE:
		actions_message(ui, m->rc == WRC_FAILED, "%s", m->text != NULL ?
		    m->text : "investigation ended");
		if (m->rc != WRC_FAILED && m->id > 0 &&
		    !actions_select_incident(ui, m->id))
			ui->select_pending = m->id;	/* the reload follows */
		break;
	case WMSG_PIPELINE:
		ui->pipe = m->pipe;
		loop_set(&ui->pipe_text, m->text);
		if (m->pipe == PIPE_RUNNING) {
			if (m->stage != NULL)
				loop_set(&ui->pipe_stage, m->stage);
			else
				loop_set(&ui->pipe_stage, NULL);
			ui->pipe_done = m->done;
			ui->pipe_total = m->total;
		} else
			loop_set(&ui->pipe_stage, NULL);
		/* Say how a run ended when the operator asked for it (R);
		 * failures always. */
		if (m->pipe == PIPE_DONE) {
			ui->pipe_run = m->id;
			if (ui->pipe_requested && m->id > 0)
				actions_message(ui, 0, "pipeline run #%lld completed", m->id);
			else if (ui->pipe_requested)
				actions_message(ui, 0, "pipeline run: %s", m->text != NULL ?
				    m->text : "nothing to do");
		} else if (m->pipe == PIPE_HELD && ui->pipe_requested)
			actions_message(ui, 0, "%s", m->text ? m->text :
			    "the pipeline runs elsewhere");
		else if (m->pipe == PIPE_FAILED)
			actions_message(ui, 1, "pipeline failed: %s",
			    m->text ? m->text : "?");
		if (m->pipe == PIPE_HELD) {
			/* Remember the last run it saw, to tell when the
			 * holder's run ends (loop_install). */
			ui->pipe_held_run = ui->snap != NULL ? ui->snap->last_run_id : 0;
			loop_set(&ui->pipe_held_status, ui->snap != NULL ?
			    ui->snap->last_run_status : NULL);
		}
		if (m->pipe != PIPE_RUNNING && m->pipe != PIPE_IDLE)
			ui->pipe_requested = 0;
		break;
	}
	ui->dirty |= R_REDRAW;
}

/* Turns what get_wch returned into a key code (see tui.h). */
static int
loop_keycode(int r, wint_t wc)
{
	if (r == KEY_CODE_YES) {
		if (wc == KEY_ENTER)
			return KEYC_ENTER;
		return KEYC_SPECIAL + (int)wc;
	}
	if (wc == '\r')
		return KEYC_ENTER;
	if (wc == 127 || wc == 8)
		return KEYC_SPECIAL + KEY_BACKSPACE;
	return (int)wc;
}

/* Handles one key: the prompt takes it when one is open. */
static int
loop_key(struct ui *ui, int key)
{
	char name[32];
	int action;

	if (key == KEYC_SPECIAL + KEY_RESIZE)
		return R_RELAYOUT | R_REDRAW;
	if (ui->layout.mode == LAYOUT_TOO_SMALL) {
		action = keymap_lookup(&ui->keys, key);
		return action == ACT_QUIT || action == ACT_CLOSE ? R_QUIT : R_NONE;
	}
	/* Rows must match the current data before a handler reads them. */
	pane_rebuild_all(ui);
	if (ui->prompt.kind != PROMPT_NONE)
		return prompt_key(ui, key);
	action = keymap_lookup(&ui->keys, key);
	if (action == ACT_NONE) {
		keys_name(key, name, sizeof name);
		actions_message(ui, 0, "%s is not bound to anything (? lists the keys)",
		    name);
		return R_REDRAW;
	}
	return actions_run(ui, action);
}

/* Applies the reaction flags of a handler. */
static int
loop_react(struct ui *ui, int flags)
{
	if (flags & R_RELAYOUT)
		tui_layout(ui);
	if (flags & R_CLEAR)
		clearok(curscr, TRUE);
	ui->dirty |= flags & (R_REDRAW | R_RELAYOUT | R_CLEAR);
	return flags & R_QUIT;
}

/* Reads every key waiting; 1 when one asked to quit. */
static int
loop_keys(struct ui *ui)
{
	wint_t wc;
	int r;

	int key;

	while ((r = get_wch(&wc)) != ERR) {
		key = loop_keycode(r, wc);
		latency_key(key, ui->prompt.kind == PROMPT_NONE &&
		    keymap_lookup(&ui->keys, key) == ACT_REFRESH);
		if (loop_react(ui, loop_key(ui, key)))
			return 1;
		if (tui_quit_signal)
			return 1;
	}
	return 0;
}

/* Runs until the operator quits or a signal says so; 0. */
int
loop_run(struct ui *ui)
{
	struct pollfd pfd[3];
	struct wmsg *m;
	double last_tick = tui_wall(), now;
	int n;

	for (;;) {
		if (tui_quit_signal) {
			log_info("console: quitting on signal %d", (int)tui_quit_signal);
			break;
		}
		if (tui_winch) {
			tui_winch = 0;
			tui_resize(ui);
		}
		now = tui_wall();
		if (now - last_tick >= 1.0) {
			/* Ages, retry countdowns and messages change with time. */
			last_tick = now;
			ui->dirty |= R_REDRAW;
		}
		if (ui->dirty) {
			tui_layout(ui);
			screen_draw(ui);
			refresh();
			latency_done(1);
			ui->dirty = 0;
			shown_note(ui);
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = worker_fd(ui->worker);
		pfd[1].events = POLLIN;
		pfd[2].fd = tui_signal_fd();
		pfd[2].events = POLLIN;
		n = poll(pfd, 3, 1000);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %s", strerror(errno));
			break;
		}
		if (pfd[2].revents & POLLIN)
			tui_drain_signals();
		if (pfd[1].revents & POLLIN) {
			while ((m = worker_next(ui->worker)) != NULL) {
				loop_message(ui, m);
				wmsg_free(m);
			}
		}
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* The terminal went away (SSH dropped without SIGHUP). */
			log_info("console: the terminal is gone");
			break;
		}
		if (loop_keys(ui))
			break;
		if (!ui->dirty)
			latency_done(0);	/* keys that changed nothing */
	}
	return 0;
}
