/*
 * model_incident_alerts.c - the snapshot's alerts: the loaded incidents'
 * own and the project's newest, each also attached to its incident (a
 * shallow copy: the list owns the strings; a step
 * of model.c's snapshot load, model_int.h).  `midwatch alerts` has its own
 * list (model_alerts.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/severity.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* The columns of model/snapshot_alerts (the statement says why it is
 * written as it is). */
enum {
	AC_ID, AC_INCIDENT, AC_TITLE, AC_MESSAGE, AC_SEVERITY, AC_STATUS,
	AC_CREATED, AC_ACKED_BY, AC_ACKED_AT, AC_SILENCED, AC_SERVICE, AC_RULE,
	AC_FIRES, AC_LAST_FIRED, AC_SOURCE, AC_LABELS, AC_ANNOTATIONS,
	AC_AM_SILENCE, AC_AM_STATE, AC_AM_ENDS, AC_HEAD, AC_MEMBERS, AC_REASON,
	AC_N
};
static const char *const ac_names[AC_N] = {
	"id", "incident_id", "title", "message", "severity", "status",
	"created_at", "acked_by", "acked_at", "silenced_until", "service",
	"rule", "fire_count", "last_fired_at", "source", "labels",
	"annotations", "am_silence", "am_silence_state", "am_silence_ends",
	"group_head_id", "group_members",
	"group_reason"
};

/* Fills one alert from row i of r (c: its columns). */
static void
model_fill_alert(struct mw_alert *a, const struct db_res *r, int i,
    const int *c)
{
	a->id = db_res_ll(r, i, c[AC_ID]);
	a->incident_id = db_res_ll(r, i, c[AC_INCIDENT]);
	a->title = model_col_dup(r, i, c[AC_TITLE]);
	a->message = model_col_dup(r, i, c[AC_MESSAGE]);
	a->severity = model_col_dup(r, i, c[AC_SEVERITY]);
	a->status = model_col_dup(r, i, c[AC_STATUS]);
	a->created_at = db_res_f(r, i, c[AC_CREATED]);
	a->acked_by = model_col_dup(r, i, c[AC_ACKED_BY]);
	a->acked_at = db_res_f(r, i, c[AC_ACKED_AT]);
	a->silenced_until = db_res_f(r, i, c[AC_SILENCED]);
	a->service = model_col_dup(r, i, c[AC_SERVICE]);
	a->rule = model_col_dup(r, i, c[AC_RULE]);
	a->fire_count = (int)db_res_ll(r, i, c[AC_FIRES]);
	a->last_fired_at = db_res_f(r, i, c[AC_LAST_FIRED]);
	a->source = model_col_dup(r, i, c[AC_SOURCE]);
	a->labels = model_col_dup(r, i, c[AC_LABELS]);
	a->annotations = model_col_dup(r, i, c[AC_ANNOTATIONS]);
	a->am_silence = model_col_dup(r, i, c[AC_AM_SILENCE]);
	a->am_silence_state = model_col_dup(r, i, c[AC_AM_STATE]);
	a->am_silence_ends = db_res_f(r, i, c[AC_AM_ENDS]);
	a->group_head_id = db_res_ll(r, i, c[AC_HEAD]);
	a->group_members = (int)db_res_ll(r, i, c[AC_MEMBERS]);
	a->group_reason = model_col_dup(r, i, c[AC_REASON]);
}

/* Queues the snapshot's alerts query (model_int.h). */
int
model_snapshot_alerts_queue(struct db_batch *b, const char *project,
    const char *ids, int newest, const char *published)
{
	char limit[16];

	snprintf(limit, sizeof limit, "%d", newest);
	return DBBN(b, "model/snapshot_alerts", project, ids, limit,
	    published);
}

/* One alert's place in the snapshot's order. */
struct alert_key {
	int rank;		/* severity_rank: -1 (none) last */
	double created_at;
	long long id;
	size_t at;		/* its index in the result */
};

/* The snapshot's order, as `midwatch alerts` lists them: the most severe
 * first, then the newest, then the highest id (ids are unique). */
static int
alert_key_cmp(const void *a, const void *b)
{
	const struct alert_key *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	if (x->created_at != y->created_at)
		return x->created_at > y->created_at ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

/* Puts the n alerts of list in the snapshot's order: a sort of 9,400
 * small keys here, where the statement's ORDER BY sorted the wide rows
 * (a third of its time, doc/performance.md). */
static void
alerts_sort(struct mw_alert *list, size_t n)
{
	struct alert_key *k = xcalloc(n + 1, sizeof *k);
	struct mw_alert *tmp = xcalloc(n + 1, sizeof *tmp);
	size_t i;

	for (i = 0; i < n; i++) {
		k[i].rank = severity_rank(list[i].severity);
		k[i].created_at = list[i].created_at;
		k[i].id = list[i].id;
		k[i].at = i;
	}
	qsort(k, n, sizeof *k, alert_key_cmp);
	for (i = 0; i < n; i++)
		tmp[i] = list[k[i].at];
	memcpy(list, tmp, n * sizeof *list);
	free(tmp);
	free(k);
}

/* Fills the snapshot's alerts from the rows of r, in the snapshot's order,
 * and gives each incident its own: copies of the list's entries whose
 * strings the list owns (each alert is read from the result once;
 * model_int.h). */
void
model_snapshot_alerts_attach(const struct db_res *r, struct mw_snapshot *s,
    const struct model_idx *map)
{
	struct mw_incident *inc;
	size_t *counts, i;
	long idx;
	int c[AC_N], row, n;

	db_cols(r, ac_names, c, AC_N);
	n = db_res_rows(r);
	s->alerts = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s->alerts);
	for (row = 0; row < n; row++)
		model_fill_alert(&s->alerts[s->n_alerts++], r, row, c);
	alerts_sort(s->alerts, s->n_alerts);
	counts = xcalloc(s->n_incidents + 1, sizeof *counts);
	for (i = 0; i < s->n_alerts; i++) {
		idx = model_idx_find(map, s->n_incidents,
		    s->alerts[i].incident_id);
		if (idx >= 0)
			counts[idx]++;
	}
	for (idx = 0; (size_t)idx < s->n_incidents; idx++)
		if (counts[idx] > 0)
			s->incidents[idx].alerts = xcalloc(counts[idx],
			    sizeof *s->incidents[idx].alerts);
	for (i = 0; i < s->n_alerts; i++) {
		idx = model_idx_find(map, s->n_incidents,
		    s->alerts[i].incident_id);
		if (idx < 0)
			continue;
		/* the same alert, its strings shared with the list's */
		inc = &s->incidents[idx];
		inc->alerts[inc->n_alerts++] = s->alerts[i];
	}
	free(counts);
}
