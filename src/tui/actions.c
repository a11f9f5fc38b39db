/*
 * actions.c - what the triage actions do, and what the other handlers
 * share (messages, targets, refusals).  Handlers change the ui state, post
 * intents to the worker and return reaction flags (R_*); they never draw.
 * Which key runs which handler, moving, the views and the command line are
 * in actions_run.c.
 *
 * Triage actions collect their targets (the marked items of the focused
 * pane, else the selected one), drop those the feedback rules refuse for
 * their status (feedback_check: the same rules as the CLI's, never
 * re-encoded here), ask for confirmation when the action is destructive --
 * saying what else it changes (feedback_effect) -- then post one feedback
 * intent per target.  The expected status is shown at once (an override)
 * until the worker answers with fresh data.  Each intent carries an
 * idempotency key made when the key is pressed ("console:<uuid>"): every
 * retry after a reconnect and a replay from the journal after a restart
 * carry it, so the intent records once.  The same person repeating an
 * action that changes nothing records nothing (feedback.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/feedback.h"
#include "midwatch/jsonx.h"
#include "midwatch/uuid.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Takes the message off the bottom line: what it was about is gone. */
void
actions_message_clear(struct ui *ui)
{
	if (ui->msg == NULL)
		return;
	free(ui->msg);
	ui->msg = NULL;
	ui->dirty |= R_REDRAW;
}

/* Shows a message on the bottom line for a few seconds. */
void
actions_message(struct ui *ui, int error, const char *fmt, ...)
{
	va_list ap;

	free(ui->msg);
	va_start(ap, fmt);
	ui->msg = xvasprintf(fmt, ap);
	va_end(ap);
	ui->msg_error = error;
	ui->msg_until = tui_wall() + (error ? 8 : 4);
	ui->dirty |= R_REDRAW;
}

/* Frees a target list. */
void
actions_free_targets(struct target *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].status);
		free(t[i].seen);
		free(t[i].label);
	}
	free(t);
}

/* Drops target i of the list. */
static void
actions_drop_target(struct target *t, size_t *n, size_t i)
{
	free(t[i].status);
	free(t[i].seen);
	free(t[i].label);
	memmove(&t[i], &t[i + 1], (*n - i - 1) * sizeof *t);
	(*n)--;
}

/* Row kinds and the feedback target kinds they stand for. */
static const struct {
	enum row_kind kind;
	const char *name;
} actions_kinds[] = {
	{ ROW_INCIDENT, "incident" }, { ROW_HYPOTHESIS, "hypothesis" },
	{ ROW_EVIDENCE, "evidence" }, { ROW_RECO, "recommendation" },
	{ ROW_ALERT, "alert" },
};

/* The feedback target_kind of a row kind (tui_int.h). */
const char *
actions_kind_name(enum row_kind k)
{
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(actions_kinds); i++)
		if (actions_kinds[i].kind == k)
			return actions_kinds[i].name;
	return "?";
}

/* The row kind of a feedback target kind (see tui_int.h). */
int
actions_kind_of(const char *name, enum row_kind *k)
{
	size_t i;

	for (i = 0; name != NULL && i < MW_ARRAY_LEN(actions_kinds); i++)
		if (strcmp(actions_kinds[i].name, name) == 0) {
			*k = actions_kinds[i].kind;
			return 0;
		}
	return -1;
}

/* The plural of a target kind, for messages about several items. */
static const char *
actions_kind_plural(enum row_kind k)
{
	switch (k) {
	case ROW_INCIDENT: return "incidents";
	case ROW_HYPOTHESIS: return "hypotheses";
	case ROW_EVIDENCE: return "evidence items";
	case ROW_RECO: return "recommendations";
	case ROW_ALERT: return "alerts";
	}
	return "items";
}

/* The item an action is about: in an open view the item it shows (NULL
 * when that is gone from the data), else the focused pane's selection.
 * A view's row is built in *buf. */
