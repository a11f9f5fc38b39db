/*
 * model_incidents.c - the snapshot's incidents and what hangs off each: its
 * hypotheses with their cited evidence, and its recommendations (model.c
 * runs the steps; model_int.h).  Each step queues its query on a batch and
 * is filled or attached from the result; rows arrive ordered so that the
 * children of one parent are consecutive and attach in one pass.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* ------------------------------------------------------------------------ */
/* Incidents                                                                 */
/* ------------------------------------------------------------------------ */

/* The columns of model/incidents. */
enum {
	IC_ID, IC_SERVICE, IC_STATUS, IC_SEVERITY, IC_TRIGGER, IC_TITLE,
	IC_WSTART, IC_WEND, IC_CREATED, IC_DECISION, IC_RATIONALE, IC_POLICY,
	IC_CONFIDENCE, IC_ILOW, IC_IHIGH, IC_IUNIT, IC_ROOT, IC_RECENTLY,
	IC_RESOLUTION, IC_RESOLVED_BY, IC_RECENT, IC_RESOLVED_AT,
	IC_RESOLVED_DATA, IC_N
};
static const char *const ic_names[IC_N] = {
	"id", "service", "status", "severity", "trigger_type", "title",
	"window_start", "window_end", "created_at", "decision", "rationale",
	"policy_version", "confidence", "impact_low", "impact_high",
	"impact_unit", "root_cause_hypothesis_id", "recently_resolved",
	"resolution", "resolved_by", "recent", "resolved_at", "resolved_data_at"
};

/* Queues the incidents query (model_int.h). */
int
model_incidents_queue(struct db_batch *b, const char *project,
    const char *mode, const char *want, int most)
{
	char limit[16], recent[40];

	snprintf(limit, sizeof limit, "%d", most);
	return DBBN(b, "model/incidents", project, mode, want, limit,
	    policy_param(recent, sizeof recent, POL_LIFECYCLE_RECENT));
}

/* Fills one incident from row i of r (c: its columns). */
static void
model_fill_incident(struct mw_incident *inc, const struct db_res *r, int i,
    const int *c)
{
	inc->id = db_res_ll(r, i, c[IC_ID]);
	inc->service = model_col_dup(r, i, c[IC_SERVICE]);
	inc->status = model_col_dup(r, i, c[IC_STATUS]);
	inc->severity = model_col_dup(r, i, c[IC_SEVERITY]);
	inc->trigger_type = model_col_dup(r, i, c[IC_TRIGGER]);
	inc->title = model_col_dup(r, i, c[IC_TITLE]);
	inc->window_start = db_res_f(r, i, c[IC_WSTART]);
	inc->window_end = db_res_f(r, i, c[IC_WEND]);
	inc->created_at = db_res_f(r, i, c[IC_CREATED]);
	inc->decision = model_col_dup(r, i, c[IC_DECISION]);
	inc->rationale = model_col_dup(r, i, c[IC_RATIONALE]);
	inc->policy_version = model_col_dup(r, i, c[IC_POLICY]);
	inc->confidence = db_res_f(r, i, c[IC_CONFIDENCE]);
	inc->has_impact = !db_res_isnull(r, i, c[IC_ILOW]) ||
	    !db_res_isnull(r, i, c[IC_IHIGH]);
	inc->impact_low = db_res_f(r, i, c[IC_ILOW]);
	inc->impact_high = db_res_isnull(r, i, c[IC_IHIGH]) ? inc->impact_low :
	    db_res_f(r, i, c[IC_IHIGH]);
	if (db_res_isnull(r, i, c[IC_ILOW]))
		inc->impact_low = inc->impact_high;
	inc->impact_unit = model_col_dup(r, i, c[IC_IUNIT]);
	inc->root_cause_hypothesis_id = db_res_ll(r, i, c[IC_ROOT]);
	inc->recently_resolved = model_col_bool(r, i, c[IC_RECENTLY]);
	inc->resolution = model_col_dup(r, i, c[IC_RESOLUTION]);
	inc->resolved_by = model_col_dup(r, i, c[IC_RESOLVED_BY]);
	inc->resolved_at = db_res_f(r, i, c[IC_RESOLVED_AT]);
	inc->resolved_data_at = db_res_f(r, i, c[IC_RESOLVED_DATA]);
}

/* Fills the snapshot's incidents from the rows of r (model_int.h). */
void
model_incidents_fill(const struct db_res *r, struct mw_snapshot *s)
{
	int c[IC_N], i, n;

	db_cols(r, ic_names, c, IC_N);
	n = db_res_rows(r);
	s->recent_resolved = n > 0 ? db_res_f(r, 0, c[IC_RECENT]) :
	    POLICY(LIFECYCLE_RECENT);
	s->incidents = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s->incidents);
	s->n_incidents = (size_t)n;
	for (i = 0; i < n; i++)
		model_fill_incident(&s->incidents[i], r, i, c);
}

