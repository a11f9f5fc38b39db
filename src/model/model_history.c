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

/* The newest MODEL_MAX_HISTORY events on the target, oldest first. */
static const char model_sql_history[] =
    "SELECT extract(epoch FROM x.created_at), x.actor, x.event_type,"
    "       x.summary, x.note"
    "  FROM (SELECT f.id, f.created_at, coalesce(f.actor_id, f.actor_type)"
    "               AS actor, f.event_type,"
    "               coalesce((SELECT string_agg(k.key || '=' || left("
    "                   CASE jsonb_typeof(k.value) WHEN 'string'"
    "                   THEN k.value #>> '{}' ELSE k.value::text END, 80),"
    "                   ', ' ORDER BY k.key)"
    "                 FROM jsonb_each(f.payload) k), '') AS summary,"
    "               CASE WHEN f.event_type = 'human_note_added'"
    "                    THEN f.payload ->> 'text' END AS note"
    "          FROM midwatch.feedback_events f"
    "         WHERE f.project_id = $1 AND f.target_kind = $2"
    "           AND f.target_id = $3"
    "         ORDER BY f.created_at DESC, f.id DESC LIMIT $4) x"
    " ORDER BY x.created_at, x.id";

/* Loads the history (see model.h). */
int
model_history_load(struct db *db, long long project_id,
    const char *target_kind, long long target_id, struct mw_item_detail *d,
    char **cause)
{
	struct db_res *r;
	char project[24], target[24], limit[16];
	int i, n;

	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(target, sizeof target, "%lld", target_id);
	snprintf(limit, sizeof limit, "%d", MODEL_MAX_HISTORY);
	r = DBQ(db, cause, model_sql_history, project, target_kind, target,
	    limit);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	d->history = n > 0 ? xcalloc((size_t)n, sizeof *d->history) : NULL;
	for (i = 0; i < n; i++) {
		struct mw_history_item *h = &d->history[d->n_history++];

		h->at = db_res_f(r, i, 0);
		h->actor = model_col_dup(r, i, 1);
		h->action = model_col_dup(r, i, 2);
		h->summary = model_col_dup(r, i, 3);
		h->text = model_col_dup(r, i, 4);
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