static const struct row *
actions_current(struct ui *ui, struct row *buf)
{
	if (ui->view == VIEW_DETAIL)
		return detail_row(ui, buf) == 0 ? buf : NULL;
	return pane_selected(&ui->panes[ui->focus]);
}

/* Refuses to act in a read-only console; 1 when refused. */
int
actions_readonly(struct ui *ui)
{
	if (!ui->cfg->readonly)
		return 0;
	if (ui->cfg->role != NULL)
		actions_message(ui, 1, "read-only console (your role here is %s): "
		    "look, but do not act", ui->cfg->role);
	else
		actions_message(ui, 1, "read-only console (--readonly): look, but "
		    "do not act");
	return 1;
}

/* Refuses a pipeline run or an investigation the role may not start; 1
 * when refused. */
int
actions_no_runs(struct ui *ui)
{
	if (actions_readonly(ui))
		return 1;
	if (!ui->cfg->no_runs)
		return 0;
	actions_message(ui, 1, "your role here is %s: runs and investigations "
	    "need admin", ui->cfg->role != NULL ? ui->cfg->role : "none");
	return 1;
}

/* Adds one target for the object a row shows. */
static void
actions_add_target(struct ui *ui, struct target **t, size_t *n,
    enum row_kind kind, long long id, const char *model_status)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*t)[i].kind == kind && (*t)[i].id == id)
			return;
	*t = xreallocarray(*t, *n + 1, sizeof **t);
	(*t)[*n].kind = kind;
	(*t)[*n].id = id;
	(*t)[*n].status = xstrdup(ui_status(ui, kind, id, model_status));
	(*t)[*n].seen = xstrdup(model_status != NULL ? model_status : "");
	(*t)[*n].label = xasprintf("%s #%lld", actions_kind_name(kind), id);
	(*n)++;
}

/* The model status of the object a row shows. */
static const char *
actions_row_status(const struct row *r)
{
	switch (r->kind) {
	case ROW_INCIDENT: return ((const struct mw_incident *)r->obj)->status;
	case ROW_HYPOTHESIS: return ((const struct mw_hypothesis *)r->obj)->status;
	case ROW_EVIDENCE: return r->hyp != NULL ? r->hyp->status : NULL;
	case ROW_RECO: return ((const struct mw_recommendation *)r->obj)->status;
	case ROW_ALERT: return ((const struct mw_alert *)r->obj)->status;
	}
	return NULL;
}

/*
 * Collects the targets of kind want in the focused pane: the marked ones
 * when there are marks, else the selected row (an evidence row stands for
 * its hypothesis).  In an open view: the item it shows, marks or not.
 * Returns a malloc'd list (NULL when empty).
 */
struct target *
actions_collect(struct ui *ui, enum row_kind want, size_t *n)
{
	struct pane *p = &ui->panes[ui->focus];
	struct target *t = NULL;
	const struct row *r;
	struct row view_row;
	size_t i;

	*n = 0;
	if (p->n_marks > 0 && ui->view == VIEW_MAIN) {
		for (i = 0; i < p->n_rows; i++) {
			r = &p->rows[i];
			if (r->kind == want && r->sub == 0 && pane_marked(p, r->id))
				actions_add_target(ui, &t, n, want, r->id,
				    actions_row_status(r));
		}
		return t;
	}
	r = actions_current(ui, &view_row);
	if (r == NULL)
		return NULL;
	if (r->kind == want)
		actions_add_target(ui, &t, n, want, r->id, actions_row_status(r));
	else if (r->kind == ROW_EVIDENCE && want == ROW_HYPOTHESIS)
		actions_add_target(ui, &t, n, ROW_HYPOTHESIS, r->id,
		    actions_row_status(r));
	return t;
}

/*
 * Drops the targets the feedback rules refuse action fa for, saying why
 * (feedback_check: the CLI follows the same rules).  Targets already in
 * the status fa sets stay: that is recorded too, as the CLI records it.
 */
