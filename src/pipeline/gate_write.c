/*
 * gate_write.c - the writing step of the gate stage (stage_gate.c): one
 * candidate's incident (upserted by dedupe_key; reopened when trouble
 * recurs after a resolution, with a system feedback event), its decision,
 * its signal links, and the stage's counts.
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

/*
 * Whether the candidate reopens the resolved incident of key: its newest
 * anchoring signal (row, onset `latest`) starts after the incident's trouble
 * ended and within the reopen window of its resolution.  Sets *why to the
 * reason (malloc'd) when it does, else leaves it NULL.  0, or -1 with *cause.
 */
int
gate_reopens(struct pipeline_ctx *ctx, const struct gate_rows *r, int row,
    const char *key, double latest, char **why, char **cause)
{
	struct db_res *q;
	char on[40], reopen[40];

	*why = NULL;
	q = DBQN(ctx->db, cause, "pipeline/gate_reopen_why",
	    ctx->project, key, pipeline_num(on, sizeof on, latest),
	    GATE_TEXT(r, row, signal_type), GATE_TEXT(r, row, svc_name),
	    policy_param(reopen, sizeof reopen, POL_LIFECYCLE_REOPEN));
	if (q == NULL)
		return -1;
	if (db_res_rows(q) == 1)
		*why = xasprintf("recurred: %s", db_val(q, 0, "why"));
	db_res_free(q);
	return 0;
}

/* The newest anchoring onset of the candidate (any member's when none
 * anchors), which says whether trouble came back after a resolution: its
 * member's index in g, the onset in *latest. */
static int
cand_newest(const struct gsig *g, const struct cand *c, double *latest)
{
	int i, newest = c->main;

	*latest = -INFINITY;
	for (i = 0; i < c->n; i++) {
		const struct gsig *s = &g[c->members[i]];

		if ((s->anchor || !isfinite(c->anchor)) && s->onset > *latest) {
			*latest = s->onset;
			newest = c->members[i];
		}
	}
	return newest;
}

/* The incident's details (new reference): its services, signals, trigger
 * and impact; the impact range *ilow..*ihigh in *unit (failed requests, or
 * the revenue at risk of a conversion drop among its signals). */
static json_t *
cand_details(const struct gate_rows *r, const struct gsig *g,
    const struct cand *c, double *ilow, double *ihigh, const char **unit)
{
	const struct gsig *m = &g[c->main];
	json_t *details, *names, *rev = NULL;
	int i;

	*unit = "failed_requests";
	for (i = 0; i < c->n; i++) {
		const struct gsig *s = &g[c->members[i]];

		if (strcmp(GATE_TEXT(r, s->row, signal_type),
		    "conversion_drop") == 0 &&
		    GATE_TEXT(r, s->row, revenue_high) != NULL) {
			json_decref(rev);
			rev = json_pack("{s:s, s:f, s:f}", "funnel",
			    GATE_TEXT(r, s->row, funnel) ?
			    GATE_TEXT(r, s->row, funnel) : "",
			    "low", GATE_NUM(r, s->row, revenue_low),
			    "high", GATE_NUM(r, s->row, revenue_high));
		}
	}
	names = json_array();
	for (i = 0; i < c->n; i++) {
		const char *n = GATE_TEXT(r, g[c->members[i]].row, svc_name);
		size_t k;
		json_t *x;
		int seen = 0;

		if (n == NULL)
			continue;
		json_array_foreach(names, k, x)
			seen |= strcmp(json_string_value(x), n) == 0;
		if (!seen)
			json_array_append_new(names, json_string(n));
	}
	details = json_pack("{s:o, s:i, s:s, s:{s:f, s:f, s:s}}",
	    "services", names, "signals", c->n,
	    "trigger_signal", GATE_TEXT(r, m->row, dedupe_key),
	    "failed_requests", "low", *ilow, "high", *ihigh, "basis",
	    "request_rate x error_ratio above the hour-before median");
	if (rev != NULL) {
		json_object_set(details, "revenue_at_risk", rev);
		*unit = "revenue";
		*ilow = json_number_value(json_object_get(rev, "low"));
		*ihigh = json_number_value(json_object_get(rev, "high"));
	}
	/* A range, whatever the inputs' signs: low <= high, both >= 0. */
	*ilow = isfinite(*ilow) ? fmax(0, *ilow) : 0;
	*ihigh = isfinite(*ihigh) ? fmax(*ilow, *ihigh) : *ilow;
	json_decref(rev);
	return details;
}

