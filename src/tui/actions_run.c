/*
 * actions_run.c - which handler each action runs (actions_run), the
 * handlers for moving, panes, views and toggles, and the command line
 * (`:goto`, `:investigate`, `:note`, `:silence`, `:bind`, ...).  Handlers
 * change the ui state, post intents to the worker and return reaction flags
 * (R_*); they never draw.  The triage handlers are in actions.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/feedback.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* ---- moving and views ------------------------------------------------------------ */

/* Movement in the main view. */
static int
actions_move(struct ui *ui, int action)
{
	struct pane *p = &ui->panes[ui->focus];
	long page = p->height > 1 ? p->height - 1 : 1;

	switch (action) {
	case ACT_MOVE_UP: pane_move(p, -1); break;
	case ACT_MOVE_DOWN: pane_move(p, 1); break;
	case ACT_MOVE_FIRST: pane_move_to(p, 0); break;
	case ACT_MOVE_LAST: pane_move_to(p, p->n_rows > 0 ? p->n_rows - 1 : 0); break;
	case ACT_PAGE_UP:
		pane_move(p, -page);
		p->top = p->top > (size_t)page ? p->top - (size_t)page : 0;
		break;
	case ACT_PAGE_DOWN:
		pane_move(p, page);
		p->top += (size_t)page;
		break;
	}
	return R_REDRAW;
}

/* Enter: opens the detail of the selected row. */
static int
actions_open(struct ui *ui)
{
	const struct row *r = pane_selected(&ui->panes[ui->focus]);

	if (r == NULL) {
		actions_message(ui, 0, "nothing to open here");
		return R_REDRAW;
	}
	detail_open(ui, r);
	detail_request(ui);
	return R_REDRAW;
}

/* Esc: back out of whatever is open, one step. */
static int
actions_back(struct ui *ui)
{
	struct pane *p = &ui->panes[ui->focus];

	if (ui->view != VIEW_MAIN) {
		ui->view = VIEW_MAIN;
		return R_REDRAW;
	}
	if (p->n_marks > 0) {
		pane_clear_marks(p);
		actions_message(ui, 0, "marks cleared");
	} else if (p->filter != NULL) {
		free(p->filter);
		p->filter = NULL;
		actions_message(ui, 0, "filter cleared");
	}
	return R_REDRAW;
}

/* f: folds or unfolds the incident group of the selected alert (its head
 * with a member count, or the head and its members). */
static int
actions_toggle_group(struct ui *ui, struct pane *p)
{
	const struct row *r = pane_selected(p);
	const struct mw_alert *a;
	long long head;

	if (ui->view != VIEW_MAIN || pane_ops(p->id)->kind != ROW_ALERT ||
	    r == NULL || r->kind != ROW_ALERT) {
		actions_message(ui, 1, "toggle-group: select an alert in the "
		    "Alerts pane");
		return R_REDRAW;
	}
	a = r->obj;
	head = a->group_head_id;
	if (head == 0 || (head == a->id && a->group_members == 0)) {
		actions_message(ui, 0, "alert #%lld is in no group", a->id);
		return R_REDRAW;
	}
	actions_message(ui, 0, "group of alert #%lld %s", head,
	    pane_alerts_toggle_group(ui, head) ? "unfolded" : "folded");
	return R_REDRAW;
}

/* o, O: the focused pane's next order, or the reverse one; the
 * selection stays on the same item. */
static int
actions_sort(struct ui *ui, int action)
{
	struct pane *p = &ui->panes[ui->focus];
	const struct pane_ops *ops = pane_ops(p->id);
	const struct pane_order *orders = ops->orders;
	int n = ops->n_orders;

	if (action == ACT_SORT)
		p->sort = (p->sort + 1) % n;
	else
		p->sort_rev = !p->sort_rev;
	actions_message(ui, 0, "%s sorted by %s%s%s", ops->noun,
	    orders[p->sort].name, p->sort == 0 ? " (the default)" : "",
	    p->sort_rev ? ", reversed" : "");
	return R_REDRAW;
}

/* Posts an intent without arguments. */
static void
actions_intent(struct ui *ui, enum intent_type type)
{
	struct intent *in = xcalloc(1, sizeof *in);

	in->type = type;
	in->seq = ++ui->seq;
	worker_post(ui->worker, in);
}

/* A message is about the item, pane or view it was said in: moving to
 * another one takes it away (else it expires by itself). */
