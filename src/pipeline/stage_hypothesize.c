/*
 * stage_hypothesize.c - pipeline stage "hypothesize": ranked root-cause
 * hypotheses for every approved incident the run touched.
 *
 * The stage reads the incident's evidence artifacts (what the evidence stage
 * stored, with its metadata), the services and the call graph, and the
 * confirmed root causes of past incidents.  It proposes candidate causes:
 *   release    each deploy in the evidence (or "no deploy" when none),
 *   config     each config change in the evidence,
 *   traffic    each service with a traffic surge or drop,
 *   db         each affected database service,
 *   dependency each affected service other affected services call, and each
 *              external dependency of an affected service (no metrics),
 *   infra      each affected service that is saturated or crash-looping,
 *   unknown    always, as the fallback;
 * establishes the facts rank.c scores, and stores the best eight as
 * hypotheses (keyed by type, service and ref, so the status an operator set
 * survives re-runs) with the evidence each term cites (supports, contradicts,
 * missing) and the whole score breakdown in score_details.
 *
 * This file loads the incident and writes the hypotheses; the candidates
 * are proposed in hypothesize_candidates.c, the facts they share are
 * established in hypothesize_facts.c (their state: hypothesize_int.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/rank.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "hypothesize_int.h"
#include "pipeline_int.h"

/* ---- loading ------------------------------------------------------------- */

/* What the evidence says of each service: its first metric anomaly,
 * saturation, crash loops. */
static void
svc_facts(struct hinc *h)
{
	const char *type;
	int i;

	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];
		struct hsvc *s = hyp_svc_get(h, e->svc);

		if (s == NULL || (strcmp(e->kind, "metric_anomaly") != 0 &&
		    strcmp(e->kind, "dependency_anomaly") != 0 &&
		    strcmp(e->kind, "traffic_shift") != 0))
			continue;
		type = hyp_jstr(e->meta, "signal_type");
		if (strcmp(type, "conversion_drop") == 0)
			continue;
		s->affected = 1;
		/* Only a steady anomaly sets the order of who came first;
		 * flapping or weak ones are cited (their artifact stands in
		 * when the service has nothing better). */
		if (hyp_jbool(e->meta, "anchor") && (isnan(s->onset) ||
		    e->at < s->onset)) {
			s->onset = e->at;
			s->onset_step = hyp_jnum(e->meta, "step_s");
			if (isnan(s->onset_step) || s->onset_step < 60)
				s->onset_step = 60;
			s->ev_anomaly = e->id;
		} else if (isnan(s->onset) && !s->ev_anomaly)
			s->ev_anomaly = e->id;
		if (strcmp(type, "error_rate_spike") == 0 ||
		    strcmp(type, "latency_regression") == 0 ||
		    strcmp(e->kind, "dependency_anomaly") == 0)
			s->call_symptom = 1;
		if (strcmp(type, "saturation") == 0 && !s->ev_sat)
			s->ev_sat = e->id;
		if (strcmp(type, "crashloop") == 0 && !s->ev_crash)
			s->ev_crash = e->id;
	}
}

