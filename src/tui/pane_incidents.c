/*
 * pane_incidents.c - the incidents pane: status, severity, service, age and
 * title, open ones first (or in the order `o` chose).
 * Incidents resolved within console.recent_resolved (policy, per project)
 * stay listed after the open ones, dimmed, so the console still says what
 * just happened once incidents close by themselves.  Suppressed incidents
 * and those resolved earlier are hidden unless the operator asks for them
 * (toggle-hidden).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

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

/* Rows: every incident the operator should see, in the pane's order
 * (open first by default). */
static void
pane_incidents_rows(struct ui *ui, struct pane *p)
{
	const struct mw_incident *inc;
	const void **objs;
	size_t i, n = 0;

	objs = xcalloc(ui->snap->n_incidents + 1, sizeof *objs);
	ui->inc_recent = ui->inc_older = 0;
	for (i = 0; i < ui->snap->n_incidents; i++) {
		inc = &ui->snap->incidents[i];
		if (!ui->show_hidden && ((inc->status != NULL &&
		    strcmp(inc->status, "suppressed") == 0) ||
		    (inc->decision != NULL && strcmp(inc->decision, "suppressed") == 0)))
			continue;
		if (inc->status != NULL && strcmp(inc->status, "resolved") == 0) {
			if (!inc->recently_resolved) {
				ui->inc_older++;
				if (!ui->show_hidden)
					continue;
			} else
				ui->inc_recent++;
		}
		if (pane_incidents_match(inc, p->filter))
			objs[n++] = inc;
	}
	pane_add_objs(p, ROW_INCIDENT, objs, n);
}

/* One incident: #id status severity service age title. */
static void
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

/* ---- its orders, title and ops ------------------------------------------------ */

static int
pane_incidents_by_status(const void *a, const void *b)
{
	const struct mw_incident *x = a, *y = b;
	int d;

	if ((d = pane_sort_status(x->status) - pane_sort_status(y->status)) != 0)
		return d;
	if ((d = pane_sort_sev(x->severity) - pane_sort_sev(y->severity)) != 0)
		return d;
	if ((d = pane_sort_desc(x->window_start, y->window_start)) != 0)
		return d;
	return x->id > y->id ? -1 : x->id < y->id;
}

static int
pane_incidents_by_severity(const void *a, const void *b)
{
	const struct mw_incident *x = a, *y = b;
	int d = pane_sort_sev(x->severity) - pane_sort_sev(y->severity);

	return d != 0 ? d : pane_sort_desc(x->window_start, y->window_start);
}

PANE_SORT_DESC(pane_incidents_by_age, struct mw_incident, window_start)
PANE_SORT_TEXT(pane_incidents_by_service, struct mw_incident, service)

static const struct pane_order pane_incidents_orders[] = {
	{ "status", pane_incidents_by_status },
	{ "severity", pane_incidents_by_severity },
	{ "age", pane_incidents_by_age }, { "service", pane_incidents_by_service },
};

/* The title: how many incidents resolved recently are listed. */
static void
pane_incidents_title(struct ui *ui, struct buf *b)
{
	char span[32];

	if (ui->inc_recent == 0 || ui->snap == NULL)
		return;
	timefmt_age(ui->snap->recent_resolved, span, sizeof span);
	buf_printf(b, " %zu resolved in the last %s", ui->inc_recent, span);
}

/* Empty: say when resolved incidents are hidden. */
static char *
pane_incidents_empty(struct ui *ui)
{
	if (ui->inc_older == 0)
		return NULL;
	return xasprintf(" (none open; %zu resolved earlier: H shows them)",
	    ui->inc_older);
}

static const struct pane_hint pane_incidents_hints[] = {
	{ ACT_INCIDENT_TOGGLE, "resolve", 0, NULL },
};

const struct pane_ops pane_incidents_ops = {
	.title = "Incidents",
	.noun = "incidents",
	.kind = ROW_INCIDENT,
	.hides = 1,
	.rows = pane_incidents_rows,
	.line = pane_incidents_line,
	.title_extra = pane_incidents_title,
	.empty = pane_incidents_empty,
	.orders = pane_incidents_orders,
	.n_orders = (int)MW_ARRAY_LEN(pane_incidents_orders),
	.hints = pane_incidents_hints,
	.n_hints = (int)MW_ARRAY_LEN(pane_incidents_hints),
};
