/*
 * detail_actions.c - the actions requested on a recommendation (`!` or
 * `midwatch act`: messages, the incident's tracker task, reminders) in its
 * detail view, newest first, each with its status, attempts, next retry,
 * error and result; the marker of its row in the pane (a reminder due, an
 * action failed); and the reminders that fired, announced on the message
 * line once each.  The runs come with the snapshot
 * (src/model/model_actions.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* How far back the first snapshot's fired reminders are announced. */
#define DETAIL_REMINDER_RECENT 300
/* How long a reminder stays on the message line (unless another message
 * takes its place): longer than a message, it is what the operator asked
 * to be told. */
#define DETAIL_REMINDER_SHOWN 30

/* The colour of a run's status. */
static int
detail_action_slot(const struct mw_action_run *a)
{
	if (strcmp(a->status, "succeeded") == 0)
		return CS_OK;
	if (strcmp(a->status, "failed") == 0)
		return CS_ERROR;
	return a->attempts > 0 ? CS_STALE : CS_NORMAL;
}

/* One run: what, where, status and attempts; then when it is due or what
 * came of it. */
static void
detail_action(struct dlines *d, const struct mw_action_run *a)
{
	char when[40], age[32], tries[16];

	if (a->max_retries >= 0)
		snprintf(tries, sizeof tries, "%d", a->max_retries + 1);
	else
		snprintf(tries, sizeof tries, "?");
	ui_age(a->created_at, age, sizeof age);
	dl_add(d, detail_action_slot(a), "  #%lld %s on %s: %s, attempt %d/%s"
	    " (%s, %s ago)", a->id, a->action, a->channel, a->status,
	    a->attempts, tries, a->requested_by ? a->requested_by : "?", age);
	if (a->remind_at > 0) {
		timefmt_format(a->remind_at, when, sizeof when);
		dl_add(d, strcmp(a->status, "succeeded") == 0 ? CS_ACKED :
		    CS_MUTED, "      reminder %s %s", strcmp(a->status,
		    "succeeded") == 0 ? "due since" : "at", when);
	}
	if (a->text != NULL)
		dl_wrap(d, CS_NORMAL, 6, a->text);
	if (strcmp(a->status, "pending") == 0 && a->attempts > 0) {
		timefmt_format(a->next_retry_at, when, sizeof when);
		dl_add(d, CS_MUTED, "      next retry %s", when);
	}
	if (a->error != NULL)
		dl_add(d, CS_ERROR, "      error: %s", a->error);
	if (a->task_id != NULL)
		dl_add(d, CS_OK, "      task %s", a->task_id);
}

/* The recommendation's actions (see tui_int.h). */
void
detail_actions(struct dlines *d, const struct mw_recommendation *r)
{
	size_t i;

	dl_heading(d, "Actions (! requests one)");
	if (r->n_actions == 0)
		dl_add(d, CS_MUTED, "  (none requested)");
	for (i = 0; i < r->n_actions; i++)
		detail_action(d, &r->actions[i]);
}

/* The marker of a recommendation's row (see tui_int.h). */
const char *
detail_actions_mark(const struct mw_recommendation *r, const char *status)
{
	size_t i;

	if (r->n_actions == 0 || strcmp(status, "done") == 0 ||
	    strcmp(status, "dismissed") == 0)
		return "";
	for (i = 0; i < r->n_actions; i++)
		if (r->actions[i].remind_at > 0 &&
		    strcmp(r->actions[i].status, "succeeded") == 0)
			return " [reminder due]";
	return strcmp(r->actions[0].status, "failed") == 0 ?
	    " [action failed]" : "";
}

/* Announces the reminders that fired (see tui_int.h). */
void
detail_actions_reminders(struct ui *ui, const struct mw_snapshot *s)
{
	const struct mw_action_run *a, *last = NULL;
	double upto = ui->reminded_upto;
	size_t i, j, k, n = 0;
	char *text;

	if (upto == 0)
		upto = s->taken_at - DETAIL_REMINDER_RECENT;
	for (i = 0; i < s->n_incidents; i++)
		for (j = 0; j < s->incidents[i].n_recommendations; j++) {
			const struct mw_recommendation *r =
			    &s->incidents[i].recommendations[j];

			for (k = 0; k < r->n_actions; k++) {
				a = &r->actions[k];
				if (a->remind_at == 0 || a->finished_at <= upto ||
				    strcmp(a->status, "succeeded") != 0)
					continue;
				n++;
				if (last == NULL || a->finished_at >
				    last->finished_at)
					last = a;
			}
		}
	if (last == NULL) {
		if (ui->reminded_upto == 0)
			ui->reminded_upto = upto;
		return;
	}
	ui->reminded_upto = last->finished_at;
	text = sanitize_text(last->text != NULL ? last->text : "it is time", 0);
	actions_message(ui, 0, "Reminder: %s (recommendation #%lld)%s", text,
	    last->recommendation_id, n > 1 ? " and more (see their views)" :
	    "");
	ui->msg_until = tui_wall() + DETAIL_REMINDER_SHOWN;
	free(text);
}
