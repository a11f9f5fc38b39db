/*
 * stage_gate.c - pipeline stage "gate": groups the window's signals into
 * incident candidates and decides each one (policy gate-v1).
 *
 * Two anchoring signals (steady, of watch quality: gate_anchors()) belong
 * to one candidate when their time spans overlap (with 10 minutes of slack) and
 * they are on the same service, or on services joined by a call path in
 * service_dependencies (a recursive CTE) with onsets at most an hour apart
 * (a cascade spreads fast; a long anomaly must not swallow an unrelated
 * later one down the call graph).  Any other signal joins the anchored group
 * it overlaps most among the related ones (cited, it never bridges two
 * groups); signals near no anchor group join each other the same way; a
 * signal without a service joins the candidate it overlaps most; signals an
 * earlier run put in one incident stay together (its other signals are
 * loaded too).  Every candidate becomes an
 * incident row (status open when approved, suppressed otherwise) with an
 * incident_decisions row: approved, or suppressed for flapping, maintenance,
 * duplicate (of an open incident) or below_severity, with a rationale.
 *
 * Incidents are upserted by dedupe_key.  A candidate keeps the key of the
 * incident its signals were attached to by an earlier run (or attempt), so
 * re-runs update instead of duplicating; a status set by feedback
 * (status_source 'feedback') is never overwritten, nor is a resolution.
 *
 * Recurrence (issue 10): a candidate whose trouble starts on the service of
 * a resolved incident within the reopen window of its resolution (policy
 * incident.reopen_window, per project) takes that incident's key; when
 * approved and its newest anchoring signal starts after the incident's
 * trouble ended, the incident gate_reopens (status open again, a system
 * feedback event incident_reopened with the reason) instead of a new
 * incident opening.
 *
 * This file loads the signals and runs the stage; the steps live in
 * gate_group.c (grouping into candidates), gate_decide.c (judging one) and
 * gate_write.c (writing its incident and decision), their shared state in
 * gate_int.h.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/pgarray.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/severity.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "gate_int.h"
#include "pipeline_int.h"

/* Its numbers: gate.* in policy.def. */

/* The rank of a severity name; medium for anything else. */
static int
sev_rank(const char *s)
{
	int r = severity_rank(s);

	return r >= 0 ? r : MW_SEV_MEDIUM;
}

/* Orders candidates by onset, then by their first signal id. */
static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->onset != y->onset)
		return x->onset < y->onset ? -1 : 1;
	return x->ids_first < y->ids_first ? -1 : x->ids_first > y->ids_first;
}

/* ---- the stage ----------------------------------------------------------- */

/* The signals touching the window, and the rest of the incidents they
 * were attached to (a candidate, once formed, is judged whole): *r, one
 * gsig each in *g (*n of them), and the call paths between their services
 * in *reach.  0, or -1 with *cause. */
static int
load_signals(struct pipeline_ctx *ctx, struct gate_rows *r, struct gsig **g,
    int *n, struct reach *reach, char **cause)
{
	struct buf svcs;
	char exp[40], minpts[40];
	int i, rc;

	r->res = DBQN(ctx->db, cause, "pipeline/gate_signals",
	    ctx->project, ctx->start_ts, ctx->end_ts,
	    policy_param(exp, sizeof exp, POL_GATE_SLACK),
	    policy_param(minpts, sizeof minpts, POL_DETECT_MIN_POINTS));
	if (r->res == NULL)
		return -1;
#define GATE_COL_FIND(x) r->c.x = db_col(r->res, #x);
	GATE_SIGNAL_COLUMNS(GATE_COL_FIND)
#undef GATE_COL_FIND
	*n = db_res_rows(r->res);
	buf_init(&svcs);
	*g = xcalloc((size_t)*n + 1, sizeof **g);
	pgarray_begin(&svcs);
	for (i = 0; i < *n; i++) {
		struct gsig *x = &(*g)[i];

		x->row = i;
		x->id = db_res_ll(r->res, i, r->c.id);
		x->svc = db_res_ll(r->res, i, r->c.service_id);
		x->sev = sev_rank(db_res_get(r->res, i, r->c.severity));
		x->q = db_res_f(r->res, i, r->c.quality_score);
		x->onset = db_res_f(r->res, i, r->c.onset);
		x->end = db_res_f(r->res, i, r->c.ended);
		x->flapping = strcmp(db_res_get(r->res, i, r->c.flapping), "t") == 0;
		/* Steady and strong enough: the rule detect's active/watch
		 * follows (the stored status may have aged to expired); a
		 * spike is watched, never an anchor. */
		x->active = !x->flapping && x->q >= POLICY(WATCH_QUALITY) &&
		    strcmp(db_res_get(r->res, i, r->c.spike), "t") != 0;
		x->incident = db_res_ll(r->res, i, r->c.incident_id);
		x->anchor = gate_anchors(r, x);
		x->group = i;
		if (x->svc != 0)
			pgarray_add_ll(&svcs, x->svc);
	}
	pgarray_end(&svcs);
	rc = gate_reach_load(ctx, buf_str(&svcs), reach, cause);
	buf_free(&svcs);
	return rc;
}

