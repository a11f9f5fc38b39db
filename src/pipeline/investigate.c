/*
 * investigate.c - "investigate this moment" (issue 8, include/midwatch/
 * investigate.h): an incident anchored at a moment someone names, with root
 * causes ranked by the pipeline's own evidence and hypothesize stages even
 * when its detectors saw nothing.
 *
 * Under the pipeline lock, as a run of its own (pipeline_runs.kind
 * 'investigate', lineage only):
 *
 *  1. an open, approved incident that already covers the moment (for
 *     --service S: one whose services include S) is the answer as it is;
 *  2. otherwise ONE statement scores every metric series of the project:
 *     the minutes of [at, at + window) against the series' own recent
 *     history (the hour before the moment, longer for a sparse series) with
 *     a median and a MAD (scaled, floored), a robust high quantile of the
 *     z-scores after the moment in the direction that is bad for the
 *     metric, a material change, and the first minute it goes abnormal
 *     (from half a window before the moment: which came first);
 *  3. the abnormal series joined by the call graph to the main service (the
 *     one named, else the strongest anomaly) become signals
 *     (details.source = 'investigate': detect and gate leave them alone)
 *     of an incident keyed investigate:<epoch>[:<service id>], approved
 *     with policy gate-v1 ("investigation requested by ..."), audited;
 *  4. the stages evidence, hypothesize, recommend and report run on it,
 *     each in its own transaction (pipeline_run_stages), so its evidence,
 *     hypotheses and recommendations come from the one code path.
 *
 * This file is the run (before it: the service, the data, an incident that
 * already covers the moment; then the stages); step 2 is
 * investigate_score.c, step 3 investigate_cluster.c (the call graph) and
 * investigate_open.c (the incident), their shared state investigate_int.h.
 * Every threshold is a named constant; doc/pipeline.md ("Investigate a
 * moment") describes them.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/investigate.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/severity.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "investigate_int.h"
#include "pipeline_int.h"

/* The stage "investigate": the incident that covers the moment, or a new
 * one from the scores (the stages after it work on the run's incident). */
static int
inv_stage(struct pipeline_ctx *ctx, char **cause)
{
	struct inv *v = (struct inv *)ctx;

	if (v->reuse_id != 0) {
		v->res->incident_id = v->reuse_id;
		v->res->reused = 1;
		pipeline_count(ctx, "investigate", "incident", v->reuse_id);
		pipeline_count(ctx, "investigate", "reused", 1);
		return inv_audit(v, v->reuse_id, cause);
	}
	return inv_open(v, cause);
}

/* A new incident: scored, then the pipeline's own later stages. */
static const struct pipeline_stage inv_stages[] = {
	{ "investigate", inv_stage },
	{ "evidence", stage_evidence_run },
	{ "hypothesize", stage_hypothesize_run },
	{ "recommend", stage_recommend_run },
	{ "report", stage_report_run },
	{ NULL, NULL }
};

/* An incident already covers the moment: it is the answer as it is. */
static const struct pipeline_stage inv_stages_reuse[] = {
	{ "investigate", inv_stage },
	{ NULL, NULL }
};

/* ---- before the run ------------------------------------------------------- */

/* Resolves --service; 0, INVESTIGATE_REFUSED or -1 with *cause. */
static int
inv_service(struct inv *v, char **cause)
{
	struct db_res *r;
	int rc = 0;

	if (v->o->service == NULL)
		return 0;
	r = DBQN(v->pc.db, cause, "pipeline/investigate_service", v->pc.project,
	    v->o->service);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		*cause = xasprintf("no service named '%s' in this project",
		    v->o->service);
		rc = INVESTIGATE_REFUSED;
	} else if (db_res_rows(r) > 1) {
		*cause = xasprintf("the service name '%s' is ambiguous: %d services "
		    "(in different clusters or namespaces) have it",
		    v->o->service, db_res_rows(r));
		rc = INVESTIGATE_REFUSED;
	} else {
		v->svc_id = db_val_ll(r, 0, "id");
		pipeline_ll(v->svc, sizeof v->svc, v->svc_id);
	}
	db_res_free(r);
	return rc;
}

/* Whether there are points to compare: before the moment (within the
 * baseline's reach) and after it (within the window); else says why. */
static int
inv_data(struct inv *v, char **cause)
{
	struct db_res *r;
	char w[24], reach[24];
	int before, after, rc = 0;
	const char *lo, *hi;

	r = DBQN(v->pc.db, cause, "pipeline/investigate_data", v->pc.project,
	    v->at_ts, pipeline_ll(w, sizeof w, v->window),
	    pipeline_ll(reach, sizeof reach, INVESTIGATE_BASE_MAX_SECONDS));
	if (r == NULL)
		return -1;
	before = strcmp(db_val(r, 0, "before_data"), "t") == 0;
	after = strcmp(db_val(r, 0, "after_data"), "t") == 0;
	db_res_free(r);
	if (before && after)
		return 0;
	/* Only now the (slower) range of the whole data, for the message. */
	r = DBQN(v->pc.db, cause, "pipeline/investigate_span", v->pc.project,
	    v->at_ts);
	if (r == NULL)
		return -1;
	lo = db_val(r, 0, "first_ts");
	hi = db_val(r, 0, "last_ts");
	if (lo == NULL)
		*cause = xstrdup("the project has no metric points to investigate "
		    "(ingest some first)");
	else if (strcmp(db_val(r, 0, "at_first"), "t") == 0)
		*cause = xasprintf("nothing before %s to compare with: the "
		    "project's metric points start there", v->at_ts);
	else if (strcmp(db_val(r, 0, "all_after"), "t") == 0)
		*cause = xasprintf("%s is before the project's data (its metric "
		    "points start at %s): nothing before it to compare with",
		    v->at_ts, lo);
	else if (strcmp(db_val(r, 0, "all_before"), "t") == 0)
		*cause = xasprintf("%s is after the project's newest data (%s): "
		    "nothing after it to score", v->at_ts, hi);
	else if (!before)
		*cause = xasprintf("no metric points in the %d hours before %s to "
		    "compare with (the data runs from %s to %s)",
		    INVESTIGATE_BASE_MAX_SECONDS / 3600, v->at_ts, lo, hi);
	else
		*cause = xasprintf("no metric points in the %d minutes after %s "
		    "(the data runs from %s to %s)", v->window / 60, v->at_ts, lo,
		    hi);
	rc = INVESTIGATE_REFUSED;
	db_res_free(r);
	return rc;
}

