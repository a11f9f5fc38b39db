/*
 * stage_recommend.c - pipeline stage "recommend": turns the hypotheses of
 * the incidents this run touched into recommendations, from templates keyed
 * by hypothesis type (release -> roll back the deploy, config -> revert the
 * change, ...), and applies the evidence gate.
 *
 * A recommendation is identified by (incident, template, hypothesis
 * dedupe_key), so re-running keeps its id, its human status (acknowledged,
 * done, dismissed) and its shown counters; only the text and the gate are
 * refreshed.  The gate itself is midwatch.apply_recommendation_gate()
 * (005_feedback.sql), shared with feedback so that rejecting a hypothesis
 * hides its recommendations at once: a recommendation is publishable when
 * its hypothesis cites at least one supporting evidence artifact, is not
 * rejected, and unless confirmed has confidence >= 0.20 and rank <= 3.
 * Otherwise it is kept for audit with publishable = false and a gate_reason.
 *
 * Touched incidents: approved, open or triaged, and written by this run
 * (the incident or one of its hypotheses carries the run_id) or overlapping
 * the run's window.  Three statements: upsert, gate, count.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "pipeline_int.h"

/* Writes, gates and counts the recommendations of the run's incidents. */
static int
recommend_all(struct pipeline_ctx *ctx, char **cause)
{
	struct db_res *r;
	long long written, gated, publishable, total;

	r = DBQN(ctx->db, cause, "pipeline/recommend_upsert", ctx->project,
	    ctx->run, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	written = db_val_ll(r, 0, "written");
	db_res_free(r);
	/* A separate statement: the gate must see the rows just written. */
	r = DBQN(ctx->db, cause, "pipeline/recommend_gate", ctx->project,
	    ctx->run, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	gated = db_val_ll(r, 0, "gated");
	db_res_free(r);
	/* a statement of its own: it must see the gate's update */
	r = DBQN(ctx->db, cause, "pipeline/recommend_count", ctx->project,
	    ctx->run, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	publishable = db_val_ll(r, 0, "publishable");
	total = db_val_ll(r, 0, "total");
	db_res_free(r);
	log_debug("recommend: %lld written, %lld re-gated, %lld of %lld "
	    "publishable", written, gated, publishable, total);
	if (ctx->summary != NULL)
		json_object_set_new(ctx->summary, "recommend",
		    json_pack("{sIsIsIsI}", "written", (json_int_t)written,
		    "regated", (json_int_t)gated, "publishable",
		    (json_int_t)publishable, "total", (json_int_t)total));
	return 0;
}

/* Runs the stage (see pipeline.h): its set-based statements are one unit. */
int
stage_recommend_run(struct pipeline_ctx *ctx, char **cause)
{
	char *ucause = NULL;
	int rc;

	rc = pipeline_unit_begin(ctx, "recommend", "incidents", "all", &ucause);
	if (rc == 0)
		rc = recommend_all(ctx, &ucause);
	return pipeline_unit_end(ctx, rc, "recommend", "incidents", "all",
	    &ucause, cause);
}
