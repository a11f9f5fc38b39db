/*
 * model_history.c - an item's feedback history for its detail view: the
 * feedback_events on one incident, hypothesis, evidence item,
 * recommendation or alert, oldest first, in one bounded query, with the
 * payload summarised in SQL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* The columns of model/history. */
enum { HI_AT, HI_ACTOR, HI_ACTION, HI_SUMMARY, HI_NOTE, HI_N };
static const char *const hi_names[HI_N] = {
	"at", "actor", "action", "summary", "note"
};

/* Loads the history (see model.h). */
int
model_history_load(struct db *db, long long project_id,
    const char *target_kind, long long target_id, struct mw_item_detail *d,
    char **cause)
{
	struct db_res *r;
	char project[24], target[24], limit[16];
	int c[HI_N], i, n;

	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(target, sizeof target, "%lld", target_id);
	snprintf(limit, sizeof limit, "%d", MODEL_MAX_HISTORY);
	r = DBQN(db, cause, "model/history", project, target_kind, target,
	    limit);
	if (r == NULL)
		return -1;
	db_cols(r, hi_names, c, HI_N);
	n = db_res_rows(r);
	d->history = n > 0 ? xcalloc((size_t)n, sizeof *d->history) : NULL;
	for (i = 0; i < n; i++) {
		struct mw_history_item *h = &d->history[d->n_history++];

		h->at = db_res_f(r, i, c[HI_AT]);
		h->actor = model_col_dup(r, i, c[HI_ACTOR]);
		h->action = model_col_dup(r, i, c[HI_ACTION]);
		h->summary = model_col_dup(r, i, c[HI_SUMMARY]);
		h->text = model_col_dup(r, i, c[HI_NOTE]);
	}
	db_res_free(r);
	return 0;
}

/* Frees d (see model.h). */
void
model_item_detail_free(struct mw_item_detail *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_history; i++) {
		free(d->history[i].actor);
		free(d->history[i].action);
		free(d->history[i].summary);
		free(d->history[i].text);
	}
	free(d->history);
	model_series_free(d->series, d->n_series);
	free(d);
}