void
actions_check(struct ui *ui, struct target *t, size_t *n,
    enum feedback_action fa)
{
	size_t i = 0, dropped = 0;
	char *why = NULL, *last = NULL;

	while (i < *n) {
		if (feedback_check(fa, t[i].id, t[i].status, &why) != FB_REFUSE) {
			i++;
			continue;
		}
		free(last);
		last = why;
		why = NULL;
		actions_drop_target(t, n, i);
		dropped++;
	}
	if (dropped == 1)
		actions_message(ui, 1, "%s", last);
	else if (dropped > 1)
		actions_message(ui, 1, "%zu items skipped: %s, ...", dropped, last);
	free(last);
}

/* "(u undoes it)": how to undo a silence, with the key bound to
 * unsilence (malloc'd; NULL when none is). */
static char *
actions_undo_hint(struct ui *ui)
{
	struct buf k;
	char *s = NULL;

	buf_init(&k);
	if (keymap_keys(&ui->keys, ACT_UNSILENCE, &k, 1) > 0)
		s = xasprintf("(%s undoes it)", buf_str(&k));
	buf_free(&k);
	return s;
}

/* One feedback intent for target t, with the key of this intent (made now,
 * once: every retry and a replay from the journal carry it), and its
 * expected result shown at once. */
static struct intent *
actions_intent_for(struct ui *ui, const struct target *t,
    enum feedback_action fa, const char *payload, const char *new_status,
    const char *verb)
{
	struct intent *in = xcalloc(1, sizeof *in);
	struct override *o;
	char uuid[UUID_STRLEN];

	in->type = INTENT_FEEDBACK;
	in->seq = ++ui->seq;
	in->action = fa;
	in->target_kind = xstrdup(actions_kind_name(t->kind));
	in->target_id = t->id;
	in->payload = payload != NULL ? xstrdup(payload) : NULL;
	uuid_v4(uuid);
	in->key = xasprintf("console:%s", uuid);
	in->label = xasprintf("%s %s", verb, t->label);
	in->expect = new_status != NULL ? xstrdup(new_status) : NULL;
	in->at = ui_now();
	if (fa == FB_ALERT_SILENCE)
		in->after = actions_undo_hint(ui);
	if (new_status != NULL) {
		ui->ovr = xreallocarray(ui->ovr, ui->n_ovr + 1, sizeof *ui->ovr);
		o = &ui->ovr[ui->n_ovr++];
		memset(o, 0, sizeof *o);
		o->kind = t->kind;
		o->id = t->id;
		o->status = xstrdup(new_status);
		o->who = xstrdup(ui->cfg->actor);
		o->at = in->at;
		o->seq = in->seq;
	}
	return in;
}

/* Forgets the bulk action in flight. */
void
actions_batch_clear(struct ui *ui)
{
	free(ui->batch.verb);
	free(ui->batch.noun);
	free(ui->batch.error);
	memset(&ui->batch, 0, sizeof ui->batch);
}

/* Counts a finished intent of the bulk action (see tui_int.h). */
int
actions_batch_done(struct ui *ui, unsigned long seq, enum wmsg_rc rc,
    const char *text)
{
	struct batch *b = &ui->batch;
	size_t ended;

	if (b->first == 0 || seq < b->first || seq > b->last)
		return 0;
	if (rc == WRC_WAITING)
		return 0;	/* waiting for the database: say so as it is */
	if (rc == WRC_OK)
		b->ok++;
	else if (rc == WRC_ALREADY)
		b->already++;
	else {
		b->failed++;
		if (b->error == NULL && text != NULL)
			b->error = xstrdup(text);
	}
	ended = b->ok + b->already + b->failed;
	if (ended < b->total)
		return 1;
	if (b->failed > 0)
		actions_message(ui, 1, "%s: %zu of %zu %s failed: %s", b->verb,
		    b->failed, b->total, b->noun, b->error ? b->error : "?");
	else if (b->already > 0)
		actions_message(ui, 0, "%s: %zu %s recorded, %zu already were",
		    b->verb, b->ok, b->noun, b->already);
	else
		actions_message(ui, 0, "%s: %zu %s recorded", b->verb, b->ok,
		    b->noun);
	actions_batch_clear(ui);
	return 1;
}

