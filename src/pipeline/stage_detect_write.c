/*
 * stage_detect_write.c - what the detect stage writes for a judged run: a
 * signal row (upserted by dedupe_key), its type and severity from the
 * metric's meaning and the run's magnitude, its status and details, and a
 * series' features (delete-and-rebuild from a time on).
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

/* ---- writing ------------------------------------------------------------- */

/* Upserts one signal row. */
int
detect_sig_upsert(struct pipeline_ctx *ctx, const struct sig *s, char **cause)
{
	char svc[24], q[40], on[40], pk[40], en[40], bl[40], pv[40];
	char *det = jsonx_dump(s->details);
	int rc;

	rc = DBXN(ctx->db, cause,
	    "pipeline/detect_signal_upsert",
	    ctx->project, ctx->run, s->dedupe, s->type, s->status,
	    s->service_id > 0 ? pipeline_ll(svc, sizeof svc, s->service_id) : NULL,
	    s->metric, s->labels_key, s->ref, s->severity,
	    pipeline_num(q, sizeof q, s->quality),
	    pipeline_num(on, sizeof on, s->onset),
	    pipeline_num(pk, sizeof pk, s->peak),
	    isnan(s->ended) ? NULL : pipeline_num(en, sizeof en, s->ended),
	    isnan(s->baseline) ? NULL : pipeline_num(bl, sizeof bl, s->baseline),
	    isnan(s->peak_value) ? NULL : pipeline_num(pv, sizeof pv, s->peak_value),
	    s->direction, det);
	free(det);
	return rc;
}

/* Replaces the features of a series from `from` on with the given points. */
int
detect_features_write(struct pipeline_ctx *ctx, const char *svc, const char *metric,
    const char *labels, double from, struct buf *ts, struct buf *names,
    struct buf *vals, char **cause)
{
	char f[40];
	struct db_res *r;

	if (DBXN(ctx->db, cause,
	    "pipeline/detect_features_clear", ctx->project, svc, metric,
	    labels, pipeline_num(f, sizeof f, from)) != 0)
		return -1;
	if (ts->len <= 1)
		return 0;
	buf_addc(ts, '}');
	buf_addc(names, '}');
	buf_addc(vals, '}');
	r = DBQN(ctx->db, cause,
	    "pipeline/detect_features_put", ctx->project, svc, metric, labels,
	    buf_str(ts), buf_str(names), buf_str(vals), ctx->run);
	if (r == NULL)
		return -1;
	db_res_free(r);
	return 0;
}

/* ---- metric series ------------------------------------------------------- */

/* The signal type of a metric run. */
const char *
detect_metric_signal_type(const char *metric, int dir)
{
	if (strcmp(metric, "request_rate") == 0)
		return dir > 0 ? "traffic_surge" : "traffic_drop";
	if (strcmp(metric, "error_ratio") == 0)
		return "error_rate_spike";
	if (strcmp(metric, "latency_p99_ms") == 0)
		return "latency_regression";
	if (strcmp(metric, "cpu_utilization") == 0 ||
	    strcmp(metric, "memory_utilization") == 0)
		return "saturation";
	if (strcmp(metric, "restarts") == 0)
		return "crashloop";
	return "custom";
}

/* The severity of a metric run from its magnitude. */
const char *
detect_metric_severity(const char *type, const struct detect_run *r)
{
	double ratio = r->baseline > 0 ? r->peak_value / r->baseline : 0;

	if (r->flapping)
		return "low";
	if (strcmp(type, "error_rate_spike") == 0)
		return r->peak_value >= 0.10 ? "critical" :
		    r->peak_value >= 0.05 ? "high" :
		    r->peak_value >= 0.02 ? "medium" : "low";
	if (strcmp(type, "latency_regression") == 0)
		return ratio >= 5 ? "high" : ratio >= 2 ? "medium" : "low";
	if (strcmp(type, "saturation") == 0)
		return r->peak_value >= 0.95 ? "high" : "medium";
	if (strcmp(type, "traffic_surge") == 0)
		return ratio >= 3 ? "high" : ratio >= 2 ? "medium" : "low";
	if (strcmp(type, "traffic_drop") == 0)
		return ratio <= 0.3 ? "high" : ratio <= 0.6 ? "medium" : "low";
	if (strcmp(type, "crashloop") == 0)
		return "high";
	return r->quality >= 0.5 ? "medium" : "low";
}

/* The lifecycle status of a new signal: watch when weak, short or flapping,
 * and when it is a spike (isolated points, however many: policy
 * detect.spike_factor - watched, never an anchor). */
const char *
detect_run_status(const struct detect_run *r)
{
	return r->flapping || r->spike || r->quality < POLICY(WATCH_QUALITY) ||
	    !r->is_signal ? "watch" :
	    "active";
}

/* The details object of a run. */
json_t *
detect_run_details(const struct detect_run *r, int seasonal)
{
	return json_pack("{s:b, s:i, s:i, s:i, s:f, s:f, s:b, s:b, s:b, s:f,"
	    " s:b, s:b, s:i}",
	    "flapping", r->flapping, "cycles", r->cycles,
	    "anomalous_points", r->anomalous, "longest", r->longest,
	    "median_z", round(r->median_z * 100) / 100,
	    "peak_z", round(r->peak_z * 100) / 100, "open", r->open,
	    "level_shift", r->level_shift, "seasonal", seasonal,
	    "step_s", r->step, "spike", r->spike, "short", r->short_extreme,
	    "history_points", r->history);
}
