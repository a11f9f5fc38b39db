/*
 * pane_alerts.c - alerts: status, severity, title, since; who acknowledged
 * them how long ago, so an acknowledgement that was forgotten stands out
 * (older than stale-ack), and until when a silenced one is quiet; for an
 * alert mirrored from Alertmanager, the silence there and when it ends
 * ("AM until 14:05") while one is active.  Shows the
 * selected incident's alerts, or every alert (toggle-alerts, or when there
 * is no incident at all): critical first, then newest, or in the order `o`
 * chose.  An incident group (sql/017_alert_groups.sql) is
 * folded into its head, "[+5] title"; `f` (toggle-group, "fold") unfolds it, the
 * members indented under the head.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/buf.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Does an alert match the filter? */
static int
pane_alerts_match(const struct mw_alert *a, const char *f)
{
	char id[32];

	if (f == NULL || *f == '\0')
		return 1;
	snprintf(id, sizeof id, "#%lld", a->id);
	return text_contains(a->title, f) || text_contains(a->severity, f) ||
	    text_contains(a->status, f) || text_contains(a->message, f) ||
	    text_contains(id, f);
}

/* Is the group headed by alert head unfolded? */
int
pane_alerts_unfolded(const struct ui *ui, long long head)
{
	size_t i;

	for (i = 0; i < ui->n_unfolded; i++)
		if (ui->unfolded[i] == head)
			return 1;
	return 0;
}

/* Folds or unfolds the group headed by head; 1 when now unfolded. */
int
pane_alerts_toggle_group(struct ui *ui, long long head)
{
	size_t i;

	for (i = 0; i < ui->n_unfolded; i++)
		if (ui->unfolded[i] == head) {
			ui->unfolded[i] = ui->unfolded[--ui->n_unfolded];
			return 0;
		}
	ui->unfolded = xreallocarray(ui->unfolded, ui->n_unfolded + 1,
	    sizeof *ui->unfolded);
	ui->unfolded[ui->n_unfolded++] = head;
	return 1;
}

/* Is alert a a member (not the head) of a group whose head is in objs? */
static int
pane_alerts_under_head(const struct mw_alert *a, const void **objs, size_t n)
{
	size_t i;

	if (a->group_head_id == 0 || a->group_head_id == a->id)
		return 0;
	for (i = 0; i < n; i++)
		if (((const struct mw_alert *)objs[i])->id == a->group_head_id)
			return 1;
	return 0;
}

/*
 * Rows: the selected incident's alerts, or all of them.  An incident
 * group shows as its head (folded: the members are hidden, the head says
 * how many); unfolded, the members follow their head.  A member whose head
 * is not listed (filtered out, elsewhere) is a row of its own.
 */
static void
pane_alerts_rows(struct ui *ui, struct pane *p)
{
	const struct mw_incident *inc = ui_incident(ui);
	const struct mw_alert *list, *a, *b;
	const void **objs;
	size_t i, j, n, k = 0, rows = 0;

	if (ui->alerts_all || inc == NULL) {
		list = ui->snap->alerts;
		n = ui->snap->n_alerts;
	} else {
		list = inc->alerts;
		n = inc->n_alerts;
	}
	objs = xcalloc(n + 1, sizeof *objs);
	for (i = 0; i < n; i++)
		if (pane_alerts_match(&list[i], p->filter))
			objs[k++] = &list[i];
	/* critical first, then newest (or the order `o` chose) */
	pane_sort_objs(p, objs, k);
	for (i = 0; i < k; i++) {
		a = objs[i];
		if (pane_alerts_under_head(a, objs, k))
			continue;
		pane_add_row(p, ROW_ALERT, a->id, 0, a);
		rows++;
		if (a->group_head_id != a->id || !pane_alerts_unfolded(ui, a->id))
			continue;
		for (j = 0; j < k; j++) {
			b = objs[j];
			if (b->group_head_id == a->id && b->id != a->id) {
				pane_add_row(p, ROW_ALERT, b->id, 0, b);
				rows++;
			}
		}
	}
	p->n_items = rows;
	free(objs);
}