/* Sends action fa for every target. */
static int
actions_send_all(struct ui *ui, struct target *t, size_t n,
    enum feedback_action fa, const char *payload, const char *new_status,
    const char *verb)
{
	struct intent **in;
	char *cause = NULL;
	size_t i;

	if (n > 1) {
		/* One summary message when all of them have finished. */
		actions_batch_clear(ui);
		ui->batch.first = ui->seq + 1;
		ui->batch.last = ui->seq + n;
		ui->batch.total = n;
		ui->batch.verb = xstrdup(verb);
		ui->batch.noun = xstrdup(actions_kind_plural(t[0].kind));
	}
	in = xcalloc(n, sizeof *in);
	for (i = 0; i < n; i++)
		in[i] = actions_intent_for(ui, &t[i], fa, payload, new_status,
		    verb);
	if (n > 1)
		actions_message(ui, 0, "%s: %zu %s...", verb, n,
		    actions_kind_plural(t[0].kind));
	else if (n == 1)
		actions_message(ui, 0, "%s %s...", verb, t[0].label);
	/* To the journal first (one fsync), then to the worker. */
	if (n > 0 && worker_post_feedback(ui->worker, in, n, &cause) != 0) {
		actions_message(ui, 1, "%s; kept in memory only", cause);
		free(cause);
	}
	free(in);
	pane_clear_marks(&ui->panes[ui->focus]);
	return R_REDRAW;
}

/* ---- triage -------------------------------------------------------------------- */

/*
 * The triage keys: what each one acts on and which feedback action it
 * records.  Whether that action may apply to a target in its status is
 * feedback_check's to say, and what else it changes feedback_effect's.
 */
enum actions_ask { ASK_NONE, ASK_YES, ASK_SILENCE, ASK_ROOTCAUSE };
static const struct actions_triage {
	int action;
	enum row_kind kind;	/* what it applies to (pane_ops.kind) */
	enum feedback_action fa;
	const char *verb;	/* "acknowledge" */
	const char *what;	/* what to select first */
	enum actions_ask ask;
} actions_triage[] = {
	{ ACT_ACK, ROW_ALERT, FB_ALERT_ACK, "acknowledge",
	    "an alert or a recommendation", ASK_NONE },
	{ ACT_ACK, ROW_RECO, FB_REC_ACK, "acknowledge",
	    "an alert or a recommendation", ASK_NONE },
	{ ACT_UNSILENCE, ROW_ALERT, FB_ALERT_UNSILENCE,
	    "unsilence", "an alert", ASK_NONE },
	{ ACT_RESOLVE, ROW_ALERT, FB_ALERT_RESOLVE, "resolve",
	    "an alert", ASK_YES },
	{ ACT_SILENCE, ROW_ALERT, FB_ALERT_SILENCE, "silence",
	    "an alert", ASK_SILENCE },
	{ ACT_CONFIRM, ROW_HYPOTHESIS, FB_HYP_CONFIRM,
	    "confirm", "a hypothesis", ASK_ROOTCAUSE },
	{ ACT_REJECT, ROW_HYPOTHESIS, FB_HYP_REJECT, "reject",
	    "a hypothesis", ASK_YES },
	{ ACT_DISMISS, ROW_RECO, FB_REC_DISMISS, "dismiss",
	    "a recommendation", ASK_YES },
	{ ACT_DONE, ROW_RECO, FB_REC_DONE, "mark done",
	    "a recommendation", ASK_YES },
};