static void
actions_leave_message(struct ui *ui, int action)
{
	switch (action) {
	case ACT_MOVE_UP: case ACT_MOVE_DOWN: case ACT_MOVE_FIRST:
	case ACT_MOVE_LAST: case ACT_PAGE_UP: case ACT_PAGE_DOWN:
	case ACT_NEXT_PANE: case ACT_PREV_PANE: case ACT_OPEN: case ACT_BACK:
	case ACT_CLOSE: case ACT_HELP:
		actions_message_clear(ui);
		break;
	}
}

/* Scrolling keys scroll the open view; 1 when action did. */
static int
actions_scroll_view(struct ui *ui, int action)
{
	if (ui->view == VIEW_HELP)
		return help_scroll(ui, action);
	if (ui->view == VIEW_DETAIL)
		return detail_scroll(ui, action);
	if (ui->view == VIEW_STATS || ui->view == VIEW_RULES)
		return reports_scroll(ui, action);
	return 0;
}

/* H, A, R: what the panes show, and a pipeline run. */
static int
actions_toggle(struct ui *ui, int action)
{
	int i;

	switch (action) {
	case ACT_TOGGLE_HIDDEN:
		ui->show_hidden = !ui->show_hidden;
		actions_message(ui, 0, ui->show_hidden ? "showing suppressed incidents "
		    "and unpublishable recommendations (and older resolved "
		    "incidents, expired signals)" : "hiding suppressed incidents "
		    "and unpublishable recommendations (and older resolved "
		    "incidents, expired signals)");
		return R_REDRAW;
	case ACT_TOGGLE_ALERTS:
		ui->alerts_all = !ui->alerts_all;
		/* the panes that list every item now, or the incident's */
		for (i = 0; i < PANE_COUNT; i++)
			if (pane_ops((enum pane_id)i)->all != NULL) {
				ui->panes[i].have_sel = 0;
				ui->panes[i].for_incident = -1;
			}
		actions_message(ui, 0, ui->alerts_all ? "alerts: all" :
		    "alerts: the selected incident's");
		return R_REDRAW;
	case ACT_RUN_PIPELINE:
		if (actions_no_runs(ui))
			return R_REDRAW;
		actions_intent(ui, INTENT_RUN_PIPELINE);
		ui->pipe_requested = 1;
		actions_message(ui, 0, "pipeline run requested");
		return R_REDRAW;
	}
	return R_NONE;
}

/* The triage keys and the other actions that record something. */
static int
actions_record(struct ui *ui, int action)
{
	if (actions_readonly(ui))
		return R_REDRAW;
	switch (action) {
	case ACT_INCIDENT_TOGGLE:
		return actions_incident(ui);
	case ACT_NOTE:
		return actions_note(ui, NULL);
	case ACT_ACT:
		return actions_act(ui);
	default:
		return actions_triage_key(ui, action);
	}
}

