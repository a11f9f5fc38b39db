/*
 * pane_alerts.c - alerts: status, severity, title, since; who acknowledged
 * them how long ago, so an acknowledgement that was forgotten stands out
 * (older than stale-ack), and until when a silenced one is quiet.  Shows the
 * selected incident's alerts, or every alert (toggle-alerts, or when there
 * is no incident at all): critical first, then newest, or in the order `o`
 * chose (pane_sort.c).
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

/* Rows: the selected incident's alerts, or all of them. */
void
pane_alerts_rows(struct ui *ui, struct pane *p)
{
	const struct mw_incident *inc = ui_incident(ui);
	const struct mw_alert *list;
	const void **objs;
	size_t i, n, k = 0;

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
	pane_add_objs(p, ROW_ALERT, objs, k);
}

/* One alert. */
void
pane_alerts_line(struct ui *ui, const struct row *row, struct line *l)
{
	const struct mw_alert *a = row->obj;
	const struct override *o = ui_override(ui, ROW_ALERT, a->id);
	const char *status = ui_status(ui, ROW_ALERT, a->id, a->status);
	const char *who = a->acked_by;
	double at = a->acked_at, until = a->silenced_until;
	char age[32], info[96], since[32], cell[32], *t, *w;
	int info_slot = CS_MUTED, info_w, faded;
	struct tm tm;
	time_t tt;

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
		/* Local time, with the date when it is not within a day; an
		 * elapsed silence says so (the next run reactivates it). */
		tt = (time_t)until;
		localtime_r(&tt, &tm);
		if (until <= ui_now())
			snprintf(info, sizeof info, "silence ended");
		else
			strftime(info, sizeof info, until - ui_now() < 86400 ?
			    "until %H:%M" : "until %b %d %H:%M", &tm);
	}
	ui_age(a->created_at, since, sizeof since);
	info_w = l->width >= 120 ? 28 : 20;
	line_cell(l, ui_status_cell(ui, ROW_ALERT, a->id, status, cell,
	    sizeof cell), 9, 0, draw_status_slot(status));
	line_cell(l, ui_short_severity(a->severity), 5, 0,
	    draw_severity_slot(a->severity));
	faded = strcmp(status, "resolved") == 0 || strcmp(status, "silenced") == 0;
	t = ui_clean(a->title);
	if (info[0] == '\0')
		info_w = 0;
	line_flex(l, t, info_w + 7, faded ? CS_MUTED : -1);
	free(t);
	if (info_w > 0)
		line_cell(l, info, info_w, 1, info_slot);
	line_cell(l, since, 7, 1, -1);
}
