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

/*
 * $1 project, $2 mode ('open', 'all', 'ids': those of $3), $4 limit, $5 the
 * default of console.recent_resolved.  The incidents are chosen first, in
 * the order shown (incidents_console_idx of sql/025_console_snapshot.sql
 * reads them in that order), and only those joined with their service and
 * latest decision: joining first looked up the decision of every incident
 * of the project before keeping MODEL_MAX_INCIDENTS of them.
 */
static const char model_sql_incidents[] =
    "SELECT i.id, s.name, i.status, i.severity, i.trigger_type, i.title,"
    "       extract(epoch FROM i.window_start), extract(epoch FROM i.window_end),"
    "       extract(epoch FROM i.created_at), d.decision, d.rationale,"
    "       d.policy_version, i.confidence, i.impact_low, i.impact_high,"
    "       i.impact_unit, i.root_cause_hypothesis_id,"
    "       i.status = 'resolved' AND i.resolved_at >= now() - make_interval("
    "           secs => cfg.recent),"
    "       i.resolution, i.resolved_by, cfg.recent,"
    "       CASE WHEN i.status = 'resolved'"
    "            THEN extract(epoch FROM i.resolved_at) END,"
    "       extract(epoch FROM i.resolved_data_at)"
    "  FROM (SELECT i.*, CASE i.status WHEN 'open' THEN 0 WHEN 'triaged' THEN 1"
    "                    WHEN 'resolved' THEN 2 ELSE 3 END AS o_status,"
    "               midwatch.severity_rank(i.severity) AS o_severity"
    "          FROM midwatch.incidents i"
    "         WHERE i.project_id = $1 AND (i.published OR $2 = 'ids')"
    "           AND CASE $2 WHEN 'ids' THEN i.id = ANY ($3::bigint[])"
    "                       WHEN 'all' THEN true"
    "                       ELSE i.status IN ('open', 'triaged')"
    "                            AND (SELECT x.decision"
    "                                   FROM midwatch.incident_decisions x"
    "                                  WHERE x.project_id = i.project_id"
    "                                    AND x.incident_id = i.id"
    "                                  ORDER BY x.decided_at DESC, x.id DESC"
    "                                  LIMIT 1) = 'approved' END"
    "         ORDER BY o_status, o_severity DESC NULLS LAST,"
    "                  i.window_start DESC, i.id DESC"
    "         LIMIT $4) i"
    /* the project's setting once, not twice per incident */
    "  CROSS JOIN (SELECT midwatch.project_setting($1::bigint,"
    "           'console.recent_resolved', $5::float8) AS recent) cfg"
    "  LEFT JOIN midwatch.services s"
    "    ON s.project_id = i.project_id AND s.id = i.service_id"
    "  LEFT JOIN LATERAL ("
    "	SELECT x.decision, x.rationale, x.policy_version"
    "	  FROM midwatch.incident_decisions x"
    "	 WHERE x.project_id = i.project_id AND x.incident_id = i.id"
    "	 ORDER BY x.decided_at DESC, x.id DESC LIMIT 1) d ON true"
    " ORDER BY i.o_status, i.o_severity DESC NULLS LAST, i.window_start DESC,"
    "          i.id DESC";

/* Queues the incidents query (model_int.h). */
int
model_incidents_queue(struct db_batch *b, const char *project,
    const char *mode, const char *want)
{
	char limit[16], recent[40];

	snprintf(limit, sizeof limit, "%d", MODEL_MAX_INCIDENTS);
	return DBB(b, model_sql_incidents, project, mode, want, limit,
	    policy_param(recent, sizeof recent, POL_LIFECYCLE_RECENT));
}

