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

/*
 * The metric series of the incident's signals (the MODEL_MAX_SERIES best by
 * quality), or with $5 the series of that evidence item's signal (its
 * metadata's signal_id, else the incident's signal of its service and
 * metric), averaged per bucket over the window +- 1 h, with the detector's
 * baseline feature where there is one (else the signal's baseline value).
 * Buckets are one minute, widened so no series has more than
 * MODEL_MAX_POINTS points.
 *
 * The spread is the scale the detector divided by: at each judged point
 * z = (value - baseline) / scale, so scale = |value - baseline| / |z|; its
 * median over the points with |z| >= 0.5 (the zscore feature is rounded to
 * 0.001).  The band is the baseline's median +- that spread.  lo and hi
 * are the chart's scale: the values and the band.
 */
static const char model_sql_series[] =
    "WITH inc AS ("
    "	SELECT i.id, i.window_start - interval '1 hour' AS t0,"
    "	       i.window_end + interval '1 hour' AS t1,"
    "	       greatest(60, ceil(extract(epoch FROM i.window_end - i.window_start"
    "	                + interval '2 hours') / $3::integer / 60) * 60) AS bw"
    "	  FROM midwatch.incidents i WHERE i.project_id = $1 AND i.id = $2),"
    " ev AS ("
    "	SELECT (e.metadata ->> 'signal_id')::bigint AS sid, e.service_id,"
    "	       e.metadata ->> 'metric' AS metric"
    "	  FROM midwatch.evidence_artifacts e"
    "	 WHERE e.project_id = $1 AND e.id = $5::bigint),"
    " s AS ("
    "	SELECT row_number() OVER (ORDER BY q.quality DESC, q.onset,"
    "	       q.service_id, q.metric_name, q.labels_key) AS k, q.*"
    "	  FROM (SELECT g.service_id, g.metric_name, g.labels_key,"
    "	               min(g.onset_at) AS onset, max(g.quality_score) AS quality,"
    "	               max(g.baseline) AS baseline"
    "	          FROM midwatch.signals g, inc"
    "	         WHERE g.project_id = $1"
    "	           AND g.metric_name IS NOT NULL AND g.service_id IS NOT NULL"
    "	           AND CASE WHEN $5::bigint IS NULL THEN g.incident_id = inc.id"
    "	               ELSE EXISTS (SELECT 1 FROM ev WHERE ev.sid = g.id"
    "	                    OR (ev.sid IS NULL AND g.incident_id = inc.id"
    "	                        AND g.service_id = ev.service_id"
    "	                        AND g.metric_name = ev.metric)) END"
    "	         GROUP BY 1, 2, 3) q"
    "	 ORDER BY 1 LIMIT $4),"
    " pts AS ("
    "	SELECT s.k, floor(extract(epoch FROM m.ts) / inc.bw) * inc.bw AS t,"
    "	       avg(midwatch.metric_value(m.value)) AS v"
    "	  FROM s CROSS JOIN inc"
    "	  JOIN midwatch.metric_points m ON m.project_id = $1"
    "	   AND m.service_id = s.service_id AND m.metric_name = s.metric_name"
    "	   AND m.labels_key = s.labels_key AND m.ts >= inc.t0 AND m.ts < inc.t1"
    "	 GROUP BY 1, 2),"
    " f AS ("
    "	SELECT s.k, x.ts, x.feature_name, midwatch.metric_value(x.value) AS v"
    "	  FROM s CROSS JOIN inc"
    "	  JOIN midwatch.anomaly_features x ON x.project_id = $1"
    "	   AND x.service_id = s.service_id AND x.metric_name = s.metric_name"
    "	   AND x.labels_key = s.labels_key"
    "	   AND x.feature_name IN ('baseline', 'value', 'zscore')"
    "	   AND x.ts >= inc.t0 AND x.ts < inc.t1),"
    " base AS ("
    "	SELECT f.k, floor(extract(epoch FROM f.ts) / inc.bw) * inc.bw AS t,"
    "	       avg(f.v) AS v"
    "	  FROM f CROSS JOIN inc WHERE f.feature_name = 'baseline'"
    "	 GROUP BY 1, 2),"
    " spr AS ("
    "	SELECT b.k, percentile_cont(0.5) WITHIN GROUP (ORDER BY b.v) AS bmed,"
    "	       percentile_cont(0.5) WITHIN GROUP (ORDER BY"
    "	           abs(x.v - b.v) / abs(z.v)) FILTER (WHERE abs(z.v) >= 0.5)"
    "	           AS spread"
    "	  FROM f b"
    "	  LEFT JOIN f z ON z.k = b.k AND z.ts = b.ts AND z.feature_name = 'zscore'"
    "	  LEFT JOIN f x ON x.k = b.k AND x.ts = b.ts AND x.feature_name = 'value'"
    "	 WHERE b.feature_name = 'baseline'"
    "	 GROUP BY 1),"
    " j AS ("
    "	SELECT s.k, sv.name, s.metric_name, s.onset, p.t, p.v,"
    "	       coalesce(b.v, s.baseline) AS b, x.spread,"
    "	       coalesce(x.bmed, s.baseline) AS bmed"
    "	  FROM s"
    "	  JOIN midwatch.services sv ON sv.project_id = $1 AND sv.id = s.service_id"
    "	  JOIN pts p ON p.k = s.k"
    "	  LEFT JOIN base b ON b.k = p.k AND b.t = p.t"
    "	  LEFT JOIN spr x ON x.k = s.k),"
    " a AS ("
    "	SELECT j.*, min(j.v) OVER w AS vmin, max(j.v) OVER w AS vmax,"
    "	       last_value(j.v) OVER (w ORDER BY j.t ROWS BETWEEN UNBOUNDED"
    "	           PRECEDING AND UNBOUNDED FOLLOWING) AS vlast,"
    "	       least(min(j.v) OVER w, min(j.b) OVER w - j.spread) AS lo,"
    "	       greatest(max(j.v) OVER w, max(j.b) OVER w + j.spread) AS hi"
    "	  FROM j WINDOW w AS (PARTITION BY j.k))"
    " SELECT a.k, a.name, a.metric_name, extract(epoch FROM a.onset), a.t, a.v,"
    "        a.b, a.spread, a.lo, a.hi,"
    "        midwatch.pipeline_fmt_metric(a.metric_name, a.vmin),"
    "        midwatch.pipeline_fmt_metric(a.metric_name, a.vmax),"
    "        midwatch.pipeline_fmt_metric(a.metric_name, a.vlast),"
    "        CASE WHEN a.bmed IS NOT NULL"
    "             THEN midwatch.pipeline_fmt_metric(a.metric_name, a.bmed) END,"
    "        CASE WHEN a.spread IS NOT NULL"
    "             THEN midwatch.pipeline_fmt_metric(a.metric_name, a.spread) END,"
    "        midwatch.pipeline_fmt_metric(a.metric_name, a.lo),"
    "        midwatch.pipeline_fmt_metric(a.metric_name, a.hi)"
    "   FROM a ORDER BY a.k, a.t";

