/*
 * worker_shown.c - seed 001's product telemetry: recommendations.shown_count
 * and first/last shown, bumped when the console shows a recommendation.
 * The UI says which recommendations came into view (shown.c, at most once
 * per recommendation per policy housekeeping.shown_interval); the data
 * thread collects the ids of every such intent waiting and writes them in
 * one statement (midwatch.mark_recommendations_shown).  Telemetry is not
 * feedback: it is not journaled, and is dropped when the database is away
 * or the console is read-only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/pgarray.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

/* Most ids kept between flushes: more than any screen shows. */
#define WORKER_SHOWN_MAX 512

/* Collects the ids of an INTENT_SHOWN. */
void
worker_shown_add(struct worker *w, const struct intent *in)
{
	size_t i;

	for (i = 0; i < in->n_ids && w->n_shown < WORKER_SHOWN_MAX; i++) {
		w->shown = xreallocarray(w->shown, w->n_shown + 1,
		    sizeof *w->shown);
		w->shown[w->n_shown++] = in->ids[i];
	}
}

/* Writes the collected ids in one statement, then forgets them. */
void
worker_shown_flush(struct worker *w)
{
	struct db_res *r;
	struct buf b;
	char project[24], *cause = NULL;
	size_t i;

	if (w->n_shown == 0)
		return;
	if (w->connected && !w->readonly) {
		buf_init(&b);
		pgarray_begin(&b);
		for (i = 0; i < w->n_shown; i++)
			pgarray_add_ll(&b, w->shown[i]);
		pgarray_end(&b);
		snprintf(project, sizeof project, "%lld", w->project_id);
		r = DBQN(w->db, &cause, "worker/recommendations_shown", project,
		    buf_str(&b));
		if (r == NULL) {
			log_warn("recording shown recommendations: %s", cause);
			free(cause);
		}
		db_res_free(r);
		buf_free(&b);
	}
	w->n_shown = 0;
}