/* Runs one action (see tui_int.h). */
int
actions_run(struct ui *ui, int action)
{
	struct pane *p = &ui->panes[ui->focus];
	const struct row *r;

	actions_leave_message(ui, action);
	if (actions_scroll_view(ui, action))
		return R_REDRAW;
	switch (action) {
	case ACT_MOVE_UP:
	case ACT_MOVE_DOWN:
	case ACT_MOVE_FIRST:
	case ACT_MOVE_LAST:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
		return ui->view == VIEW_MAIN ? actions_move(ui, action) : R_NONE;
	case ACT_NEXT_PANE:
	case ACT_PREV_PANE:
		if (ui->view != VIEW_MAIN)
			return R_NONE;
		ui->focus = (ui->focus + (action == ACT_NEXT_PANE ? 1 : PANE_COUNT - 1)) %
		    PANE_COUNT;
		return R_RELAYOUT | R_REDRAW;
	case ACT_OPEN:
		return ui->view == VIEW_MAIN ? actions_open(ui) : R_NONE;
	case ACT_BACK:
		return actions_back(ui);
	case ACT_CLOSE:
		if (ui->view != VIEW_MAIN) {
			ui->view = VIEW_MAIN;
			return R_REDRAW;
		}
		return R_QUIT;
	case ACT_QUIT:
		return R_QUIT;
	case ACT_HELP:
		ui->view = ui->view == VIEW_HELP ? VIEW_MAIN : VIEW_HELP;
		ui->help_scroll = 0;
		return R_REDRAW;
	case ACT_FILTER:
		if (ui->view != VIEW_MAIN)
			return R_NONE;
		prompt_start(ui, PROMPT_FILTER, "/", p->filter, ACT_FILTER, NULL, 0);
		return R_REDRAW;
	case ACT_COMMAND:
		prompt_start(ui, PROMPT_COMMAND, ":", NULL, ACT_COMMAND, NULL, 0);
		return R_REDRAW;
	case ACT_REFRESH:
		actions_intent(ui, INTENT_REFRESH);
		reports_reload(ui);
		if (ui->view == VIEW_DETAIL)
			detail_request(ui);
		actions_message(ui, 0, "refreshing...");
		return R_REDRAW;
	case ACT_REDRAW:
		return R_CLEAR | R_REDRAW | R_RELAYOUT;
	case ACT_TOGGLE_HIDDEN:
	case ACT_TOGGLE_ALERTS:
	case ACT_RUN_PIPELINE:
		return actions_toggle(ui, action);
	case ACT_TOGGLE_GROUP:
		return actions_toggle_group(ui, p);
	case ACT_SORT:
	case ACT_SORT_REVERSE:
		return ui->view == VIEW_MAIN ? actions_sort(ui, action) : R_NONE;
	case ACT_MARK:
		if (ui->view != VIEW_MAIN || (r = pane_selected(p)) == NULL)
			return R_NONE;
		pane_toggle_mark(p, r->id);
		pane_move(p, 1);
		return R_REDRAW;
	case ACT_ACK:
	case ACT_UNSILENCE:
	case ACT_RESOLVE:
	case ACT_SILENCE:
	case ACT_CONFIRM:
	case ACT_REJECT:
	case ACT_DISMISS:
	case ACT_DONE:
	case ACT_INCIDENT_TOGGLE:
	case ACT_NOTE:
	case ACT_ACT:
		return actions_record(ui, action);
	case ACT_COPY:
		return actions_copy(ui);
	}
	return R_NONE;
}

/* ---- the command line ---------------------------------------------------------------- */

/* Selects incident id in the incidents pane (see tui_int.h); when a
 * filter or toggle-hidden keeps it out of the list, clears the filter or
 * shows the hidden ones first (the operator named it: show it). */
int
actions_select_incident(struct ui *ui, long long id)
{
	struct pane *p = &ui->panes[PANE_INCIDENTS];
	size_t i;
	int pass, known = 0;

	for (i = 0; ui->snap != NULL && i < ui->snap->n_incidents; i++)
		if (ui->snap->incidents[i].id == id)
			known = 1;
	/* Pass 0: as it is; 1: without the filter; 2: with hidden ones. */
	for (pass = 0; pass < 3 && known; pass++) {
		if (pass == 1 && p->filter != NULL) {
			free(p->filter);
			p->filter = NULL;
			actions_message(ui, 0, "incidents filter cleared");
			pane_rebuild_all(ui);
		} else if (pass == 2 && !ui->show_hidden) {
			ui->show_hidden = 1;
			actions_message(ui, 0, "showing suppressed incidents and "
			    "unpublishable recommendations");
			pane_rebuild_all(ui);
		} else if (pass > 0)
			continue;
		for (i = 0; i < p->n_rows; i++) {
			if (p->rows[i].id == id) {
				pane_move_to(p, i);
				ui->focus = PANE_INCIDENTS;
				ui->view = VIEW_MAIN;
				ui->dirty |= R_REDRAW | R_RELAYOUT;
				return 1;
			}
		}
	}
	return 0;
}

/* :incident ID. */
static int
actions_goto(struct ui *ui, const char *arg)
{
	long long id;
	char *end;

	if (arg != NULL && *arg == '#')
		arg++;
	if (arg == NULL || *arg < '0' || *arg > '9' ||
	    (id = strtoll(arg, &end, 10), *end != '\0')) {
		actions_message(ui, 1, "usage: incident ID");
		return R_REDRAW;
	}
	if (actions_select_incident(ui, id))
		return R_REDRAW | R_RELAYOUT;
	actions_message(ui, 1, "incident #%lld is not in the data", id);
	return R_REDRAW;
}

/* :investigate TS [SERVICE]: the investigation runs on the pipeline thread
 * (never blocking the keyboard); loop.c selects its incident once a
 * snapshot holds it. */