/* The open, approved incident that covers the moment (for a service: one
 * whose services include it), other than this very investigation's; 0
 * when none, -1 on error. */
static long long
inv_covering(struct inv *v, char **cause)
{
	struct db_res *r;
	char slack[24];
	long long id = 0;

	r = DBQN(v->pc.db, cause, "pipeline/investigate_existing",
	    v->pc.project, v->at_ts,
	    pipeline_ll(slack, sizeof slack, INVESTIGATE_COVER_SLACK), v->key,
	    v->svc_id != 0 ? v->svc : NULL);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) > 0)
		id = db_val_ll(r, 0, "id");
	db_res_free(r);
	return id;
}

/* ---- the run -------------------------------------------------------------- */

/* Investigates one moment (see investigate.h). */
int
investigate_run(struct db *db, long long project_id,
    const struct investigate_opts *opts, struct investigate_result *res,
    char **cause)
{
	struct inv v;
	struct db_res *r;
	char lockkey[32], end[32], *why = NULL;
	const char *by;
	int got, rc, relinked = 0;

	memset(res, 0, sizeof *res);
	memset(&v, 0, sizeof v);
	v.o = opts;
	v.res = res;
	v.pc.db = db;
	v.pc.project_id = project_id;
	pipeline_ll(v.pc.project, sizeof v.pc.project, project_id);
	v.at = floor(opts->at);
	v.window = opts->window > 0 ? opts->window : INVESTIGATE_DEFAULT_WINDOW;
	if (v.window < INVESTIGATE_MIN_WINDOW || v.window > INVESTIGATE_MAX_WINDOW) {
		*cause = xasprintf("the window must be from %ds to %dh",
		    INVESTIGATE_MIN_WINDOW, INVESTIGATE_MAX_WINDOW / 3600);
		return INVESTIGATE_REFUSED;
	}
	timefmt_format(v.at, v.at_ts, sizeof v.at_ts);
	timefmt_format(v.at + v.window, end, sizeof end);
	v.pc.start = v.at;
	v.pc.end = v.at + v.window;
	snprintf(v.pc.start_ts, sizeof v.pc.start_ts, "%s", v.at_ts);
	snprintf(v.pc.end_ts, sizeof v.pc.end_ts, "%s", end);
	v.pc.progress = opts->progress;
	v.pc.progress_arg = opts->progress_arg;
	by = opts->requested_by != NULL ? opts->requested_by : "cli";

	if ((rc = inv_service(&v, cause)) != 0)
		return rc;
	if (v.svc_id != 0)
		snprintf(v.key, sizeof v.key, "investigate:%.0f:%lld", v.at,
		    v.svc_id);
	else
		snprintf(v.key, sizeof v.key, "investigate:%.0f", v.at);
	if ((rc = inv_data(&v, cause)) != 0)
		return rc;

	pipeline_ll(lockkey, sizeof lockkey, DB_LOCK_PIPELINE + project_id);
	got = db_try_lock(db, DB_LOCK_PIPELINE + project_id, cause);
	if (got < 0)
		return -1;
	if (got == 0) {
		*cause = pipeline_lock_holder(db, project_id, lockkey);
		return INVESTIGATE_LOCKED;
	}
	rc = -1;
	if (pipeline_reap_abandoned(db, v.pc.project, cause) != 0)
		goto out;
	v.reuse_id = inv_covering(&v, cause);
	if (v.reuse_id < 0)
		goto out;
	r = DBQN(db, cause, "pipeline/investigate_run", v.pc.project,
	    v.pc.start_ts, v.pc.end_ts, by);
	if (r == NULL)
		goto out;
	v.pc.run_id = db_val_ll(r, 0, "id");
	db_res_free(r);
	pipeline_ll(v.pc.run, sizeof v.pc.run, v.pc.run_id);
	res->run_id = v.pc.run_id;
	if (DBXN(db, cause, "pipeline/investigate_run_start",
	    v.pc.project, v.pc.run) != 0)
		goto out;
	v.pc.summary = json_object();
	rc = pipeline_run_stages(db, &v.pc, v.reuse_id != 0 ? inv_stages_reuse :
	    inv_stages, &relinked, cause);
	json_decref(v.pc.summary);
	json_decref(v.pc.skipped);
	json_decref(v.pc.skipped_keys);
	if (rc == 0)
		log_debug("investigation %s: run %lld, incident %lld", v.key,
		    res->run_id, res->incident_id);
out:
	if (!relinked && db_alive(db) &&
	    db_unlock(db, DB_LOCK_PIPELINE + project_id, &why) != 0) {
		log_warn("cannot release the pipeline lock: %s", why);
		free(why);
	}
	return rc;
}