/* Upserts the candidate's incident under key: its id, or -1 with *cause.
 * reopen (why != NULL) opens a resolved one again. */
static long long
write_incident(struct pipeline_ctx *ctx, const struct gate_rows *r,
    const struct gsig *g, const struct cand *c, const char *key, int approved,
    const char *title, const char *det, double ilow, double ihigh,
    const char *unit, const char *why, char **cause)
{
	const struct gsig *m = &g[c->main];
	struct db_res *q;
	char on[40], en[40], lo[40], hi[40], main_svc[24];
	long long incident_id;

	pipeline_ll(main_svc, sizeof main_svc, m->svc);
	q = DBQN(ctx->db, cause, "pipeline/gate_incident", ctx->project,
	    ctx->run, key, m->svc ? main_svc : NULL,
	    approved ? "open" : "suppressed", GATE_TEXT(r, m->row, signal_type),
	    severity_name(c->sev), title,
	    pipeline_num(on, sizeof on, c->onset),
	    pipeline_num(en, sizeof en, c->end),
	    pipeline_num(lo, sizeof lo, ilow), pipeline_num(hi, sizeof hi, ihigh),
	    unit, det, why != NULL ? "true" : "false");
	if (q == NULL)
		return -1;
	incident_id = db_val_ll(q, 0, "id");
	db_res_free(q);
	return incident_id;
}

/* A recurrence reopened incident inc: the system says so, once per run. */
static int
write_reopened(struct pipeline_ctx *ctx, const char *inc, const char *why,
    char **cause)
{
	return DBXN(ctx->db, cause, "pipeline/gate_reopened", ctx->project,
	    ctx->run, inc, why);
}

/* Writes the gate's decision on incident inc (approved, or suppressed with
 * the verdict's reasons) and links the candidate's signals (ids, an array
 * literal) to it. */
static int
write_decision(struct pipeline_ctx *ctx, const struct gate_rows *r,
    const struct gsig *g, const struct cand *c, struct verdict *v,
    int approved, const char *inc, const char *ids, char **cause)
{
	const struct gsig *m = &g[c->main];
	json_t *details;
	char *det, *ok = NULL;
	int rc = -1;

	details = json_pack("{s:O, s:i, s:I}", "reasons", v->reasons, "signals",
	    c->n, "duplicate_of", (json_int_t)v->dup_of);
	det = jsonx_dump(details);
	if (DBXN(ctx->db, cause, "pipeline/gate_decision",
	    ctx->project, ctx->run, inc, approved ? "approved" : "suppressed",
	    approved ? (ok = xasprintf("approved: %s on %s (quality %.2f, "
	    "severity %s)", GATE_TEXT(r, m->row, signal_type),
	    GATE_TEXT(r, m->row, svc_name) ?
	    GATE_TEXT(r, m->row, svc_name) : "the project", m->q, severity_name(c->sev))) : buf_str(&v->why),
	    PIPELINE_POLICY_VERSION, det) != 0)
		goto out;
	if (DBXN(ctx->db, cause, "pipeline/gate_attach", ctx->project, ids,
	    inc) != 0)
		goto out;

	rc = 0;
out:
	free(ok);
	free(det);
	json_decref(details);
	return rc;
}