/* The triage entry of action on targets of kind (-1: any), or NULL. */
static const struct actions_triage *
actions_triage_find(int action, int kind)
{
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(actions_triage); i++) {
		const struct actions_triage *e = &actions_triage[i];

		if (e->action == action && (kind < 0 || (int)e->kind == kind))
			return e;
	}
	return NULL;
}

/* "Reject hypothesis #3? Its recommendations ... [y/N] ": a question
 * naming the target(s) and what else the action changes. */
static char *
actions_question(const char *verb_lc, enum feedback_action fa,
    const struct target *t, size_t n, const char *tail)
{
	const char *effect = feedback_effect(fa, t[0].status);
	char *q, *verb = xstrdup(verb_lc);

	verb[0] = (char)(verb[0] - 'a' + 'A');
	if (n == 1)
		q = xasprintf("%s %s?%s%s%s %s", verb, t[0].label,
		    effect != NULL ? " (" : "", effect != NULL ? effect : "",
		    effect != NULL ? ")" : "", tail);
	else
		q = xasprintf("%s %zu %s? %s", verb, n,
		    actions_kind_plural(t[0].kind), tail);
	free(verb);
	return q;
}

/* Says what a triage key needs when the focus has nothing for it. */
int
actions_need(struct ui *ui, int action, const char *what)
{
	actions_message(ui, 0, "%s: select %s", action_name(action), what);
	return R_REDRAW;
}

/* The status an action shows at once (until the data confirms it). */
static const char *
actions_expected(enum feedback_action fa)
{
	switch (fa) {
	case FB_ALERT_ACK:
	case FB_REC_ACK: return "acknowledged";
	case FB_ALERT_RESOLVE:
	case FB_INC_RESOLVE: return "resolved";
	case FB_ALERT_SILENCE: return "silenced";
	case FB_HYP_CONFIRM: return "confirmed";
	case FB_HYP_REJECT: return "rejected";
	case FB_REC_DISMISS: return "dismissed";
	case FB_REC_DONE: return "done";
	case FB_INC_REOPEN: return "open";
	default: return NULL;	/* unsilence: comes with the data */
	}
}

/* a, u, x, s, c, X, d, D: collect, drop what the rules refuse, then act
 * or ask. */
int
actions_triage_key(struct ui *ui, int action)
{
	const struct actions_triage *e = actions_triage_find(action,
	    (int)pane_ops(ui->focus)->kind);
	const char *effect;
	struct target *t;
	size_t n;
	char *q;
	int flags;

	if (e == NULL) {
		e = actions_triage_find(action, -1);
		return actions_need(ui, action, e != NULL ? e->what : "something");
	}
	t = actions_collect(ui, e->kind, &n);
	if (n == 0 && t == NULL)
		return actions_need(ui, action, e->what);
	actions_check(ui, t, &n, e->fa);
	if (n == 0) {
		actions_free_targets(t, n);
		return R_REDRAW;
	}
	switch (e->ask) {
	case ASK_NONE:
		flags = actions_send_all(ui, t, n, e->fa, NULL,
		    actions_expected(e->fa), e->verb);
		actions_free_targets(t, n);
		return flags;
	case ASK_SILENCE:
		/* The default is in the question, not in the input: what the
		 * operator types replaces it (a typed "2h" must not become
		 * "1h2h", three hours). */
		q = n == 1 ? xasprintf("Silence %s for (%s) [%s]: ", t[0].label,
		    FEEDBACK_SILENCE_EXAMPLES, FEEDBACK_SILENCE_DEFAULT_TEXT) :
		    xasprintf("Silence %zu alerts for (%s) [%s]: ", n,
		    FEEDBACK_SILENCE_EXAMPLES, FEEDBACK_SILENCE_DEFAULT_TEXT);
		prompt_start(ui, PROMPT_SILENCE, q, NULL, action, t, n);
		break;
	case ASK_ROOTCAUSE:
		if (n == 1) {
			effect = feedback_effect(e->fa, t[0].status);
			q = xasprintf("Confirm %s%s%s%s. Root cause too? [y/n, Esc "
			    "cancels] ", t[0].label, effect != NULL ? " (" : "",
			    effect != NULL ? effect : "", effect != NULL ? ")" : "");
			prompt_start(ui, PROMPT_ROOTCAUSE, q, NULL, action, t, n);
			break;
		}
		/* FALLTHROUGH */
	default:
		q = actions_question(e->verb, e->fa, t, n, "[y/N] ");
		prompt_start(ui, PROMPT_CONFIRM, q, NULL, action, t, n);
		break;
	}
	free(q);
	return R_REDRAW;
}