/* Fills the snapshot's incidents from the rows of r (model_int.h). */
void
model_incidents_fill(const struct db_res *r, struct mw_snapshot *s)
{
	int i, n;

	n = db_res_rows(r);
	s->recent_resolved = n > 0 ? db_res_f(r, 0, 20) :
	    POLICY(LIFECYCLE_RECENT);
	s->incidents = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s->incidents);
	s->n_incidents = (size_t)n;
	for (i = 0; i < n; i++) {
		struct mw_incident *inc = &s->incidents[i];

		inc->id = db_res_ll(r, i, 0);
		inc->service = model_col_dup(r, i, 1);
		inc->status = model_col_dup(r, i, 2);
		inc->severity = model_col_dup(r, i, 3);
		inc->trigger_type = model_col_dup(r, i, 4);
		inc->title = model_col_dup(r, i, 5);
		inc->window_start = db_res_f(r, i, 6);
		inc->window_end = db_res_f(r, i, 7);
		inc->created_at = db_res_f(r, i, 8);
		inc->decision = model_col_dup(r, i, 9);
		inc->rationale = model_col_dup(r, i, 10);
		inc->policy_version = model_col_dup(r, i, 11);
		inc->confidence = db_res_f(r, i, 12);
		inc->has_impact = !db_res_isnull(r, i, 13) || !db_res_isnull(r, i, 14);
		inc->impact_low = db_res_f(r, i, 13);
		inc->impact_high = db_res_isnull(r, i, 14) ? inc->impact_low :
		    db_res_f(r, i, 14);
		if (db_res_isnull(r, i, 13))
			inc->impact_low = inc->impact_high;
		inc->impact_unit = model_col_dup(r, i, 15);
		inc->root_cause_hypothesis_id = db_res_ll(r, i, 16);
		inc->recently_resolved = db_res_get(r, i, 17) != NULL &&
		    strcmp(db_res_get(r, i, 17), "t") == 0;
		inc->resolution = model_col_dup(r, i, 18);
		inc->resolved_by = model_col_dup(r, i, 19);
		inc->resolved_at = db_res_f(r, i, 21);
		inc->resolved_data_at = db_res_f(r, i, 22);
	}
}

/* ------------------------------------------------------------------------ */
/* Hypotheses and their evidence                                             */
/* ------------------------------------------------------------------------ */

/*
 * One row per (hypothesis, cited evidence), or one row with NULL role for a
 * hypothesis citing nothing; ordered so a hypothesis's rows are consecutive
 * and an incident's hypotheses are consecutive by rank.  Evidence: supports,
 * then contradicts, then missing, heaviest first.
 */
static const char model_sql_hypotheses[] =
    "SELECT h.incident_id, h.id, h.rank, h.hypothesis_type, s.name, h.title,"
    "       h.ref, h.status, h.confidence, h.score_details::text,"
    "       he.role, e.id, coalesce(e.kind, he.expected_kind, 'unknown'),"
    "       coalesce(e.summary, he.note, 'expected ' ||"
    "                coalesce(he.expected_kind, 'evidence') ||"
    "                ': looked for, not found'),"
    "       e.source, e.ref, he.weight, e.confidence,"
    "       extract(epoch FROM e.observed_at),"
    "       CASE WHEN h.status_source = 'feedback'"
    "            THEN h.status_changed_by END"
    "  FROM midwatch.hypotheses h"
    "  LEFT JOIN midwatch.services s"
    "    ON s.project_id = h.project_id AND s.id = h.service_id"
    "  LEFT JOIN midwatch.hypothesis_evidence he"
    "    ON he.project_id = h.project_id AND he.hypothesis_id = h.id"
    "   AND (NOT $3::boolean OR he.evidence_id IS NULL"
    "        OR EXISTS (SELECT 1 FROM midwatch.evidence_artifacts x"
    "                    WHERE x.project_id = he.project_id"
    "                      AND x.id = he.evidence_id AND x.published))"
    "  LEFT JOIN midwatch.evidence_artifacts e"
    "    ON e.project_id = he.project_id AND e.id = he.evidence_id"
    " WHERE h.project_id = $1 AND h.incident_id = ANY ($2::bigint[])"
    "   AND (h.published OR NOT $3::boolean)"
    " ORDER BY h.incident_id, h.rank, h.id,"
    "          CASE he.role WHEN 'supports' THEN 0 WHEN 'contradicts' THEN 1"
    "               ELSE 2 END, he.weight DESC, e.id, he.id";

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

/* Fills one hypothesis from row i of r. */
static void
model_fill_hypothesis(struct mw_hypothesis *h, const struct db_res *r, int i)
{
	const char *sd = db_res_get(r, i, 9);

	h->id = db_res_ll(r, i, 1);
	h->rank = (int)db_res_ll(r, i, 2);
	h->type = model_col_dup(r, i, 3);
	h->service = model_col_dup(r, i, 4);
	h->title = model_col_dup(r, i, 5);
	h->ref = model_col_dup(r, i, 6);
	h->status = model_col_dup(r, i, 7);
	h->confidence = db_res_f(r, i, 8);
	h->score_details = sd != NULL ? json_loads(sd, 0, NULL) : NULL;
	if (h->score_details == NULL)
		h->score_details = json_object();
	h->why = model_why(h->score_details);
	h->status_by = model_col_dup(r, i, 19);
}

/* Fills one evidence entry from row i of r. */
static void
model_fill_evidence(struct mw_evidence *e, const struct db_res *r, int i)
{
	e->id = db_res_ll(r, i, 11);
	e->role = model_col_dup(r, i, 10);
	e->kind = model_col_dup(r, i, 12);
	e->summary = model_col_dup(r, i, 13);
	e->source = model_col_dup(r, i, 14);
	e->ref = model_col_dup(r, i, 15);
	e->weight = db_res_f(r, i, 16);
	e->confidence = db_res_f(r, i, 17);
	e->observed_at = db_res_f(r, i, 18);
}