/* Counts the candidate: approved, or suppressed and for which reasons. */
static void
count_verdict(struct gate_counts *gc, const struct verdict *v, int approved)
{
	gc->candidates++;
	if (approved)
		gc->approved++;
	else {
		size_t k;
		json_t *x;

		gc->suppressed++;
		json_array_foreach(v->reasons, k, x) {
			const char *s = json_string_value(x);

			gc->reasons[strcmp(s, "flapping") == 0 ? 0 :
			    strcmp(s, "maintenance") == 0 ? 1 :
			    strcmp(s, "duplicate") == 0 ? 2 : 3]++;
		}
	}
}

/* Writes the incident, decision and signal links of one candidate. */
int
gate_write_candidate(struct pipeline_ctx *ctx, const struct gate_rows *r,
    struct gsig *g, struct cand *c, json_t *used, struct gate_counts *gc,
    char **cause)
{
	struct verdict v;
	struct buf ids, svcs;
	json_t *details = NULL;
	const struct gsig *m = &g[c->main];
	char *key = NULL, *title = NULL, *det = NULL, main_svc[24],
	    anchor_svc[24], inc[40], *why = NULL;
	const char *unit;
	double ilow, ihigh, latest;
	int nsvc, err, rc = -1, approved, newest, recurs = 0;
	long long incident_id;

	memset(&v, 0, sizeof v);
	v.reasons = json_array();
	buf_init(&v.why);
	buf_init(&ids);
	buf_init(&svcs);
	gate_ids_literal(&ids, g, c);
	nsvc = gate_svcs_literal(&svcs, g, c);
	pipeline_ll(main_svc, sizeof main_svc, m->svc);

	pipeline_ll(anchor_svc, sizeof anchor_svc, c->anchor_svc != 0 ?
	    c->anchor_svc : m->svc);
	key = gate_existing_key(ctx, buf_str(&ids), m->svc ? main_svc : NULL,
	    strcmp(anchor_svc, "0") != 0 ? anchor_svc : NULL, c->onset, c->end,
	    used, &recurs, cause, &err);
	if (err)
		goto out;
	if (key == NULL)
		key = gate_fresh_key(m, c, used);
	json_object_set_new(used, key, json_true());

	if (gate_decide(ctx, r, g, c, buf_str(&ids), key, &v, cause) != 0)
		goto out;
	approved = json_array_size(v.reasons) == 0;
	newest = cand_newest(g, c, &latest);
	if (approved && gate_reopens(ctx, r, g[newest].row, key, latest, &why,
	    cause) != 0)
		goto out;
	/* Near a resolved incident but not reopening it (suppressed, or not
	 * new trouble): a candidate of its own, which leaves the resolved
	 * incident, its window and its decision alone. */
	if (recurs && why == NULL) {
		json_object_del(used, key);
		free(key);
		key = gate_fresh_key(m, c, used);
		json_object_set_new(used, key, json_true());
	}
	if (gate_impact(ctx, buf_str(&svcs), c->onset, c->end, &ilow, &ihigh,
	    cause) != 0)
		goto out;
	details = cand_details(r, g, c, &ilow, &ihigh, &unit);
	det = jsonx_dump(details);
	title = gate_make_title(r, m->row, nsvc);
	incident_id = write_incident(ctx, r, g, c, key, approved, title, det,
	    ilow, ihigh, unit, why, cause);
	if (incident_id < 0)
		goto out;
	pipeline_ll(inc, sizeof inc, incident_id);
	if (why != NULL) {
		if (write_reopened(ctx, inc, why, cause) != 0)
			goto out;
		gc->reopened++;
	}
	if (write_decision(ctx, r, g, c, &v, approved, inc, buf_str(&ids),
	    cause) != 0)
		goto out;
	count_verdict(gc, &v, approved);
	rc = 0;
out:
	json_decref(v.reasons);
	json_decref(details);
	buf_free(&v.why);
	buf_free(&ids);
	buf_free(&svcs);
	free(title);
	free(det);
	free(key);
	free(why);
	return rc;
}