/* The lifecycle of every signal (the statement says which). */
static int
signal_lifecycle(struct pipeline_ctx *ctx, char **cause)
{
	char exp[40], wq[40];

	/* The lifecycle, recomputed for every signal still alive and everything
	 * detect (re)wrote: ended long ago expired (diagnosed ones too: the
	 * lifecycle ends for every signal); else attached to an approved
	 * incident (whatever run decided it) diagnosed; else watch when
	 * flapping, a spike or weak; else active. */
	if (DBXN(ctx->db, cause, "pipeline/gate_lifecycle",
	    ctx->project, ctx->end_ts,
	    policy_param(exp, sizeof exp, POL_GATE_EXPIRE),
	    PIPELINE_POLICY_VERSION, ctx->run,
	    policy_param(wq, sizeof wq, POL_WATCH_QUALITY)) != 0)
		return -1;
	return 0;
}

/* Groups and decides (see the top of the file). */
int
stage_gate_run(struct pipeline_ctx *ctx, char **cause)
{
	struct gate_rows r = { NULL, { 0 } };
	struct gsig *g = NULL;
	struct cand *cands = NULL;
	struct reach reach = { NULL, NULL, 0 };
	struct gate_counts gc;
	json_t *used = json_object();
	int n = 0, k, nc = 0, rc = -1;

	memset(&gc, 0, sizeof gc);
	if (load_signals(ctx, &r, &g, &n, &reach, cause) != 0)
		goto out;
	gate_group_signals(g, n, &reach);
	cands = gate_collect_candidates(&r, g, n, &nc);
	qsort(cands, (size_t)nc, sizeof *cands, cmp_cand);
	for (k = 0; k < nc; k++) {
		/* Each candidate is a unit, named by its main signal. */
		const char *uid = db_res_get(r.res, g[cands[k].main].row,
		    r.c.dedupe_key);
		char *ucause = NULL;
		int urc;

		urc = pipeline_unit_begin(ctx, "gate", "candidate", uid, &ucause);
		if (urc == 0)
			urc = gate_write_candidate(ctx, &r, g, &cands[k], used, &gc,
			    &ucause);
		if (pipeline_unit_end(ctx, urc, "gate", "candidate", uid, &ucause,
		    cause) != 0)
			goto out;
	}

	if (signal_lifecycle(ctx, cause) != 0)
		goto out;

	pipeline_count(ctx, "gate", "signals", n);
	pipeline_count(ctx, "gate", "candidates", gc.candidates);
	pipeline_count(ctx, "gate", "approved", gc.approved);
	pipeline_count(ctx, "gate", "suppressed", gc.suppressed);
	pipeline_count(ctx, "gate", "flapping", gc.reasons[0]);
	pipeline_count(ctx, "gate", "maintenance", gc.reasons[1]);
	pipeline_count(ctx, "gate", "duplicate", gc.reasons[2]);
	pipeline_count(ctx, "gate", "below_severity", gc.reasons[3]);
	pipeline_count(ctx, "gate", "reopened", gc.reopened);
	rc = 0;
out:
	if (cands != NULL)
		for (k = 0; k < nc; k++)
			free(cands[k].members);
	free(cands);
	free(reach.from);
	free(reach.to);
	free(g);
	json_decref(used);
	db_res_free(r.res);
	return rc;
}
