/*
 * pane_incidents.c - the incidents pane: status, severity, service, age and
 * title, open ones first.  Suppressed incidents are hidden unless the
 * operator asks for them (toggle-hidden).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Position of s in order (n entries); unknown values and NULL sort last. */
static int
pane_incidents_rank_in(const char *s, const char *const *order, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, order[i]) == 0)
			return (int)i;
	return (int)n;
}

/* Sort rank of a status: open first. */
static int
pane_incidents_status_rank(const char *s)
{
	static const char *const order[] = { "open", "triaged", "resolved", "suppressed" };

	return pane_incidents_rank_in(s, order, MW_ARRAY_LEN(order));
}

/* Sort rank of a severity: critical first. */
static int
pane_incidents_sev_rank(const char *s)
{
	static const char *const order[] = { "critical", "high", "medium", "low", "info" };

	return pane_incidents_rank_in(s, order, MW_ARRAY_LEN(order));
}

/* qsort: open first, then severity, then newest, then highest id. */
static int
pane_incidents_cmp(const void *a, const void *b)
{
	const struct mw_incident *x = ((const struct row *)a)->obj;
	const struct mw_incident *y = ((const struct row *)b)->obj;
	int d;

	if ((d = pane_incidents_status_rank(x->status) -
	    pane_incidents_status_rank(y->status)) != 0)
		return d;
	if ((d = pane_incidents_sev_rank(x->severity) -
	    pane_incidents_sev_rank(y->severity)) != 0)
		return d;
	if (x->window_start != y->window_start)
		return x->window_start > y->window_start ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

/* Does the incident match the pane's filter? */
static int
pane_incidents_match(const struct mw_incident *inc, const char *f)
{
	char id[32];

	if (f == NULL || *f == '\0')
		return 1;
	snprintf(id, sizeof id, "#%lld", inc->id);
	return text_contains(inc->title, f) || text_contains(inc->service, f) ||
	    text_contains(inc->status, f) || text_contains(inc->severity, f) ||
	    text_contains(inc->trigger_type, f) || text_contains(id, f);
}

/* Rows: every incident the operator should see, open first. */
void
pane_incidents_rows(struct ui *ui, struct pane *p)
{
	const struct mw_incident *inc;
	size_t i;

	for (i = 0; i < ui->snap->n_incidents; i++) {
		inc = &ui->snap->incidents[i];
		if (!ui->show_hidden && ((inc->status != NULL &&
		    strcmp(inc->status, "suppressed") == 0) ||
		    (inc->decision != NULL && strcmp(inc->decision, "suppressed") == 0)))
			continue;
		if (!pane_incidents_match(inc, p->filter))
			continue;
		pane_add_row(p, ROW_INCIDENT, inc->id, 0, inc);
	}
	if (p->n_rows > 1)
		qsort(p->rows, p->n_rows, sizeof *p->rows, pane_incidents_cmp);
}

/* One incident: #id status severity service age title. */
void
pane_incidents_line(struct ui *ui, const struct row *r, struct line *l)
{
	const struct mw_incident *inc = r->obj;
	const char *status = ui_status(ui, ROW_INCIDENT, inc->id, inc->status);
	char id[32], age[32], cell[32], *service, *title;
	int wide = l->width >= 120;

	snprintf(id, sizeof id, "#%lld", inc->id);
	ui_age(inc->window_start > 0 ? inc->window_start : inc->created_at, age,
	    sizeof age);
	service = ui_clean(inc->service != NULL ? inc->service : "-");
	if (inc->title != NULL && *inc->title != '\0')
		title = ui_clean(inc->title);
	else {
		char *t = xasprintf("%s on %s", inc->trigger_type ?
		    inc->trigger_type : "incident", inc->service ? inc->service : "?");

		title = ui_clean(t);
		free(t);
	}
	line_cell(l, id, 6, 0, -1);
	line_cell(l, ui_status_cell(ui, ROW_INCIDENT, inc->id, status, cell,
	    sizeof cell), 9, 0, draw_status_slot(status));
	line_cell(l, ui_short_severity(inc->severity), 5, 0,
	    draw_severity_slot(inc->severity));
	line_cell(l, service, wide ? 24 : l->width < 80 ? 12 : 16, 0, -1);
	line_cell(l, age, 6, 1, -1);
	line_cell(l, " ", 1, 0, -1);
	line_rest(l, title, strcmp(status, "resolved") == 0 ||
	    strcmp(status, "suppressed") == 0 ? CS_MUTED : -1);
	free(service);
	free(title);
}