/* Loads the incident's evidence, the services and the edges into h. */
static int
load(struct pipeline_ctx *ctx, struct hinc *h, const char *id,
    struct db_res **rev, struct db_res **rsvc, struct db_res **redge,
    char **cause)
{
	json_error_t jerr;
	char sw[40];
	int i;

	*rev = DBQN(ctx->db, cause, "pipeline/hyp_evidence", ctx->project, id);
	if (*rev == NULL)
		return -1;
	h->nev = db_res_rows(*rev);
	h->ev = xcalloc((size_t)h->nev + 1, sizeof *h->ev);
	for (i = 0; i < h->nev; i++) {
		h->ev[i].id = db_val_ll(*rev, i, "id");
		h->ev[i].kind = db_val(*rev, i, "kind");
		h->ev[i].ref = db_val(*rev, i, "ref");
		h->ev[i].svc = db_val_ll(*rev, i, "service_id");
		h->ev[i].at = db_val_f(*rev, i, "observed");
		h->ev[i].meta = json_loads(db_val(*rev, i, "metadata"), 0, &jerr);
		if (h->ev[i].meta == NULL)
			h->ev[i].meta = json_object();
	}
	/* a database without a point in the first minutes of the incident is
	 * silent */
	*rsvc = DBQN(ctx->db, cause, "pipeline/hyp_services", ctx->project, id,
	    policy_param(sw, sizeof sw, POL_RANK_SILENT_WINDOW));
	if (*rsvc == NULL)
		return -1;
	h->nsvcs = db_res_rows(*rsvc);
	h->svcs = xcalloc((size_t)h->nsvcs + 1, sizeof *h->svcs);
	for (i = 0; i < h->nsvcs; i++) {
		struct hsvc *s = &h->svcs[i];

		s->id = db_val_ll(*rsvc, i, "id");
		s->name = db_val(*rsvc, i, "name");
		s->tier = db_val(*rsvc, i, "tier");
		s->onset = NAN;
		s->is_db = !db_val_null(*rsvc, i, "is_db") &&
		    strcmp(db_val(*rsvc, i, "is_db"), "t") == 0;
		s->silent = !db_val_null(*rsvc, i, "silent") &&
		    strcmp(db_val(*rsvc, i, "silent"), "t") == 0;
	}
	svc_facts(h);
	*redge = DBQN(ctx->db, cause, "pipeline/hyp_edges", ctx->project);
	if (*redge == NULL)
		return -1;
	h->nedges = db_res_rows(*redge);
	h->edges = xcalloc((size_t)h->nedges + 1, sizeof *h->edges);
	for (i = 0; i < h->nedges; i++) {
		h->edges[i].from = db_val_ll(*redge, i, "from_service_id");
		h->edges[i].to = db_val_ll(*redge, i, "to_service_id");
		h->edges[i].to_name = db_val(*redge, i, "to_name");
		h->edges[i].kind = db_val(*redge, i, "dep_kind");
	}
	h->prior = DBQN(ctx->db, cause, "pipeline/hyp_prior", ctx->project, id);
	return h->prior == NULL ? -1 : 0;
}

/* ---- writing ------------------------------------------------------------- */

static const char *const role_names[] = { "supports", "contradicts", "missing" };

/* Orders candidates: human status class, then score. */
static int
cmp_cand(const void *a, const void *b)
{
	const struct hcand *x = a, *y = b;

	if (x->status_class != y->status_class)
		return x->status_class < y->status_class ? -1 : 1;
	return rank_compare(&x->f, &x->s, &y->f, &y->s);
}

/* The role an artifact carries for a candidate: the sign of the net points of
 * the terms citing it or, when they cancel out, the role of the strongest of
 * them; *net gets the net points and *mixed whether the terms disagree. */
static int
evidence_role(const struct rank_score *s, long long ev, double *net, int *mixed)
{
	double strongest = -1;
	int role = RANK_SUPPORTS, first = -1;
	size_t i;

	*net = 0;
	*mixed = 0;
	for (i = 0; i < s->nterms; i++) {
		const struct rank_term *t = &s->terms[i];

		if (t->role == RANK_MISSING || t->evidence_id != ev)
			continue;
		*net += t->points;
		if (first < 0)
			first = t->role;
		else if (t->role != first)
			*mixed = 1;
		if (fabs(t->points) > strongest) {
			strongest = fabs(t->points);
			role = t->role;
		}
	}
	if (*net > 1e-9)
		return RANK_SUPPORTS;
	if (*net < -1e-9)
		return RANK_CONTRADICTS;
	return role;
}

