/*
 * pane_hypotheses.c - the hypotheses of the selected incident by rank (type,
 * suspected service, confidence bar, status, title), each followed by the
 * evidence it cites grouped as supports / contradicts / missing.  When all
 * of it does not fit, only the selected hypothesis shows its evidence, so
 * the ranking stays visible at 80x24.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

static const char *const pane_hyp_roles[] = { "supports", "contradicts", "missing" };

/* The identity of evidence item i of h within the pane. */
static long long
pane_hyp_ev_sub(const struct mw_hypothesis *h, size_t i)
{
	return h->evidence[i].id > 0 ? h->evidence[i].id : -(long long)(i + 1);
}

/* Does a hypothesis (or one of its evidence items) match the filter? */
static int
pane_hyp_match(const struct mw_hypothesis *h, const char *f)
{
	size_t i;

	if (f == NULL || *f == '\0')
		return 1;
	if (text_contains(h->title, f) || text_contains(h->type, f) ||
	    text_contains(h->service, f) || text_contains(h->status, f) ||
	    text_contains(h->ref, f))
		return 1;
	for (i = 0; i < h->n_evidence; i++)
		if (text_contains(h->evidence[i].summary, f) ||
		    text_contains(h->evidence[i].kind, f))
			return 1;
	return 0;
}

/* Adds the evidence rows of h, grouped by role. */
static void
pane_hyp_add_evidence(struct pane *p, const struct mw_hypothesis *h)
{
	size_t role, i;
	int first;
	struct row *r;

	for (role = 0; role < MW_ARRAY_LEN(pane_hyp_roles); role++) {
		first = 1;
		for (i = 0; i < h->n_evidence; i++) {
			const struct mw_evidence *e = &h->evidence[i];
			int other = e->role == NULL ||
			    (strcmp(e->role, "supports") != 0 &&
			    strcmp(e->role, "contradicts") != 0 &&
			    strcmp(e->role, "missing") != 0);

			/* Unknown roles are listed with "missing" (last). */
			if (other ? role != 2 : strcmp(e->role, pane_hyp_roles[role]) != 0)
				continue;
			pane_add_row(p, ROW_EVIDENCE, h->id, pane_hyp_ev_sub(h, i), e);
			r = &p->rows[p->n_rows - 1];
			r->hyp = h;
			r->group_start = first;
			first = 0;
		}
	}
}

/* Rows: hypotheses by rank, with their evidence. */
static void
pane_hypotheses_rows(struct ui *ui, struct pane *p)
{
	const struct mw_incident *inc = ui_incident(ui);
	const void **objs;
	size_t i, n = 0, total = 0;
	int expand_all;
	long long open_id;

	if (inc == NULL)
		return;
	objs = xcalloc(inc->n_hypotheses + 1, sizeof *objs);
	for (i = 0; i < inc->n_hypotheses; i++)
		if (pane_hyp_match(&inc->hypotheses[i], p->filter)) {
			objs[n++] = &inc->hypotheses[i];
			total += 1 + inc->hypotheses[i].n_evidence;
		}
	/* by rank, or the order `o` chose; evidence stays under its
	 * hypothesis */
	pane_sort_objs(p, objs, n);
	p->want = (int)total;
	p->n_items = n;		/* the count shows hypotheses, not rows */
	expand_all = p->height <= 0 || total <= (size_t)p->height;
	open_id = p->have_sel ? p->sel_id : 0;
	for (i = 0; i < n; i++) {
		const struct mw_hypothesis *h = objs[i];

		if (open_id == 0)
			open_id = h->id;	/* the first one opens by default */
		pane_add_row(p, ROW_HYPOTHESIS, h->id, 0, h);
		p->rows[p->n_rows - 1].hyp = h;
		if (expand_all || h->id == open_id)
			pane_hyp_add_evidence(p, h);
	}
	free(objs);
}