/* The title as drawn: a group's head with "[+N]" (folded) or "[-N]"
 * (unfolded) members, an unfolded member indented under it.  Malloc'd. */
static char *
pane_alerts_title(struct ui *ui, const struct mw_alert *a)
{
	char *t = ui_clean(a->title), *out;

	if (a->group_head_id == a->id && a->group_members > 0)
		out = xasprintf("[%c%d] %s", pane_alerts_unfolded(ui, a->id) ?
		    '-' : '+', a->group_members, t);
	else if (a->group_head_id != 0 && a->group_head_id != a->id &&
	    pane_alerts_unfolded(ui, a->group_head_id))
		out = xasprintf("%s %s", draw_utf8() ? "  \xe2\x94\x94" : "  `-", t);
	else
		return t;
	free(t);
	return out;
}

/* "until 14:05" (local time, the date too when not within a day) of a
 * silence ending at until, or "silence ended". */
static void
pane_alerts_until(double until, char *out, size_t len)
{
	time_t tt = (time_t)until;
	struct tm tm;

	localtime_r(&tt, &tm);
	if (until <= ui_now())
		snprintf(out, len, "silence ended");
	else
		strftime(out, len, until - ui_now() < 86400 ?
		    "until %H:%M" : "until %b %d %H:%M", &tm);
}

/*
 * The Alertmanager silence of a mirrored alert, while one is active there:
 * "AM until 14:05" ("AM silence until 14:05" on a wide screen) in out,
 * else "".  Not while the operator's resolve or unsilence (status, not yet
 * in the data) is expiring it.
 */
static void
pane_alerts_am(const struct mw_alert *a, const char *status, int wide,
    char *out, size_t len)
{
	char until[48];

	out[0] = '\0';
	if (a->am_silence_state == NULL ||
	    strcmp(a->am_silence_state, "active") != 0 ||
	    a->am_silence_ends <= ui_now() || strcmp(status, "resolved") == 0 ||
	    strcmp(status, "active") == 0)
		return;
	pane_alerts_until(a->am_silence_ends, until, sizeof until);
	snprintf(out, len, "AM%s %s", wide ? " silence" : "", until);
}

/* One alert. */
static void
pane_alerts_line(struct ui *ui, const struct row *row, struct line *l)
{
	const struct mw_alert *a = row->obj;
	const struct override *o = ui_override(ui, ROW_ALERT, a->id);
	const char *status = ui_status(ui, ROW_ALERT, a->id, a->status);
	const char *who = a->acked_by;
	double at = a->acked_at, until = a->silenced_until;
	char age[32], info[96], since[32], cell[32], am[64], *t, *w;
	int info_slot = CS_MUTED, info_w, faded, am_w;

	if (o != NULL) {
		who = o->who;
		at = o->at;
		until = 0;	/* the new silence's end comes with the data */
	}
	info[0] = '\0';
	if (strcmp(status, "acknowledged") == 0 && at > 0) {
		ui_age(at, age, sizeof age);
		w = ui_clean(who != NULL ? who : "?");
		utf8_snprintf(info, sizeof info, "ack %s ago %s", age, w);
		free(w);
		info_slot = ui_now() - at > ui->stale_ack ? CS_STALE : CS_ACKED;
	} else if (strcmp(status, "silenced") == 0 && until > 0) {
		/* an elapsed silence says so (the next run reactivates it) */
		pane_alerts_until(until, info, sizeof info);
	}
	/* Alertmanager's silence of it (an ack's, a silence's) and its end;
	 * a silence's own end then goes without saying */
	pane_alerts_am(a, status, l->width >= 120, am, sizeof am);
	am_w = am[0] != '\0' ? (int)strlen(am) + 2 : 0;	/* 2: not "bob AM" */
	if (am_w > 0 && strcmp(status, "silenced") == 0 &&
	    until - a->am_silence_ends < 60 && a->am_silence_ends - until < 60)
		info[0] = '\0';
	ui_age(a->created_at, since, sizeof since);
	info_w = l->width >= 120 ? 28 : 20;
	line_cell(l, ui_status_cell(ui, ROW_ALERT, a->id, status, cell,
	    sizeof cell), 9, 0, draw_status_slot(status));
	line_cell(l, ui_short_severity(a->severity), 5, 0,
	    draw_severity_slot(a->severity));
	faded = strcmp(status, "resolved") == 0 || strcmp(status, "silenced") == 0;
	t = pane_alerts_title(ui, a);
	if (info[0] == '\0')
		info_w = 0;
	line_flex(l, t, info_w + am_w + 7, faded ? CS_MUTED : -1);
	free(t);
	if (info_w > 0)
		line_cell(l, info, info_w, 1, info_slot);
	if (am_w > 0)
		line_cell(l, am, am_w, 1, CS_MUTED);
	line_cell(l, since, 7, 1, -1);
}

