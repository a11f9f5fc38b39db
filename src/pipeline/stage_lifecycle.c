/*
 * stage_lifecycle.c - pipeline stage "lifecycle" (issue 10): what closes by
 * itself, after recommend and before alert (so an incident's alert resolves
 * in the run that resolves the incident).
 *
 *  - An open or triaged incident all of whose signals - and those of the
 *    candidates suppressed as its duplicates: trouble that came back while
 *    it was open - ended at least the quiet period (policy
 *    incident.quiet_period, per project in projects.settings) before the
 *    run's window end resolves (not one an investigation opened: that is
 *    the operator's to close): status
 *    resolved by 'midwatch', resolved_data_at = its last signal's end + the
 *    quiet period, and a resolution summary saying what cleared when.  An
 *    incident whose latest status change is an operator's reopening is left
 *    to the operator.
 *  - A rollback or config-revert recommendation whose action already
 *    happened is done: the next deploy of the service after the blamed one
 *    is a rollback or redeploys the blamed deploy's previous revision; a
 *    later change of the same resource (and service) sets every field of
 *    the blamed change back to its old value (redacted values never match).
 *    The evidence goes into details.already_done.
 *
 * Each transition is a feedback_events row (actor_type system, the reason,
 * the run id, automatic: true) keyed by target and run; a transition happens
 * only from the state it leaves, so re-running a window adds nothing.
 * Reopening on recurrence is the gate's (stage_gate.c), since it decides
 * which incident a new anomaly belongs to.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "pipeline_int.h"

/* Runs one transition statement (query name, whose count column is named
 * key) as a unit; adds its count to the summary
 * under key.  0, or -1 with *cause when the run must fail. */
static int
lifecycle_pass(struct pipeline_ctx *ctx, const char *key, const char *name,
    const char *extra, char **cause)
{
	struct db_res *r;
	char *ucause = NULL;
	long long n = 0;
	int rc;

	rc = pipeline_unit_begin(ctx, "lifecycle", key, "all", &ucause);
	if (rc == 0) {
		if (extra != NULL)
			r = DBQN(ctx->db, &ucause, name, ctx->project, ctx->run,
			    ctx->end_ts, extra);
		else
			r = DBQN(ctx->db, &ucause, name, ctx->project, ctx->run,
			    ctx->end_ts);
		if (r == NULL)
			rc = -1;
		else {
			n = db_val_ll(r, 0, key);
			db_res_free(r);
		}
	}
	if (pipeline_unit_end(ctx, rc, "lifecycle", key, "all", &ucause,
	    cause) != 0)
		return -1;
	pipeline_count(ctx, "lifecycle", key, n);
	return 0;
}

/* Runs the stage (see the top of the file). */
int
stage_lifecycle_run(struct pipeline_ctx *ctx, char **cause)
{
	char quiet[40];

	if (lifecycle_pass(ctx, "incidents_resolved", "pipeline/lifecycle_incidents",
	    policy_param(quiet, sizeof quiet, POL_LIFECYCLE_QUIET), cause) != 0)
		return -1;
	return lifecycle_pass(ctx, "recommendations_done",
	    "pipeline/lifecycle_recommendations", NULL, cause);
}