/* One row: a hypothesis, or one evidence item under it. */
static void
pane_hypotheses_line(struct ui *ui, const struct row *r, struct line *l)
{
	struct buf b;
	char num[32], cell[32], *s, *t;
	const char *status;
	int wide = l->width >= 120;

	if (r->kind == ROW_HYPOTHESIS) {
		const struct mw_hypothesis *h = r->obj;
		int narrow = l->width < 80, barw = wide ? 16 : narrow ? 5 : 8;

		status = ui_status(ui, ROW_HYPOTHESIS, h->id, h->status);
		snprintf(num, sizeof num, "%d.", h->rank);
		line_cell(l, num, 3, 0, -1);
		line_cell(l, h->type, narrow ? 9 : 11, 0, CS_HEADING);
		s = ui_clean(h->service != NULL ? h->service : "-");
		line_cell(l, s, wide ? 22 : narrow ? 11 : 14, 0, -1);
		line_cell(l, " ", 1, 0, -1);
		free(s);
		buf_init(&b);
		chart_bar(&b, h->confidence, barw, draw_utf8());
		line_cell(l, buf_str(&b), barw, 0, CS_BAR);
		buf_free(&b);
		num[0] = ' ';
		units_confidence(h->confidence, num + 1, sizeof num - 2);
		strcat(num, " ");
		line_cell(l, num, 6, 0, -1);
		/* The status only when it is news: confirmed, root cause, rejected. */
		if (strcmp(status, "proposed") != 0) {
			const char *word = h->is_root_cause &&
			    strcmp(status, "confirmed") == 0 ? "ROOT CAUSE" : status;

			if (ui_pending(ui, ROW_HYPOTHESIS, h->id)) {
				snprintf(cell, sizeof cell, "%s%s", word,
				    UI_PENDING_MARK);
				word = cell;
			}

			line_cell(l, word, (int)strlen(word) + 1, 0,
			    draw_status_slot(status));
		}
		t = ui_clean(h->title);
		line_rest(l, t, strcmp(status, "rejected") == 0 ? CS_MUTED : -1);
		free(t);
		return;
	} else {
		const struct mw_evidence *e = r->obj;
		const char *role = e->role != NULL ? e->role : "?";
		int slot = strcmp(role, "supports") == 0 ? CS_OK :
		    strcmp(role, "contradicts") == 0 ? CS_HIGH : CS_MUTED;

		line_cell(l, "", 4, 0, -1);
		line_cell(l, r->group_start ? role : "", 12, 0, slot);
		line_cell(l, e->kind, 18, 0, -1);
		line_cell(l, " ", 1, 0, -1);
		t = ui_clean(e->summary != NULL && *e->summary != '\0' ? e->summary :
		    strcmp(role, "missing") == 0 ? "(expected, looked for, not found)" : "");
		line_rest(l, t, strcmp(role, "missing") == 0 ? CS_MUTED : -1);
		free(t);
	}
}

/* ---- its orders and ops ----------------------------------------------------------- */

static int
pane_hypotheses_by_rank(const void *a, const void *b)
{
	return ((const struct mw_hypothesis *)a)->rank -
	    ((const struct mw_hypothesis *)b)->rank;
}

PANE_SORT_DESC(pane_hypotheses_by_confidence, struct mw_hypothesis, confidence)
PANE_SORT_TEXT(pane_hypotheses_by_type, struct mw_hypothesis, type)
PANE_SORT_TEXT(pane_hypotheses_by_service, struct mw_hypothesis, service)

static const struct pane_order pane_hypotheses_orders[] = {
	{ "rank", pane_hypotheses_by_rank },
	{ "confidence", pane_hypotheses_by_confidence },
	{ "type", pane_hypotheses_by_type },
	{ "service", pane_hypotheses_by_service },
};

static const struct pane_hint pane_hypotheses_hints[] = {
	{ ACT_CONFIRM, "confirm", 0, NULL },
	{ ACT_REJECT, "reject", 0, NULL },
};

const struct pane_ops pane_hypotheses_ops = {
	.title = "Hypotheses & evidence",
	.noun = "hypotheses",
	.kind = ROW_HYPOTHESIS,
	.follows = 1,
	.rows = pane_hypotheses_rows,
	.line = pane_hypotheses_line,
	.orders = pane_hypotheses_orders,
	.n_orders = (int)MW_ARRAY_LEN(pane_hypotheses_orders),
	.hints = pane_hypotheses_hints,
	.n_hints = (int)MW_ARRAY_LEN(pane_hypotheses_hints),
};
