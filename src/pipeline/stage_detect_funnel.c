/*
 * stage_detect_funnel.c - the detect stage's funnels: each funnel's
 * conversion ratio (last step / first step) judged as a series, its drops
 * written as conversion_drop signals with the revenue at risk; each funnel
 * a unit.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/detect.h"
#include "midwatch/jsonx.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "detect_int.h"
#include "pipeline_int.h"

/* ---- funnels ------------------------------------------------------------- */

/* Judges one funnel's conversion ratio and writes conversion_drop signals. */
static int
detect_funnel(struct pipeline_ctx *ctx, const char *funnel, long long svc_id,
    struct detect_counts *dc, char **cause)
{
	struct detect_params p;
	struct detect_point *pts = NULL;
	struct detect_eval *ev = NULL;
	struct detect_run *runs = NULL, *r;
	double *entered = NULL, *rpc = NULL, lost, ratio;
	struct db_res *res;
	struct sig s;
	char lb[40];
	size_t n, nruns = 0, i, k;
	int rows, rc = -1, ct, cx, ce, cr;

	policy_param(lb, sizeof lb, POL_DETECT_LOOKBACK);
	res = DBQN(ctx->db, cause, "pipeline/detect_funnel_read", ctx->project,
	    funnel, ctx->start_ts, ctx->end_ts, lb);
	if (res == NULL)
		return -1;
	rows = db_res_rows(res);
	ct = db_col(res, "t");
	cx = db_col(res, "ratio");
	ce = db_col(res, "entered");
	cr = db_col(res, "revenue_per_conversion");
	n = (size_t)rows;
	pts = xcalloc(n + 1, sizeof *pts);
	entered = xcalloc(n + 1, sizeof *entered);
	rpc = xcalloc(n + 1, sizeof *rpc);
	for (i = 0; i < n; i++) {
		pts[i].t = db_res_f(res, (int)i, ct);
		pts[i].x = db_res_f(res, (int)i, cx);
		entered[i] = db_res_f(res, (int)i, ce);
		rpc[i] = db_res_f(res, (int)i, cr);
	}
	db_res_free(res);
	dc->series++;
	dc->points += (long long)n;
	detect_params_for_conversion(&p);
	ev = xcalloc(n + 1, sizeof *ev);
	detect_series(&p, pts, n, ev, &runs, &nruns);
	for (k = 0; k < nruns; k++) {
		r = &runs[k];
		if (!r->is_signal || pts[r->last].t < ctx->start)
			continue;
		lost = 0;
		ratio = 0;
		for (i = r->first; i <= r->last; i++) {
			if (!ev[i].anomalous || ev[i].baseline <= pts[i].x)
				continue;
			lost += (ev[i].baseline - pts[i].x) * entered[i];
			ratio += (ev[i].baseline - pts[i].x) * entered[i] * rpc[i];
		}
		memset(&s, 0, sizeof s);
		s.type = "conversion_drop";
		s.status = detect_run_status(r);
		s.service_id = svc_id;
		s.metric = "conversion";
		s.labels_key = "";
		s.ref = funnel;
		s.severity = r->peak_value <= 0.5 * r->baseline ? "high" : "medium";
		s.quality = r->quality;
		s.onset = pts[r->first].t;
		s.peak = pts[r->peak].t;
		s.ended = r->open ? NAN : pts[r->last].t + 300;
		s.baseline = r->baseline;
		s.peak_value = r->peak_value;
		s.direction = "down";
		s.details = detect_run_details(r, 0);
		json_object_set_new(s.details, "funnel", json_string(funnel));
		json_object_set_new(s.details, "lost_conversions",
		    json_real(round(lost * 10) / 10));
		json_object_set_new(s.details, "revenue_at_risk",
		    json_pack("{s:f, s:f}", "low", round(0.75 * ratio),
		    "high", round(1.25 * ratio)));
		s.dedupe = xasprintf("f:%s:%.0f", funnel, s.onset);
		rc = detect_sig_upsert(ctx, &s, cause);
		json_decref(s.details);
		free(s.dedupe);
		if (rc != 0)
			goto out;
		rc = -1;
		dc->signals++;
	}
	rc = 0;
out:
	free(runs);
	free(ev);
	free(rpc);
	free(entered);
	free(pts);
	return rc;
}

/* Judges every funnel with snapshots in the window, each a unit. */
int
detect_funnels(struct pipeline_ctx *ctx, struct detect_counts *dc, char **cause)
{
	struct db_res *r;
	const char *funnel;
	char *ucause = NULL;
	int i, rows, rc = 0;

	r = DBQN(ctx->db, cause, "pipeline/detect_funnels", ctx->project, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	rows = db_res_rows(r);
	for (i = 0; i < rows && rc == 0; i++) {
		funnel = db_val(r, i, "funnel_type");
		rc = pipeline_unit_begin(ctx, "detect", "funnel", funnel, &ucause);
		if (rc == 0)
			rc = detect_funnel(ctx, funnel,
			    db_val_ll(r, i, "service_id"), dc,
			    &ucause);
		if (rc != 0)
			detect_keep_add(dc, "conversion_drop", NULL, NULL, NULL, funnel);
		rc = pipeline_unit_end(ctx, rc, "detect", "funnel", funnel,
		    &ucause, cause);
	}
	db_res_free(r);
	return rc;
}