/* e: resolve the selected (or marked) incident(s), or reopen them. */
int
actions_incident(struct ui *ui)
{
	struct pane *p = &ui->panes[PANE_INCIDENTS];
	const struct row *r;
	struct row view_row;
	struct target *t = NULL;
	size_t n = 0, i;
	enum feedback_action fa;
	char *q;

	if (ui->view == VIEW_DETAIL && ui->detail_kind == ROW_INCIDENT) {
		/* The incident the view shows. */
		if ((r = actions_current(ui, &view_row)) != NULL)
			actions_add_target(ui, &t, &n, ROW_INCIDENT, r->id,
			    actions_row_status(r));
	} else if (ui->focus == PANE_INCIDENTS && p->n_marks > 0 &&
	    ui->view == VIEW_MAIN) {
		t = actions_collect(ui, ROW_INCIDENT, &n);
	} else if ((r = pane_selected(p)) != NULL)
		actions_add_target(ui, &t, &n, ROW_INCIDENT, r->id,
		    actions_row_status(r));
	if (n == 0) {
		free(t);
		return actions_need(ui, ACT_INCIDENT_TOGGLE, "an incident");
	}
	/* resolve or reopen: the rules say which, for the first one; keep
	 * only those it decides the same for */
	fa = feedback_incident_toggle(t[0].status);
	for (i = 0; i < n;) {
		if (feedback_incident_toggle(t[i].status) != fa)
			actions_drop_target(t, &n, i);
		else
			i++;
	}
	actions_check(ui, t, &n, fa);
	if (n == 0) {
		actions_free_targets(t, n);
		return R_REDRAW;
	}
	q = actions_question(fa == FB_INC_REOPEN ? "reopen" : "resolve", fa, t,
	    n, "[y/N] ");
	prompt_start(ui, PROMPT_CONFIRM, q, NULL, ACT_INCIDENT_TOGGLE, t, n);
	free(q);
	return R_REDRAW;
}

/* n: a note on the selected (or marked) item(s). */
int
actions_note(struct ui *ui, const char *text)
{
	struct pane *p = &ui->panes[ui->focus];
	struct row view_row;
	const struct row *r = actions_current(ui, &view_row);
	struct target *t = NULL;
	size_t n = 0;
	char *q;

	if (p->n_marks > 0 && ui->view == VIEW_MAIN && r != NULL &&
	    r->kind != ROW_EVIDENCE)
		t = actions_collect(ui, r->kind, &n);
	else if (r != NULL && r->kind == ROW_EVIDENCE) {
		const struct mw_evidence *e = r->obj;

		if (e->id > 0)
			actions_add_target(ui, &t, &n, ROW_EVIDENCE, e->id, "");
		else
			actions_add_target(ui, &t, &n, ROW_HYPOTHESIS, r->id,
			    actions_row_status(r));
	} else if (r != NULL)
		actions_add_target(ui, &t, &n, r->kind, r->id, actions_row_status(r));
	if (n == 0) {
		free(t);
		return actions_need(ui, ACT_NOTE, "something to annotate");
	}
	if (text != NULL)
		return actions_finish(ui, PROMPT_NOTE, ACT_NOTE, text, t, n);
	q = n == 1 ? xasprintf("Note on %s: ", t[0].label) :
	    xasprintf("Note on %zu items: ", n);
	prompt_start(ui, PROMPT_NOTE, q, NULL, ACT_NOTE, t, n);
	free(q);
	return R_REDRAW;
}