/* The score breakdown as JSON (new reference). */
static json_t *
score_json(const struct hcand *c)
{
	json_t *terms = json_array(), *t;
	struct buf b;
	char sc[32], cf[32];
	double net;
	int mixed;
	size_t i;

	buf_init(&b);
	snprintf(sc, sizeof sc, "%.2f", c->s.score);
	snprintf(cf, sizeof cf, "%.2f", c->s.confidence);
	if (strcmp(sc, cf) == 0)
		buf_printf(&b, "%s %s:", rank_type_name(c->f.type), cf);
	else
		buf_printf(&b, "%s score %s, %s at %s:",
		    rank_type_name(c->f.type), sc, c->s.score > c->s.confidence ?
		    "capped" : "floored", cf);
	for (i = 0; i < c->s.nterms; i++) {
		const struct rank_term *rt = &c->s.terms[i];

		t = json_pack("{s:f, s:s, s:s}", "points",
		    round(rt->points * 1000) / 1000, "role", role_names[rt->role],
		    "why", rt->why);
		json_object_set_new(t, "evidence_id", rt->evidence_id ?
		    json_integer(rt->evidence_id) : json_null());
		/* The role its artifact carries in hypothesis_evidence (the
		 * net effect of all the terms citing it). */
		if (rt->role != RANK_MISSING && rt->evidence_id != 0)
			json_object_set_new(t, "evidence_role", json_string(
			    role_names[evidence_role(&c->s, rt->evidence_id,
			    &net, &mixed)]));
		if (rt->expected_kind != NULL)
			json_object_set_new(t, "expected_kind",
			    json_string(rt->expected_kind));
		json_array_append_new(terms, t);
		if (rt->points != 0)
			buf_printf(&b, "%s %s%.2f %s", i ? "," : "",
			    rt->points > 0 ? "+" : "-", fabs(rt->points), rt->why);
	}
	t = json_pack("{s:f, s:f, s:o, s:s, s:s}", "score",
	    round(c->s.score * 1000) / 1000, "confidence",
	    round(c->s.confidence * 1000) / 1000, "terms", terms,
	    "explanation", buf_str(&b), "formula", "rank-v1");
	buf_free(&b);
	return t;
}

/* The hypothesis_evidence rows of a candidate: one per cited artifact, with
 * the role of its net effect on the score (see evidence_role) and weight
 * |net points|, and one per (missing, expected kind), weights summed (new
 * reference). */
static json_t *
evidence_rows(const struct hcand *c)
{
	json_t *rows = json_array(), *row;
	size_t i, j, k;
	int found, mixed, role;
	double net;
	struct buf note;

	for (i = 0; i < c->s.nterms; i++) {
		const struct rank_term *t = &c->s.terms[i];

		if (t->role != RANK_MISSING && t->evidence_id == 0)
			continue;
		found = 0;
		json_array_foreach(rows, k, row) {
			if (t->role == RANK_MISSING ?
			    strcmp(hyp_jstr(row, "role"), "missing") == 0 &&
			    strcmp(hyp_jstr(row, "expected_kind"), t->expected_kind ?
			    t->expected_kind : "") == 0 :
			    strcmp(hyp_jstr(row, "role"), "missing") != 0 &&
			    hyp_jint(row, "evidence_id") == t->evidence_id) {
				found = 1;
				break;
			}
		}
		if (found && t->role != RANK_MISSING)
			continue;	/* the artifact's row covers all its terms */
		if (found) {
			char *n = xasprintf("%s; %s", hyp_jstr(row, "note"), t->why);

			json_object_set_new(row, "weight", json_real(
			    hyp_jnum(row, "weight") + fabs(t->points)));
			json_object_set_new(row, "note", json_string(n));
			free(n);
			continue;
		}
		if (t->role == RANK_MISSING) {
			row = json_pack("{s:s, s:f, s:s}", "role", "missing",
			    "weight", fabs(t->points), "note", t->why);
			json_object_set_new(row, "evidence_id", json_null());
			json_object_set_new(row, "expected_kind", json_string(
			    t->expected_kind ? t->expected_kind : ""));
			json_array_append_new(rows, row);
			continue;
		}
		/* The artifact's terms, with their points when they disagree. */
		role = evidence_role(&c->s, t->evidence_id, &net, &mixed);
		buf_init(&note);
		for (j = i; j < c->s.nterms; j++) {
			const struct rank_term *u = &c->s.terms[j];

			if (u->role == RANK_MISSING || u->evidence_id != t->evidence_id)
				continue;
			buf_adds(&note, note.len > 0 ? "; " : "");
			if (mixed)
				buf_printf(&note, "%+.2f ", u->points);
			buf_adds(&note, u->why);
		}
		row = json_pack("{s:s, s:f, s:s}", "role", role_names[role],
		    "weight", fabs(net), "note", buf_str(&note));
		buf_free(&note);
		json_object_set_new(row, "evidence_id",
		    json_integer(t->evidence_id));
		json_object_set_new(row, "expected_kind", json_string(""));
		json_array_append_new(rows, row);
	}
	return rows;
}

