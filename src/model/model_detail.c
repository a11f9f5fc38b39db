/*
 * model_detail.c - what the detail view of one incident adds to the
 * snapshot, loaded on demand (model_load_detail): its timeline (everything
 * around it on one axis), its anomalous series and its markdown report.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* Frees an incident's timeline and series (model_int.h). */
void
model_detail_clear(struct mw_incident *inc)
{
	size_t i;

	for (i = 0; i < inc->n_timeline; i++) {
		free(inc->timeline[i].kind);
		free(inc->timeline[i].label);
	}
	free(inc->timeline);
	inc->timeline = NULL;
	inc->n_timeline = 0;
	model_series_free(inc->series, inc->n_series);
	inc->series = NULL;
	free(inc->report_md);
	inc->report_md = NULL;
	inc->n_series = 0;
}

/* Loads the timeline of inc (model/timeline: everything around it on one
 * axis); 0 or -1. */
static int
model_load_timeline(struct db *db, const char *project, const char *incident,
    struct mw_incident *inc, char **cause)
{
	struct db_res *r;
	char limit[16];
	int i, n, c_at, c_kind, c_label;

	snprintf(limit, sizeof limit, "%d", MODEL_MAX_TIMELINE);
	r = DBQN(db, cause, "model/timeline", project, incident, limit,
	    inc->as_is ? "false" : "true");
	if (r == NULL)
		return -1;
	c_at = db_col(r, "at");
	c_kind = db_col(r, "kind");
	c_label = db_col(r, "label");
	n = db_res_rows(r);
	inc->timeline = n > 0 ? xcalloc((size_t)n, sizeof *inc->timeline) : NULL;
	for (i = 0; i < n; i++) {
		struct mw_timeline_item *t = &inc->timeline[inc->n_timeline++];

		t->ts = db_res_f(r, i, c_at);
		t->kind = model_col_dup(r, i, c_kind);
		t->label = model_col_dup(r, i, c_label);
	}
	db_res_free(r);
	return 0;
}

/* Loads inc's markdown report (NULL when the pipeline wrote none); 0 or
 * -1. */
static int
model_load_report(struct db *db, const char *project, const char *incident,
    struct mw_incident *inc, char **cause)
{
	struct db_res *r;

	r = DBQN(db, cause, "model/report", project, incident);
	if (r == NULL)
		return -1;
	inc->report_md = db_res_rows(r) > 0 ?
	    model_col_dup(r, 0, db_col(r, "markdown")) : NULL;
	db_res_free(r);
	return 0;
}

/* Loads (or reloads) the timeline and series of inc (see model.h). */
int
model_load_detail(struct db *db, long long project_id, struct mw_incident *inc,
    char **cause)
{
	char project[24], incident[24];

	model_detail_clear(inc);
	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(incident, sizeof incident, "%lld", inc->id);
	if (model_load_timeline(db, project, incident, inc, cause) != 0 ||
	    model_series_load(db, project_id, inc->id, 0, &inc->series,
	    &inc->n_series, cause) != 0 ||
	    model_load_report(db, project, incident, inc, cause) != 0) {
		model_detail_clear(inc);
		return -1;
	}
	return 0;
}