/* !: an action on the selected recommendation (asks which). */
int
actions_act(struct ui *ui)
{
	struct row view_row;
	const struct row *r = actions_current(ui, &view_row);
	struct target *t = NULL;
	size_t n = 0;
	char *q;

	if (r == NULL || r->kind != ROW_RECO)
		return actions_need(ui, ACT_ACT, "a recommendation");
	actions_add_target(ui, &t, &n, r->kind, r->id, actions_row_status(r));
	q = xasprintf("Act on %s (%s): ", t[0].label, FEEDBACK_ACT_PROMPT);
	prompt_start(ui, PROMPT_ACT, q, NULL, ACT_ACT, t, n);
	free(q);
	return R_REDRAW;
}

/* Completes a prompted action (see tui_int.h). */
int
actions_finish(struct ui *ui, enum prompt_kind kind, int action,
    const char *answer, struct target *t, size_t n)
{
	const struct actions_triage *e;
	enum feedback_action fa;
	json_t *j;
	char *payload = NULL, *why = NULL;
	int secs, flags = R_REDRAW;

	switch (kind) {
	case PROMPT_FILTER:
		break;
	case PROMPT_COMMAND:
		flags = actions_command(ui, answer);
		break;
	case PROMPT_NOTE:
		if (*answer == '\0') {
			actions_message(ui, 0, "empty note: nothing recorded");
			break;
		}
		j = json_pack("{s:s}", "text", answer);
		payload = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (payload == NULL) {
			actions_message(ui, 1, "the note is not valid text");
			break;
		}
		flags = actions_send_all(ui, t, n, FB_NOTE, payload, NULL, "note on");
		break;
	case PROMPT_SILENCE:
		/* read as the CLI's --for reads it; nothing typed: the default
		 * the question shows */
		if (feedback_parse_silence(answer, &secs, &why) != 0) {
			actions_message(ui, 1, "%s; nothing silenced", why);
			free(why);
			break;
		}
		payload = jsonx_pack("{s:i}", "seconds", secs);
		flags = actions_send_all(ui, t, n, FB_ALERT_SILENCE, payload,
		    "silenced", "silence");
		break;
	case PROMPT_ROOTCAUSE:
		payload = jsonx_pack("{s:b}", "root_cause",
		    strcmp(answer, "y") == 0);
		flags = actions_send_all(ui, t, n, FB_HYP_CONFIRM, payload,
		    "confirmed", strcmp(answer, "y") == 0 ?
		    "confirm (root cause)" : "confirm");
		break;
	case PROMPT_ACT:
		/* read as `midwatch act` reads its arguments (feedback_act.c);
		 * a reminder's time is fixed now, so a replay keeps it */
		if ((j = feedback_act_parse(answer, ui_now(), &why)) == NULL) {
			actions_message(ui, 1, "%s; nothing requested", why);
			free(why);
			break;
		}
		payload = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		flags = actions_send_all(ui, t, n, FB_REC_ACT, payload, NULL,
		    "act on");
		break;
	case PROMPT_CONFIRM:
		if (strcmp(answer, "y") != 0 || n == 0)
			break;
		if (action == ACT_INCIDENT_TOGGLE) {
			fa = feedback_incident_toggle(t[0].status);
			flags = actions_send_all(ui, t, n, fa, NULL,
			    actions_expected(fa), fa == FB_INC_REOPEN ? "reopen" :
			    "resolve");
		} else if ((e = actions_triage_find(action, (int)t[0].kind)) !=
		    NULL)
			flags = actions_send_all(ui, t, n, e->fa,
			    e->fa == FB_HYP_CONFIRM ? "{\"root_cause\": false}" :
			    NULL, actions_expected(e->fa), e->verb);
		break;
	default:
		break;
	}
	free(payload);
	actions_free_targets(t, n);
	return flags;
}