/* Writes one ranked hypothesis and its evidence rows. */
static int
write_one(struct pipeline_ctx *ctx, const char *inc, const struct hcand *c,
    int rank, char **cause)
{
	struct db_res *r;
	json_t *sj = score_json(c), *rows = evidence_rows(c);
	char *sd = jsonx_dump(sj), *rd = jsonx_dump(rows), rk[16], conf[40],
	    svc[24], hid[24];
	int rc = -1;

	snprintf(rk, sizeof rk, "%d", rank);
	r = DBQN(ctx->db, cause, "pipeline/hyp_insert", ctx->project, ctx->run, inc, c->key, rk,
	    rank_type_name(c->f.type),
	    c->service_id > 0 ? pipeline_ll(svc, sizeof svc, c->service_id) : NULL,
	    c->ref[0] ? c->ref : NULL, c->title,
	    pipeline_num(conf, sizeof conf, round(c->s.confidence * 1000) / 1000),
	    sd);
	if (r == NULL)
		goto out;
	pipeline_ll(hid, sizeof hid, db_val_ll(r, 0, "id"));
	db_res_free(r);
	if (DBXN(ctx->db, cause, "pipeline/hyp_evidence_clear", ctx->project,
	    hid) != 0)
		goto out;
	if (DBXN(ctx->db, cause, "pipeline/hyp_evidence_insert", ctx->project,
	    ctx->run, hid, rd) != 0)
		goto out;
	rc = 0;
out:
	free(sd);
	free(rd);
	json_decref(sj);
	json_decref(rows);
	return rc;
}

/* The order class of an operator's judgement (hyp_judged's status): the
 * confirmed root cause first, then the confirmed, the rest, rejected last. */
static int
judged_class(const char *status)
{
	return strcmp(status, "root_cause") == 0 ? -1 :
	    strcmp(status, "confirmed") == 0 ? 0 :
	    strcmp(status, "rejected") == 0 ? 2 : 1;
}

/* Ranks and writes the candidates of one incident; *written counts rows. */
static int
write_all(struct pipeline_ctx *ctx, struct hinc *h, const char *inc,
    long long *written, char **cause)
{
	struct db_res *r;
	char nbuf[24];
	int i, k, n;

	/* Human status survives: the confirmed root cause first, then the
	 * confirmed, rejected last. */
	r = DBQN(ctx->db, cause, "pipeline/hyp_judged", ctx->project, inc);
	if (r == NULL)
		return -1;
	for (i = 0; i < h->nc; i++) {
		hyp_cand_key(&h->c[i]);
		for (k = 0; k < db_res_rows(r); k++)
			if (strcmp(db_val(r, k, "dedupe_key"), h->c[i].key) == 0)
				h->c[i].status_class =
				    judged_class(db_val(r, k, "status"));
	}
	db_res_free(r);
	qsort(h->c, (size_t)h->nc, sizeof *h->c, cmp_cand);
	n = 0;
	for (i = 0; i < h->nc; i++) {
		/* Beyond the best few, keep only what an operator has judged. */
		if (n >= (int)POLICY(RANK_MAX_HYPOTHESES) &&
		    h->c[i].status_class == 1)
			continue;
		/* Two candidates with one key (e.g. one change seen twice). */
		for (k = 0; k < i; k++)
			if (strcmp(h->c[k].key, h->c[i].key) == 0)
				break;
		if (k < i)
			continue;
		if (write_one(ctx, inc, &h->c[i], ++n, cause) != 0)
			return -1;
	}
	*written += n;
	/* Hypotheses no longer proposed go, unless an operator judged them. */
	if (DBXN(ctx->db, cause, "pipeline/hyp_stale", ctx->project, inc,
	    ctx->run) != 0)
		return -1;
	if (DBXN(ctx->db, cause, "pipeline/hyp_rerank", ctx->project, inc,
	    ctx->run, pipeline_ll(nbuf, sizeof nbuf, n)) != 0)
		return -1;
	return DBXN(ctx->db, cause, "pipeline/hyp_classify", ctx->project, inc);
}