/* Queues the hypotheses query (model_int.h). */
int
model_hypotheses_queue(struct db_batch *b, const char *project,
    const char *ids, const char *published)
{
	return DBB(b, model_sql_hypotheses, project, ids, published);
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
	int i, j, n;
	size_t nh, ne;

	n = db_res_rows(r);
	i = 0;
	while (i < n) {
		iid = db_res_ll(r, i, 0);
		/* Count this incident's hypotheses. */
		nh = 0;
		for (j = i; j < n && db_res_ll(r, j, 0) == iid; j++)
			if (j == i || db_res_ll(r, j, 1) != db_res_ll(r, j - 1, 1))
				nh++;
		idx = model_idx_find(map, s->n_incidents, iid);
		if (idx < 0) {
			i = j;
			continue;
		}
		inc = &s->incidents[idx];
		inc->hypotheses = xcalloc(nh, sizeof *inc->hypotheses);
		while (i < n && db_res_ll(r, i, 0) == iid) {
			hid = db_res_ll(r, i, 1);
			h = &inc->hypotheses[inc->n_hypotheses++];
			model_fill_hypothesis(h, r, i);
			h->is_root_cause = inc->root_cause_hypothesis_id == hid;
			ne = 0;
			for (j = i; j < n && db_res_ll(r, j, 0) == iid &&
			    db_res_ll(r, j, 1) == hid; j++)
				if (!db_res_isnull(r, j, 10))
					ne++;
			h->evidence = ne > 0 ? xcalloc(ne, sizeof *h->evidence) :
			    NULL;
			for (; i < j; i++)
				if (!db_res_isnull(r, i, 10))
					model_fill_evidence(
					    &h->evidence[h->n_evidence++], r, i);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Recommendations                                                           */
/* ------------------------------------------------------------------------ */

static const char model_sql_recommendations[] =
    "SELECT r.incident_id, r.id, r.hypothesis_id, r.type, r.title, r.status,"
    "       r.gate_reason, r.publishable, r.acknowledged_by,"
    "       extract(epoch FROM r.acknowledged_at), r.evidence_count,"
    "       r.gate_status, r.expected_impact, r.template_key,"
    "       r.details -> 'already_done' ->> 'reason',"
    "       coalesce(r.details ->> 'rationale', CASE WHEN h.id IS NOT NULL"
    "        THEN format('for hypothesis #%s, ranked %s (%s, confidence %s): %s;"
    " %s supporting evidence', h.id, h.rank, h.hypothesis_type,"
    "        to_char(h.confidence, 'FM0.00'), h.title, r.evidence_count) END)"
    "  FROM midwatch.recommendations r"
    "  LEFT JOIN midwatch.hypotheses h"
    "    ON h.project_id = r.project_id AND h.id = r.hypothesis_id"
    " WHERE r.project_id = $1 AND r.incident_id = ANY ($2::bigint[])"
    "   AND (r.publishable OR $3::boolean)"
    "   AND (r.published OR NOT $4::boolean)"
    " ORDER BY r.incident_id, r.publishable DESC, h.rank NULLS LAST, r.id";

/* Queues the recommendations query (model_int.h). */
int
model_recommendations_queue(struct db_batch *b, const char *project,
    const char *ids, int with_hidden, const char *published)
{
	return DBB(b, model_sql_recommendations, project, ids,
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
	int i, j, n;

	n = db_res_rows(r);
	i = 0;
	while (i < n) {
		iid = db_res_ll(r, i, 0);
		for (j = i; j < n && db_res_ll(r, j, 0) == iid; j++)
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
			rec->id = db_res_ll(r, i, 1);
			rec->hypothesis_id = db_res_ll(r, i, 2);
			rec->type = model_col_dup(r, i, 3);
			rec->title = model_col_dup(r, i, 4);
			rec->status = model_col_dup(r, i, 5);
			rec->already_done = model_col_dup(r, i, 14);
			rec->gate_reason = model_col_dup(r, i, 6);
			rec->publishable = model_col_bool(r, i, 7);
			rec->acked_by = model_col_dup(r, i, 8);
			rec->acked_at = db_res_f(r, i, 9);
			rec->evidence_count = (int)db_res_ll(r, i, 10);
			rec->gate_status = model_col_dup(r, i, 11);
			rec->expected_impact = model_col_dup(r, i, 12);
			rec->template_key = model_col_dup(r, i, 13);
			rec->rationale = model_col_dup(r, i, 15);
		}
	}
}