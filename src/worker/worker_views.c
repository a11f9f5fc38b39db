/*
 * worker_views.c - the data of the console's report views, loaded on the
 * data thread: `:stats` (the snapshots of a window, stats.h) and `:rules`
 * (each alert rule with its condition, last firing and how many alerts it
 * raised, the data of `rules list --json`, rules.h).  The UI gets one JSON
 * document (WMSG_VIEW) and never a database handle.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/jsonx.h"
#include "midwatch/rules.h"
#include "midwatch/stats.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

/* The rules with their condition as one line. */
static json_t *
worker_rules(struct worker *w, char **cause)
{
	json_t *l = rules_list(w->db, w->project_id, NULL, cause), *r;
	char *c;
	size_t i;

	json_array_foreach(l, i, r) {
		c = rules_condition(r);
		json_object_set_new(r, "condition", json_string(c));
		free(c);
	}
	return l;
}

/* Loads a view's data (see worker_int.h). */
struct wmsg *
worker_view_load(struct worker *w, const struct intent *in)
{
	struct wmsg *m = worker_msg_new(WMSG_VIEW);
	char *cause = NULL;
	json_t *j = NULL;

	m->id = in->id;
	m->seq = in->seq;
	if (w->db == NULL || !w->connected)
		cause = xstrdup("the database is unavailable");
	else if (in->id == WVIEW_STATS)
		j = stats_read(w->db, w->project_id, in->window, NULL, &cause);
	else if (in->id == WVIEW_RULES)
		j = worker_rules(w, &cause);
	else
		cause = xstrdup("unknown view");
	if (j == NULL) {
		m->rc = WRC_FAILED;
		m->text = cause;
		return m;
	}
	m->text = jsonx_dump(j);
	json_decref(j);
	return m;
}