/* Proposes, scores and writes the hypotheses of one incident. */
static int
hypothesize(struct pipeline_ctx *ctx, const char *inc, long long svc,
    double onset, long long *written, char **cause)
{
	struct db_res *rev = NULL, *rsvc = NULL, *redge = NULL;
	struct hinc h;
	int i, rc = -1;

	memset(&h, 0, sizeof h);
	h.id = strtoll(inc, NULL, 10);
	h.svc = svc;
	h.onset = onset;
	if (load(ctx, &h, inc, &rev, &rsvc, &redge, cause) != 0)
		goto out;
	for (i = 0; i < h.nev; i++) {
		if (strcmp(h.ev[i].kind, "deployment") == 0)
			hyp_add_change(&h, &h.ev[i], RANK_RELEASE);
		else if (strcmp(h.ev[i].kind, "config_change") == 0)
			hyp_add_change(&h, &h.ev[i], RANK_CONFIG);
	}
	hyp_add_no_release(&h);
	hyp_add_traffic(&h);
	hyp_add_topology(&h);
	hyp_add_external(&h);
	hyp_add_infra(&h);
	hyp_add_unknown(&h);
	for (i = 0; i < h.nc; i++) {
		hyp_prior_facts(&h, &h.c[i]);
		rank_score(&h.c[i].f, &h.c[i].s);
	}
	rc = write_all(ctx, &h, inc, written, cause);
out:
	for (i = 0; i < h.nev; i++)
		json_decref(h.ev[i].meta);
	free(h.ev);
	free(h.svcs);
	free(h.edges);
	free(h.c);
	db_res_free(h.prior);
	db_res_free(rev);
	db_res_free(rsvc);
	db_res_free(redge);
	return rc;
}

/* Hypothesizes for every approved incident the run touched. */
int
stage_hypothesize_run(struct pipeline_ctx *ctx, char **cause)
{
	struct db_res *r;
	long long written = 0;
	int i, n, rc = 0;

	r = DBQN(ctx->db, cause, "pipeline/hyp_incidents", ctx->project,
	    ctx->run, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	for (i = 0; i < n && rc == 0; i++) {
		const char *id = db_val(r, i, "id");
		long long w = 0;
		char *ucause = NULL;

		rc = pipeline_unit_begin(ctx, "hypothesize", "incident", id,
		    &ucause);
		if (rc == 0)
			rc = hypothesize(ctx, id, db_val_ll(r, i, "service_id"),
			    db_val_f(r, i, "onset"), &w, &ucause);
		if (rc == 0)
			written += w;
		rc = pipeline_unit_end(ctx, rc, "hypothesize", "incident", id,
		    &ucause, cause);
	}
	db_res_free(r);
	if (rc != 0)
		return -1;
	pipeline_count(ctx, "hypothesize", "incidents", n);
	pipeline_count(ctx, "hypothesize", "hypotheses", written);
	return 0;
}