static int
actions_investigate(struct ui *ui, const char *arg)
{
	struct intent *in;
	char *copy, *ts, *svc;
	double at;

	if (actions_no_runs(ui))
		return R_REDRAW;
	copy = xstrdup(arg != NULL ? arg : "");
	ts = copy + strspn(copy, " ");
	svc = ts + strcspn(ts, " ");
	if (*svc != '\0')
		*svc++ = '\0';
	svc += strspn(svc, " ");
	svc[strcspn(svc, " ")] = '\0';
	if (*ts == '\0' || timefmt_parse(ts, &at) != 0) {
		actions_message(ui, 1, "%s%s%susage: investigate TS [SERVICE] (TS: "
		    "RFC 3339, 2026-11-16T04:36:00Z)", *ts != '\0' ? "'" : "", ts,
		    *ts != '\0' ? "' is not an RFC 3339 time; " : "");
		free(copy);
		return R_REDRAW;
	}
	in = xcalloc(1, sizeof *in);
	in->type = INTENT_INVESTIGATE;
	in->seq = ++ui->seq;
	in->at = at;
	in->service = *svc != '\0' ? xstrdup(svc) : NULL;
	worker_post(ui->worker, in);
	actions_message(ui, 0, "investigating %s%s%s...", ts,
	    *svc != '\0' ? " on " : "", svc);
	free(copy);
	return R_REDRAW;
}

/* Runs one `:` command line. */
int
actions_command(struct ui *ui, const char *line)
{
	char *copy = xstrdup(line), *cmd, *rest, *p;
	int flags = R_REDRAW, key, action;

	for (p = copy; *p == ' '; p++)
		;
	cmd = p;
	while (*p != '\0' && *p != ' ')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	while (*p == ' ')
		p++;
	rest = *p != '\0' ? p : NULL;
	if (*cmd == '\0')
		goto out;
	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "q!") == 0 ||
	    strcmp(cmd, "quit") == 0 || strcmp(cmd, "qa") == 0) {
		flags = R_QUIT;
	} else if (strcmp(cmd, "filter") == 0) {
		free(ui->panes[ui->focus].filter);
		ui->panes[ui->focus].filter = rest != NULL ? xstrdup(rest) : NULL;
	} else if (strcmp(cmd, "incident") == 0 || strcmp(cmd, "goto") == 0) {
		flags = actions_goto(ui, rest);
	} else if (strcmp(cmd, "investigate") == 0) {
		flags = actions_investigate(ui, rest);
	} else if (strcmp(cmd, "stats") == 0) {
		flags = reports_open(ui, VIEW_STATS, rest);
	} else if (strcmp(cmd, "rules") == 0) {
		flags = reports_open(ui, VIEW_RULES, NULL);
	} else if (strcmp(cmd, "note") == 0 && rest != NULL) {
		flags = actions_readonly(ui) ? R_REDRAW : actions_note(ui, rest);
	} else if (strcmp(cmd, "silence") == 0 && rest != NULL) {
		struct target *t;
		size_t n;

		if (actions_readonly(ui))
			goto out;
		if (pane_ops(ui->focus)->kind != ROW_ALERT) {
			flags = actions_need(ui, ACT_SILENCE, "an alert");
			goto out;
		}
		t = actions_collect(ui, ROW_ALERT, &n);
		actions_check(ui, t, &n, FB_ALERT_SILENCE);
		flags = actions_finish(ui, PROMPT_SILENCE, ACT_SILENCE, rest, t, n);
	} else if (strcmp(cmd, "bind") == 0 || strcmp(cmd, "unbind") == 0) {
		char *k = rest, *a = NULL;

		if (k != NULL && (a = strchr(k, ' ')) != NULL) {
			*a++ = '\0';
			while (*a == ' ')
				a++;
		}
		if (k == NULL || keys_parse(k, &key) != 0) {
			actions_message(ui, 1, "unknown key '%s'", k ? k : "");
		} else if (cmd[0] == 'u') {
			keymap_unbind(&ui->keys, key);
			actions_message(ui, 0, "%s unbound", k);
		} else if (a == NULL || (action = action_find(a)) == ACT_NONE) {
			actions_message(ui, 1, "unknown action '%s'", a ? a : "");
		} else {
			keymap_bind(&ui->keys, key, action);
			actions_message(ui, 0, "%s runs %s", k, a);
		}
	} else if ((action = action_find(cmd)) != ACT_NONE) {
		flags = actions_run(ui, action);
	} else
		actions_message(ui, 1, "unknown command '%s' (:help lists them)", cmd);
out:
	free(copy);
	return flags;
}