/* ------------------------------------------------------------------------ */
/* Hypotheses and their evidence                                             */
/* ------------------------------------------------------------------------ */

/* The columns of model/hypotheses. */
enum {
	HC_INCIDENT, HC_ID, HC_RANK, HC_TYPE, HC_SERVICE, HC_TITLE, HC_REF,
	HC_STATUS, HC_CONFIDENCE, HC_SCORE, HC_ROLE, HC_EID, HC_KIND,
	HC_SUMMARY, HC_SOURCE, HC_EREF, HC_WEIGHT, HC_ECONFIDENCE, HC_OBSERVED,
	HC_STATUS_BY, HC_N
};
static const char *const hc_names[HC_N] = {
	"incident_id", "id", "rank", "type", "service", "title", "ref",
	"status", "confidence", "score_details", "role", "evidence_id", "kind",
	"summary", "source", "evidence_ref", "weight", "evidence_confidence",
	"observed_at", "status_by"
};

/* A one-line explanation of a score: its "why"-like text member, or its
 * numeric members as "k=v, ..."; NULL when there is nothing (caller frees). */
static char *
model_why(json_t *sd)
{
	static const char *keys[] = { "why", "explanation", "summary", "reason" };
	struct buf b;
	const char *k;
	json_t *v, *obj = sd;
	size_t i;

	if (!json_is_object(sd))
		return NULL;
	for (i = 0; i < MW_ARRAY_LEN(keys); i++) {
		v = json_object_get(sd, keys[i]);
		if (json_is_string(v) && json_string_length(v) > 0)
			return xstrdup(json_string_value(v));
	}
	if (json_is_object(json_object_get(sd, "components")))
		obj = json_object_get(sd, "components");
	else if (json_is_object(json_object_get(sd, "factors")))
		obj = json_object_get(sd, "factors");
	buf_init(&b);
	json_object_foreach(obj, k, v) {
		if (!json_is_number(v))
			continue;
		buf_printf(&b, "%s%s=%.3g", b.len > 0 ? ", " : "", k,
		    json_number_value(v));
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Fills one hypothesis from row i of r (c: its columns). */
static void
model_fill_hypothesis(struct mw_hypothesis *h, const struct db_res *r, int i,
    const int *c)
{
	const char *sd = db_res_get(r, i, c[HC_SCORE]);

	h->id = db_res_ll(r, i, c[HC_ID]);
	h->rank = (int)db_res_ll(r, i, c[HC_RANK]);
	h->type = model_col_dup(r, i, c[HC_TYPE]);
	h->service = model_col_dup(r, i, c[HC_SERVICE]);
	h->title = model_col_dup(r, i, c[HC_TITLE]);
	h->ref = model_col_dup(r, i, c[HC_REF]);
	h->status = model_col_dup(r, i, c[HC_STATUS]);
	h->confidence = db_res_f(r, i, c[HC_CONFIDENCE]);
	h->score_details = sd != NULL ? json_loads(sd, 0, NULL) : NULL;
	if (h->score_details == NULL)
		h->score_details = json_object();
	h->why = model_why(h->score_details);
	h->status_by = model_col_dup(r, i, c[HC_STATUS_BY]);
}

/* Fills one evidence entry from row i of r (c: its columns). */
static void
model_fill_evidence(struct mw_evidence *e, const struct db_res *r, int i,
    const int *c)
{
	e->id = db_res_ll(r, i, c[HC_EID]);
	e->role = model_col_dup(r, i, c[HC_ROLE]);
	e->kind = model_col_dup(r, i, c[HC_KIND]);
	e->summary = model_col_dup(r, i, c[HC_SUMMARY]);
	e->source = model_col_dup(r, i, c[HC_SOURCE]);
	e->ref = model_col_dup(r, i, c[HC_EREF]);
	e->weight = db_res_f(r, i, c[HC_WEIGHT]);
	e->confidence = db_res_f(r, i, c[HC_ECONFIDENCE]);
	e->observed_at = db_res_f(r, i, c[HC_OBSERVED]);
}

/* Queues the hypotheses query (model_int.h). */
int
model_hypotheses_queue(struct db_batch *b, const char *project,
    const char *ids, const char *published)
{
	return DBBN(b, "model/hypotheses", project, ids, published);
}

/* Attaches hypotheses with their evidence from the rows of r
 * (model_int.h). */
void
model_hypotheses_attach(const struct db_res *r, struct mw_snapshot *s,
    const struct model_idx *map)
{
	struct mw_incident *inc;
	struct mw_hypothesis *h;
	long long iid, hid;
	long idx;
	int c[HC_N], i, j, n;
	size_t nh, ne;

	db_cols(r, hc_names, c, HC_N);
	n = db_res_rows(r);
	i = 0;
	while (i < n) {
		iid = db_res_ll(r, i, c[HC_INCIDENT]);
		/* Count this incident's hypotheses. */
		nh = 0;
		for (j = i; j < n && db_res_ll(r, j, c[HC_INCIDENT]) == iid; j++)
			if (j == i || db_res_ll(r, j, c[HC_ID]) !=
			    db_res_ll(r, j - 1, c[HC_ID]))
				nh++;
		idx = model_idx_find(map, s->n_incidents, iid);
		if (idx < 0) {
			i = j;
			continue;
		}
		inc = &s->incidents[idx];
		inc->hypotheses = xcalloc(nh, sizeof *inc->hypotheses);
		while (i < n && db_res_ll(r, i, c[HC_INCIDENT]) == iid) {
			hid = db_res_ll(r, i, c[HC_ID]);
			h = &inc->hypotheses[inc->n_hypotheses++];
			model_fill_hypothesis(h, r, i, c);
			h->is_root_cause = inc->root_cause_hypothesis_id == hid;
			ne = 0;
			for (j = i; j < n &&
			    db_res_ll(r, j, c[HC_INCIDENT]) == iid &&
			    db_res_ll(r, j, c[HC_ID]) == hid; j++)
				if (!db_res_isnull(r, j, c[HC_ROLE]))
					ne++;
			h->evidence = ne > 0 ? xcalloc(ne, sizeof *h->evidence) :
			    NULL;
			for (; i < j; i++)
				if (!db_res_isnull(r, i, c[HC_ROLE]))
					model_fill_evidence(&h->evidence[
					    h->n_evidence++], r, i, c);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Recommendations                                                           */
/* ------------------------------------------------------------------------ */

/* The columns of model/recommendations. */
enum {
	RC_INCIDENT, RC_ID, RC_HYPOTHESIS, RC_TYPE, RC_TITLE, RC_STATUS,
	RC_GATE_REASON, RC_PUBLISHABLE, RC_ACKED_BY, RC_ACKED_AT, RC_EVIDENCE,
	RC_GATE_STATUS, RC_IMPACT, RC_TEMPLATE, RC_DONE, RC_RATIONALE, RC_N
};
static const char *const rc_names[RC_N] = {
	"incident_id", "id", "hypothesis_id", "type", "title", "status",
	"gate_reason", "publishable", "acked_by", "acked_at", "evidence_count",
	"gate_status", "expected_impact", "template_key", "already_done",
	"rationale"
};

/* Queues the recommendations query (model_int.h). */
int
model_recommendations_queue(struct db_batch *b, const char *project,
    const char *ids, int with_hidden, const char *published)
{
	return DBBN(b, "model/recommendations", project, ids,
	    with_hidden ? "true" : "false", published);
}

/* Attaches recommendations from the rows of r (model_int.h). */
void
model_recommendations_attach(const struct db_res *r, struct mw_snapshot *s,
    const struct model_idx *map)
{
	struct mw_incident *inc;
	struct mw_recommendation *rec;
	long long iid;
	long idx;
	int c[RC_N], i, j, n;

	db_cols(r, rc_names, c, RC_N);
	n = db_res_rows(r);
	i = 0;
	while (i < n) {
		iid = db_res_ll(r, i, c[RC_INCIDENT]);
		for (j = i; j < n && db_res_ll(r, j, c[RC_INCIDENT]) == iid; j++)
			;
		idx = model_idx_find(map, s->n_incidents, iid);
		if (idx < 0) {
			i = j;
			continue;
		}
		inc = &s->incidents[idx];
		inc->recommendations = xcalloc((size_t)(j - i),
		    sizeof *inc->recommendations);
		for (; i < j; i++) {
			rec = &inc->recommendations[inc->n_recommendations++];
			rec->id = db_res_ll(r, i, c[RC_ID]);
			rec->hypothesis_id = db_res_ll(r, i, c[RC_HYPOTHESIS]);
			rec->type = model_col_dup(r, i, c[RC_TYPE]);
			rec->title = model_col_dup(r, i, c[RC_TITLE]);
			rec->status = model_col_dup(r, i, c[RC_STATUS]);
			rec->already_done = model_col_dup(r, i, c[RC_DONE]);
			rec->gate_reason = model_col_dup(r, i, c[RC_GATE_REASON]);
			rec->publishable = model_col_bool(r, i, c[RC_PUBLISHABLE]);
			rec->acked_by = model_col_dup(r, i, c[RC_ACKED_BY]);
			rec->acked_at = db_res_f(r, i, c[RC_ACKED_AT]);
			rec->evidence_count = (int)db_res_ll(r, i, c[RC_EVIDENCE]);
			rec->gate_status = model_col_dup(r, i, c[RC_GATE_STATUS]);
			rec->expected_impact = model_col_dup(r, i, c[RC_IMPACT]);
			rec->template_key = model_col_dup(r, i, c[RC_TEMPLATE]);
			rec->rationale = model_col_dup(r, i, c[RC_RATIONALE]);
		}
	}
}