enum {
	SC_K, SC_SERVICE, SC_METRIC, SC_ONSET, SC_T, SC_V, SC_B, SC_SPREAD,
	SC_LO, SC_HI, SC_MIN_T, SC_MAX_T, SC_LAST_T, SC_BASE_T, SC_SPREAD_T,
	SC_LO_T, SC_HI_T
};

/* A number column, NAN for NULL. */
static double
series_num(const struct db_res *r, int row, int col)
{
	return db_res_isnull(r, row, col) ? NAN : db_res_f(r, row, col);
}

/* Fills one series from rows [i, j) of r (all of the same series). */
static void
series_fill(struct mw_series *sr, const struct db_res *r, int i, int j)
{
	size_t n = (size_t)(j - i), k;
	double last = NAN;
	int any = 0, row;

	sr->service = model_col_dup(r, i, SC_SERVICE);
	sr->metric = model_col_dup(r, i, SC_METRIC);
	sr->onset = db_res_f(r, i, SC_ONSET);
	sr->spread = series_num(r, i, SC_SPREAD);
	sr->lo = series_num(r, i, SC_LO);
	sr->hi = series_num(r, i, SC_HI);
	sr->min_text = model_col_dup(r, i, SC_MIN_T);
	sr->max_text = model_col_dup(r, i, SC_MAX_T);
	sr->last_text = model_col_dup(r, i, SC_LAST_T);
	sr->base_text = model_col_dup(r, i, SC_BASE_T);
	sr->spread_text = model_col_dup(r, i, SC_SPREAD_T);
	sr->lo_text = model_col_dup(r, i, SC_LO_T);
	sr->hi_text = model_col_dup(r, i, SC_HI_T);
	sr->n = n;
	sr->ts = xcalloc(n, sizeof *sr->ts);
	sr->value = xcalloc(n, sizeof *sr->value);
	for (row = i; row < j; row++)
		if (!db_res_isnull(r, row, SC_B)) {
			if (!any)
				last = db_res_f(r, row, SC_B);
			any = 1;
		}
	if (any)
		sr->baseline = xcalloc(n, sizeof *sr->baseline);
	for (k = 0, row = i; row < j; row++, k++) {
		sr->ts[k] = db_res_f(r, row, SC_T);
		sr->value[k] = db_res_f(r, row, SC_V);
		if (!any)
			continue;
		/* Gaps in the baseline carry the previous value forward. */
		if (!db_res_isnull(r, row, SC_B))
			last = db_res_f(r, row, SC_B);
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
	int i, j, n, count = 0;

	*out = NULL;
	*n_out = 0;
	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(incident, sizeof incident, "%lld", incident_id);
	snprintf(evidence, sizeof evidence, "%lld", evidence_id);
	snprintf(points, sizeof points, "%d", MODEL_MAX_POINTS);
	snprintf(series, sizeof series, "%d", MODEL_MAX_SERIES);
	r = DBQ(db, cause, model_sql_series, project, incident, points, series,
	    evidence_id > 0 ? evidence : NULL);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	for (i = 0; i < n; i++)
		if (i == 0 || db_res_ll(r, i, SC_K) != db_res_ll(r, i - 1, SC_K))
			count++;
	*out = count > 0 ? xcalloc((size_t)count, sizeof **out) : NULL;
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && db_res_ll(r, j, SC_K) == db_res_ll(r, i, SC_K);
		    j++)
			;
		series_fill(&(*out)[(*n_out)++], r, i, j);
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
