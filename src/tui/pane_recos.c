/*
 * pane_recos.c - the recommendations of the selected incident: status,
 * type, title, and who acknowledged them how long ago.  Recommendations
 * that did not pass the evidence gate (not publishable) are kept for audit
 * but hidden unless the operator asks (toggle-hidden).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Does a recommendation match the filter? */
static int
pane_recos_match(const struct mw_recommendation *r, const char *f)
{
	return f == NULL || *f == '\0' || text_contains(r->title, f) ||
	    text_contains(r->type, f) || text_contains(r->status, f);
}

/* Rows: the incident's recommendations, publishable ones unless asked. */
static void
pane_recos_rows(struct ui *ui, struct pane *p)
{
	const struct mw_incident *inc = ui_incident(ui);
	const void **objs;
	size_t i, n = 0;

	if (inc == NULL)
		return;
	objs = xcalloc(inc->n_recommendations + 1, sizeof *objs);
	for (i = 0; i < inc->n_recommendations; i++) {
		const struct mw_recommendation *r = &inc->recommendations[i];

		if ((r->publishable || ui->show_hidden) &&
		    pane_recos_match(r, p->filter))
			objs[n++] = r;
	}
	pane_add_objs(p, ROW_RECO, objs, n);
}

/* One recommendation. */
static void
pane_recos_line(struct ui *ui, const struct row *row, struct line *l)
{
	const struct mw_recommendation *r = row->obj;
	const struct override *o = ui_override(ui, ROW_RECO, r->id);
	const char *status = ui_status(ui, ROW_RECO, r->id, r->status);
	const char *who = r->acked_by;
	double at = r->acked_at;
	struct buf b;
	char age[32], cell[32], *t;
	int faded;

	line_cell(l, ui_status_cell(ui, ROW_RECO, r->id, status, cell,
	    sizeof cell), 10, 0, draw_status_slot(status));
	line_cell(l, r->type, 14, 0, CS_HEADING);
	buf_init(&b);
	if (!r->publishable) {
		t = ui_clean(r->gate_reason);
		buf_printf(&b, "[hidden: %s] ", *t != '\0' ? t : "no evidence");
		free(t);
	}
	t = ui_clean(r->title);
	buf_adds(&b, t);
	free(t);
	buf_adds(&b, detail_actions_mark(r, status));
	if (o != NULL && strcmp(status, "acknowledged") == 0) {
		who = o->who;
		at = o->at;
	}
	if (strcmp(status, "acknowledged") == 0 && who != NULL) {
		ui_age(at, age, sizeof age);
		t = ui_clean(who);
		buf_printf(&b, " (acked %s ago by %s)", age, t);
		free(t);
	}
	faded = !r->publishable || strcmp(status, "done") == 0 ||
	    strcmp(status, "dismissed") == 0;
	line_rest(l, buf_str(&b), faded ? CS_MUTED : -1);
	buf_free(&b);
}

/* ---- its orders and ops ----------------------------------------------------------- */

PANE_SORT_STATUS(pane_recos_by_status, struct mw_recommendation)
PANE_SORT_TEXT(pane_recos_by_type, struct mw_recommendation, type)

static const struct pane_order pane_recos_orders[] = {
	{ "rank", pane_sort_none }, { "status", pane_recos_by_status },
	{ "type", pane_recos_by_type },
};

static const struct pane_hint pane_recos_hints[] = {
	{ ACT_ACK, "ack", 0, NULL },
	{ ACT_DONE, "done", 0, NULL },
	{ ACT_DISMISS, "dismiss", 0, NULL },
	{ ACT_ACT, "act", 0, NULL },
};

const struct pane_ops pane_recos_ops = {
	.title = "Recommendations",
	.noun = "recommendations",
	.kind = ROW_RECO,
	.follows = 1,
	.hides = 1,
	.rows = pane_recos_rows,
	.line = pane_recos_line,
	.orders = pane_recos_orders,
	.n_orders = (int)MW_ARRAY_LEN(pane_recos_orders),
	.hints = pane_recos_hints,
	.n_hints = (int)MW_ARRAY_LEN(pane_recos_hints),
};
