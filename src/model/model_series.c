/*
 * model_series.c - metric series for the console's sparklines: an
 * incident's anomalous series, or the one series a metric evidence item
 * cites, bucketed in SQL around the incident's window, with the detector's
 * baseline, the spread it judged against, and every number a person reads
 * formatted in the metric's unit by the same SQL function the evidence
 * summaries use (midwatch.pipeline_fmt_metric: %, ms, req/s).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* The columns of model/series (its header says what they are). */
enum {
	SC_K, SC_SERVICE, SC_METRIC, SC_ONSET, SC_T, SC_V, SC_B, SC_SPREAD,
	SC_LO, SC_HI, SC_MIN_T, SC_MAX_T, SC_LAST_T, SC_BASE_T, SC_SPREAD_T,
	SC_LO_T, SC_HI_T, SC_N
};
static const char *const sc_names[SC_N] = {
	"k", "service", "metric", "onset", "t", "v", "b", "spread", "lo", "hi",
	"min_text", "max_text", "last_text", "base_text", "spread_text",
	"lo_text", "hi_text"
};

/* A number column, NAN for NULL. */
static double
series_num(const struct db_res *r, int row, int col)
{
	return db_res_isnull(r, row, col) ? NAN : db_res_f(r, row, col);
}

/* Fills one series from rows [i, j) of r (all of the same series; c: the
 * columns). */
static void
series_fill(struct mw_series *sr, const struct db_res *r, int i, int j,
    const int *c)
{
	size_t n = (size_t)(j - i), k;
	double last = NAN;
	int any = 0, row;

	sr->service = model_col_dup(r, i, c[SC_SERVICE]);
	sr->metric = model_col_dup(r, i, c[SC_METRIC]);
	sr->onset = db_res_f(r, i, c[SC_ONSET]);
	sr->spread = series_num(r, i, c[SC_SPREAD]);
	sr->lo = series_num(r, i, c[SC_LO]);
	sr->hi = series_num(r, i, c[SC_HI]);
	sr->min_text = model_col_dup(r, i, c[SC_MIN_T]);
	sr->max_text = model_col_dup(r, i, c[SC_MAX_T]);
	sr->last_text = model_col_dup(r, i, c[SC_LAST_T]);
	sr->base_text = model_col_dup(r, i, c[SC_BASE_T]);
	sr->spread_text = model_col_dup(r, i, c[SC_SPREAD_T]);
	sr->lo_text = model_col_dup(r, i, c[SC_LO_T]);
	sr->hi_text = model_col_dup(r, i, c[SC_HI_T]);
	sr->n = n;
	sr->ts = xcalloc(n, sizeof *sr->ts);
	sr->value = xcalloc(n, sizeof *sr->value);
	for (row = i; row < j; row++)
		if (!db_res_isnull(r, row, c[SC_B])) {
			if (!any)
				last = db_res_f(r, row, c[SC_B]);
			any = 1;
		}
	if (any)
		sr->baseline = xcalloc(n, sizeof *sr->baseline);
	for (k = 0, row = i; row < j; row++, k++) {
		sr->ts[k] = db_res_f(r, row, c[SC_T]);
		sr->value[k] = db_res_f(r, row, c[SC_V]);
		if (!any)
			continue;
		/* Gaps in the baseline carry the previous value forward. */
		if (!db_res_isnull(r, row, c[SC_B]))
			last = db_res_f(r, row, c[SC_B]);
		sr->baseline[k] = last;
	}
}

/* Loads series (see model.h). */
int
model_series_load(struct db *db, long long project_id, long long incident_id,
    long long evidence_id, struct mw_series **out, size_t *n_out, char **cause)
{
	struct db_res *r;
	char project[24], incident[24], evidence[24], points[16], series[16];
	int c[SC_N], i, j, n, count = 0;

	*out = NULL;
	*n_out = 0;
	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(incident, sizeof incident, "%lld", incident_id);
	snprintf(evidence, sizeof evidence, "%lld", evidence_id);
	snprintf(points, sizeof points, "%d", MODEL_MAX_POINTS);
	snprintf(series, sizeof series, "%d", MODEL_MAX_SERIES);
	r = DBQN(db, cause, "model/series", project, incident, points, series,
	    evidence_id > 0 ? evidence : NULL);
	if (r == NULL)
		return -1;
	db_cols(r, sc_names, c, SC_N);
	n = db_res_rows(r);
	for (i = 0; i < n; i++)
		if (i == 0 || db_res_ll(r, i, c[SC_K]) !=
		    db_res_ll(r, i - 1, c[SC_K]))
			count++;
	*out = count > 0 ? xcalloc((size_t)count, sizeof **out) : NULL;
	for (i = 0; i < n; i = j) {
		for (j = i; j < n &&
		    db_res_ll(r, j, c[SC_K]) == db_res_ll(r, i, c[SC_K]);
		    j++)
			;
		series_fill(&(*out)[(*n_out)++], r, i, j, c);
	}
	db_res_free(r);
	return 0;
}

/* Frees n series and the array. */
void
model_series_free(struct mw_series *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].service);
		free(s[i].metric);
		free(s[i].ts);
		free(s[i].value);
		free(s[i].baseline);
		free(s[i].min_text);
		free(s[i].max_text);
		free(s[i].last_text);
		free(s[i].base_text);
		free(s[i].spread_text);
		free(s[i].lo_text);
		free(s[i].hi_text);
	}
	free(s);
}