/* ---- its orders, hints and ops ---------------------------------------------------- */

static int
pane_alerts_by_severity(const void *a, const void *b)
{
	const struct mw_alert *x = a, *y = b;
	int d = pane_sort_sev(x->severity) - pane_sort_sev(y->severity);

	if (d != 0)
		return d;
	if ((d = pane_sort_desc(x->created_at, y->created_at)) != 0)
		return d;
	return x->id > y->id ? -1 : x->id < y->id;
}

PANE_SORT_DESC(pane_alerts_by_age, struct mw_alert, created_at)
PANE_SORT_STATUS(pane_alerts_by_status, struct mw_alert)
PANE_SORT_TEXT(pane_alerts_by_title, struct mw_alert, title)

static const struct pane_order pane_alerts_orders[] = {
	{ "severity", pane_alerts_by_severity }, { "age", pane_alerts_by_age },
	{ "status", pane_alerts_by_status }, { "title", pane_alerts_by_title },
};

/* Every alert, not the incident's (toggle-alerts). */
static int
pane_alerts_all(const struct ui *ui)
{
	return ui->alerts_all;
}

/* The title says when it lists every alert. */
static void
pane_alerts_title_extra(struct ui *ui, struct buf *b)
{
	if (ui->alerts_all)
		buf_adds(b, " all");
}

/* Is the alert the focused pane (or the open view) shows silenced? */
static int
pane_alerts_silenced(struct ui *ui)
{
	struct row buf;
	const struct row *r = ui->view == VIEW_DETAIL ?
	    (detail_row(ui, &buf) == 0 ? &buf : NULL) :
	    pane_selected(&ui->panes[ui->focus]);

	return r != NULL && r->kind == ROW_ALERT && strcmp(ui_status(ui,
	    ROW_ALERT, r->id, ((const struct mw_alert *)r->obj)->status),
	    "silenced") == 0;
}

/* A silenced alert offers its undo instead. */
static int
pane_alerts_not_silenced(struct ui *ui)
{
	return !pane_alerts_silenced(ui);
}

static const struct pane_hint pane_alerts_hints[] = {
	{ ACT_ACK, "ack", 0, NULL },
	{ ACT_RESOLVE, "resolve", 0, NULL },
	{ ACT_UNSILENCE, "unsilence", 0, pane_alerts_silenced },
	{ ACT_SILENCE, "silence", 0, pane_alerts_not_silenced },
	{ ACT_MARK, "mark", 100, NULL },
};

const struct pane_ops pane_alerts_ops = {
	.title = "Alerts",
	.noun = "alerts",
	.kind = ROW_ALERT,
	.follows = 1,
	.all = pane_alerts_all,
	.rows = pane_alerts_rows,
	.line = pane_alerts_line,
	.title_extra = pane_alerts_title_extra,
	.orders = pane_alerts_orders,
	.n_orders = (int)MW_ARRAY_LEN(pane_alerts_orders),
	.hints = pane_alerts_hints,
	.n_hints = (int)MW_ARRAY_LEN(pane_alerts_hints),
};
