/*
 * stage_evidence.c - pipeline stage "evidence": for every approved incident
 * the run touched, the artifacts an experienced engineer would pull:
 *
 *  - the incident's signals: metric anomalies on its service, anomalies on
 *    the services it calls or that call it (with their depth and their order
 *    by onset: the root of a cascade is usually the earliest anomaly deepest
 *    in the call graph), traffic shifts, health streaks, funnel drops with the
 *    revenue at risk, external alerts;
 *  - deploys and config changes in the 3 h (evidence.change_window) before
 *    onset on the affected services and their direct dependencies and
 *    dependents (time to onset, commits, risky file types, docs-only; risky
 *    or benign config fields);
 *  - the risky files of those deploys' commits;
 *  - error fingerprints first seen from 30 min (evidence.fingerprint_window)
 *    before onset, with the dependencies their text names and the changes
 *    that preceded them, and older fingerprints that burst again (naming
 *    what they name);
 *  - similar past incidents with a confirmed root cause.
 *
 * Each artifact is upserted by (incident, dedupe_key); artifacts of the
 * incident this run did not produce again are deleted.  All of it is SQL:
 * the stage only loops over incidents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* The artifact statements (sql/queries/pipeline/evidence_*.sql), each
 * upserting by (incident, dedupe_key) and returning a row per artifact.
 * Parameters of every statement: $1 project, $2 run, $3 incident id,
 * $4 onset, $5 window end, $6 the incident's service id (or NULL), and from
 * policy.def $7 gate.watch_quality, $8 evidence.change_window (s),
 * $9 evidence.fingerprint_window (s), $10 evidence.change_after (s). */
static const char *const ev_queries[] = {
	"pipeline/evidence_signals", "pipeline/evidence_deploys",
	"pipeline/evidence_commit_files", "pipeline/evidence_configs",
	"pipeline/evidence_fingerprints", "pipeline/evidence_similar"
};

/* Counts by kind, for the summary. */
struct ev_counts {
	long long incidents, artifacts, stale;
};

/* Runs one artifact statement for an incident. */
static int
ev_exec(struct pipeline_ctx *ctx, const char *name, const char *const *p,
    struct ev_counts *ec, char **cause)
{
	struct db_res *r = db_run(ctx->db, cause, name, 10, p);

	if (r == NULL)
		return -1;
	ec->artifacts += db_res_rows(r);
	db_res_free(r);
	return 0;
}

/* Gathers the evidence of one incident. */
static int
gather(struct pipeline_ctx *ctx, const char *id, const char *onset,
    const char *end, const char *svc, struct ev_counts *ec, char **cause)
{
	char wq[40], chg[40], fpw[40], chga[40];
	const char *p[10] = { ctx->project, ctx->run, id, onset, end, svc,
		policy_param(wq, sizeof wq, POL_WATCH_QUALITY),
		policy_param(chg, sizeof chg, POL_EVIDENCE_CHANGES),
		policy_param(fpw, sizeof fpw, POL_EVIDENCE_FINGERPRINTS),
		policy_param(chga, sizeof chga, POL_EVIDENCE_CHANGE_AFTER) };
	struct db_res *r;
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(ev_queries); i++)
		if (ev_exec(ctx, ev_queries[i], p, ec, cause) != 0)
			return -1;
	/* What this run did not produce again is stale (human notes stay). */
	r = DBQN(ctx->db, cause, "pipeline/evidence_stale", ctx->project,
	    ctx->run, id);
	if (r == NULL)
		return -1;
	ec->stale += db_res_rows(r);
	db_res_free(r);
	return 0;
}

/* Gathers evidence for every approved incident the run touched. */
int
stage_evidence_run(struct pipeline_ctx *ctx, char **cause)
{
	struct ev_counts ec;
	struct db_res *r;
	int i, n, rc = 0;

	memset(&ec, 0, sizeof ec);
	r = DBQN(ctx->db, cause, "pipeline/evidence_incidents", ctx->project,
	    ctx->run, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	for (i = 0; i < n && rc == 0; i++) {
		const char *id = db_val(r, i, "id");
		char *ucause = NULL;

		rc = pipeline_unit_begin(ctx, "evidence", "incident", id, &ucause);
		if (rc == 0)
			rc = gather(ctx, id, db_val(r, i, "window_start"),
			    db_val(r, i, "window_end"), db_val(r, i, "service_id"),
			    &ec, &ucause);
		rc = pipeline_unit_end(ctx, rc, "evidence", "incident", id, &ucause,
		    cause);
		ec.incidents++;
	}
	db_res_free(r);
	if (rc != 0)
		return -1;
	pipeline_count(ctx, "evidence", "incidents", ec.incidents);
	pipeline_count(ctx, "evidence", "artifacts", ec.artifacts);
	pipeline_count(ctx, "evidence", "stale_removed", ec.stale);
	return 0;
}
