/*
 * model.c - the read model: loads incidents with their hypotheses, cited
 * evidence, recommendations and alerts in a handful of aggregate queries (one
 * per kind of row, never one per incident), and the per-incident detail
 * (timeline and anomalous series) on demand.  The console and the headless
 * commands both read through here, so they cannot disagree.
 *
 * Every query filters on project_id first and is bounded (MODEL_MAX_* in
 * model.h); rows arrive ordered so that children of one parent are
 * consecutive and can be attached in one pass.
 *
 * Nothing half-written is shown: the lists (model_load) hold only published
 * rows, those of completed runs (sql/015_run_output.sql), so an incident a
 * running or dead run created is not there, nor a hypothesis, cited
 * evidence, recommendation or alert it added to an older incident.  Loading
 * given ids (model_load_ids: the report stage inside its own run, a detail
 * view) takes the rows as they are.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/pgarray.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* Which incidents model_load_filtered selects. */
enum model_filter {
	MODEL_OPEN,	/* approved and open|triaged */
	MODEL_ALL,	/* every incident */
	MODEL_IDS	/* exactly the given ids */
};

/* An incident id and its index in the snapshot, for attaching children. */
struct model_idx {
	long long id;
	size_t idx;
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

/* A malloc'd copy of a column value, or NULL for SQL NULL (model_int.h). */
char *
model_col_dup(const struct db_res *r, int row, int col)
{
	const char *v = db_res_get(r, row, col);

	return v != NULL ? xstrdup(v) : NULL;
}

/* A boolean column ("t"/"f"); NULL is false. */
static int
model_col_bool(const struct db_res *r, int row, int col)
{
	const char *v = db_res_get(r, row, col);

	return v != NULL && v[0] == 't';
}

/* Orders model_idx by id for bsearch. */
static int
model_idx_cmp(const void *a, const void *b)
{
	const struct model_idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The index of incident id in the snapshot, or -1. */
static long
model_idx_find(const struct model_idx *map, size_t n, long long id)
{
	struct model_idx key = { id, 0 }, *hit;

	if (n == 0)
		return -1;
	hit = bsearch(&key, map, n, sizeof *map, model_idx_cmp);
	return hit != NULL ? (long)hit->idx : -1;
}

/* Formats ids as a PostgreSQL array literal "{1,2,3}" (caller frees). */
static char *
model_id_array(const long long *ids, size_t n)
{
	return pgarray_ids(ids, n);
}

/* ------------------------------------------------------------------------ */
/* Freeing                                                                   */
/* ------------------------------------------------------------------------ */

/* Frees the strings of one alert (not the struct itself). */
static void
model_alert_clear(struct mw_alert *a)
{
	free(a->title);
	free(a->message);
	free(a->severity);
	free(a->status);
	free(a->acked_by);
	free(a->service);
	free(a->rule);
	free(a->source);
	free(a->labels);
	free(a->annotations);
	free(a->am_silence);
	free(a->group_reason);
}

/* Frees an incident's timeline and series (model_load_detail's part). */
static void
model_detail_clear(struct mw_incident *inc)
{
	size_t i;

	for (i = 0; i < inc->n_timeline; i++) {
		free(inc->timeline[i].kind);
		free(inc->timeline[i].label);
	}
	free(inc->timeline);
	inc->timeline = NULL;
	inc->n_timeline = 0;
	model_series_free(inc->series, inc->n_series);
	inc->series = NULL;
	free(inc->report_md);
	inc->report_md = NULL;
	inc->n_series = 0;
}

/* Frees everything an incident owns (not the struct itself). */
static void
model_incident_clear(struct mw_incident *inc)
{
	size_t i, j;

	free(inc->service);
	free(inc->status);
	free(inc->resolution);
	free(inc->resolved_by);
	free(inc->severity);
	free(inc->trigger_type);
	free(inc->title);
	free(inc->decision);
	free(inc->rationale);
	free(inc->policy_version);
	free(inc->impact_unit);
	for (i = 0; i < inc->n_hypotheses; i++) {
		struct mw_hypothesis *h = &inc->hypotheses[i];

		free(h->type);
		free(h->service);
		free(h->title);
		free(h->ref);
		free(h->status);
		free(h->why);
		free(h->status_by);
		if (h->score_details != NULL)
			json_decref(h->score_details);
		for (j = 0; j < h->n_evidence; j++) {
			free(h->evidence[j].kind);
			free(h->evidence[j].role);
			free(h->evidence[j].summary);
			free(h->evidence[j].source);
			free(h->evidence[j].ref);
		}
		free(h->evidence);
	}
	free(inc->hypotheses);
	for (i = 0; i < inc->n_recommendations; i++) {
		struct mw_recommendation *r = &inc->recommendations[i];

		free(r->type);
		free(r->title);
		free(r->status);
		free(r->gate_reason);
		free(r->acked_by);
		free(r->gate_status);
		free(r->already_done);
		free(r->expected_impact);
		free(r->rationale);
		free(r->template_key);
		model_actions_free(r->actions, r->n_actions);
	}
	free(inc->recommendations);
	for (i = 0; i < inc->n_alerts; i++)
		model_alert_clear(&inc->alerts[i]);
	free(inc->alerts);
	model_detail_clear(inc);
}

/* Counts the lists' open incidents and active alerts (see model.h). */
void
model_count_lists(struct mw_snapshot *s)
{
	size_t i;

	s->n_open_total = s->n_active_total = 0;
	for (i = 0; i < s->n_incidents; i++)
		if (s->incidents[i].status != NULL &&
		    (strcmp(s->incidents[i].status, "open") == 0 ||
		    strcmp(s->incidents[i].status, "triaged") == 0))
			s->n_open_total++;
	for (i = 0; i < s->n_alerts; i++)
		if (s->alerts[i].status != NULL &&
		    strcmp(s->alerts[i].status, "active") == 0)
			s->n_active_total++;
}

/* Frees a snapshot and everything in it; NULL is fine. */
void
model_free(struct mw_snapshot *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_incidents; i++)
		model_incident_clear(&s->incidents[i]);
	free(s->incidents);
	for (i = 0; i < s->n_alerts; i++)
		model_alert_clear(&s->alerts[i]);
	free(s->alerts);
	free(s->last_run_status);
	free(s->health_line);
	free(s);
}

/* ------------------------------------------------------------------------ */
/* Incidents                                                                 */
/* ------------------------------------------------------------------------ */

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
    "  FROM midwatch.incidents i"
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
    " WHERE i.project_id = $1 AND (i.published OR $2 = 'ids')"
    "   AND CASE $2 WHEN 'ids' THEN i.id = ANY ($3::bigint[])"
    "               WHEN 'all' THEN true"
    "               ELSE d.decision = 'approved'"
    "                    AND i.status IN ('open', 'triaged') END"
    " ORDER BY CASE i.status WHEN 'open' THEN 0 WHEN 'triaged' THEN 1"
    "               WHEN 'resolved' THEN 2 ELSE 3 END,"
    "          midwatch.severity_rank(i.severity) DESC NULLS LAST,"
    "          i.window_start DESC, i.id DESC"
    " LIMIT $4";

/* Loads the incident rows into s; 0 or -1 with *cause. */
static int
model_load_incidents(struct db *db, const char *project, enum model_filter f,
    const char *ids, struct mw_snapshot *s, char **cause)
{
	static const char *modes[] = { "open", "all", "ids" };
	struct db_res *r;
	char limit[16], recent[40];
	int i, n;

	snprintf(limit, sizeof limit, "%d", MODEL_MAX_INCIDENTS);
	r = DBQ(db, cause, model_sql_incidents, project, modes[f], ids, limit,
	    policy_param(recent, sizeof recent, POL_LIFECYCLE_RECENT));
	if (r == NULL)
		return -1;
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
	db_res_free(r);
	return 0;
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

/* Loads and attaches hypotheses with their evidence (published ones only
 * when published is "true"); 0 or -1. */
static int
model_load_hypotheses(struct db *db, const char *project, const char *ids,
    const char *published, struct mw_snapshot *s, const struct model_idx *map,
    char **cause)
{
	struct db_res *r;
	struct mw_incident *inc;
	struct mw_hypothesis *h;
	long long iid, hid;
	long idx;
	int i, j, n;
	size_t nh, ne;

	r = DBQ(db, cause, model_sql_hypotheses, project, ids, published);
	if (r == NULL)
		return -1;
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
	db_res_free(r);
	return 0;
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

/* Loads and attaches recommendations; 0 or -1. */
static int
model_load_recommendations(struct db *db, const char *project,
    const char *ids, int with_hidden, const char *published,
    struct mw_snapshot *s, const struct model_idx *map, char **cause)
{
	struct db_res *r;
	struct mw_incident *inc;
	struct mw_recommendation *rec;
	long long iid;
	long idx;
	int i, j, n;

	r = DBQ(db, cause, model_sql_recommendations, project, ids,
	    with_hidden ? "true" : "false", published);
	if (r == NULL)
		return -1;
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
	db_res_free(r);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Alerts                                                                    */
/* ------------------------------------------------------------------------ */

/* The loaded incidents' alerts plus the newest others: the important thing
 * first -- by severity (critical first), then newest -- as `midwatch
 * alerts` lists them.  Two halves that each use an index (the incidents'
 * alerts through alerts_incident_idx, one lookup per incident; the newest
 * through alerts_created_idx backwards), the second without the first's
 * rows: an OR of the two scanned all alerts, comparing each with every
 * incident id (3.5-4.2 s at 100,000 alerts, doc/performance.md). */
static const char model_sql_alerts[] =
    "SELECT a.id, a.incident_id, a.title, a.message, a.severity, a.status,"
    "       extract(epoch FROM a.created_at), a.acknowledged_by,"
    "       extract(epoch FROM a.acknowledged_at),"
    "       extract(epoch FROM a.silenced_until), s.name, ru.name,"
    "       a.fire_count, extract(epoch FROM a.last_fired_at),"
    "       CASE WHEN a.details ->> 'source' = 'external'"
    "            THEN coalesce(a.details ->> 'external_source', 'external') END,"
    "       (SELECT string_agg(k || '=' || v, ', ' ORDER BY k)"
    "          FROM jsonb_each_text(CASE WHEN jsonb_typeof(a.details -> 'labels')"
    "               = 'object' THEN a.details -> 'labels' END) l (k, v)),"
    "       (SELECT string_agg(k || ': ' || v, '; ' ORDER BY k)"
    "          FROM jsonb_each_text(CASE WHEN jsonb_typeof(a.details ->"
    "               'annotations') = 'object' THEN a.details -> 'annotations'"
    "               END) n (k, v)),"
    "       (SELECT x.state || CASE WHEN x.state IN ('pending', 'active')"
    "               THEN ' until ' || to_char(x.ends_at AT TIME ZONE 'UTC',"
    "                   'YYYY-MM-DD HH24:MI \"UTC\"') ELSE '' END"
    "               || coalesce(' (' || x.silence_id || ')', '')"
    "               || coalesce(': ' || x.last_error, '')"
    "          FROM midwatch.alert_silences x"
    "         WHERE x.project_id = a.project_id AND x.alert_id = a.id"
    "         ORDER BY x.id DESC LIMIT 1),"
    "       a.group_head_id,"
    "       (SELECT count(*) FROM midwatch.alerts b"
    "         WHERE b.project_id = a.project_id AND b.group_head_id = a.id"
    "           AND b.id <> a.id AND (b.published OR NOT $4::boolean)),"
    "       a.group_reason"
    "  FROM (SELECT b.* FROM unnest($2::bigint[]) u (incident_id)"
    "          JOIN midwatch.alerts b"
    "            ON b.project_id = $1 AND b.incident_id = u.incident_id"
    "         WHERE b.published OR NOT $4::boolean"
    "        UNION ALL"
    "        SELECT n.* FROM (SELECT b.* FROM midwatch.alerts b"
    "                          WHERE b.project_id = $1"
    "                            AND (b.published OR NOT $4::boolean)"
    "                          ORDER BY b.created_at DESC, b.id DESC LIMIT $3) n"
    "         WHERE n.incident_id IS NULL"
    "            OR NOT n.incident_id = ANY ($2::bigint[])) a"
    "  LEFT JOIN midwatch.services s"
    "    ON s.project_id = a.project_id AND s.id = a.service_id"
    "  LEFT JOIN midwatch.alert_rules ru"
    "    ON ru.project_id = a.project_id AND ru.id = a.rule_id"
    " ORDER BY midwatch.severity_rank(a.severity) DESC NULLS LAST,"
    "          a.created_at DESC, a.id DESC";

/* Fills one alert from row i of r. */
static void
model_fill_alert(struct mw_alert *a, const struct db_res *r, int i)
{
	a->id = db_res_ll(r, i, 0);
	a->incident_id = db_res_ll(r, i, 1);
	a->title = model_col_dup(r, i, 2);
	a->message = model_col_dup(r, i, 3);
	a->severity = model_col_dup(r, i, 4);
	a->status = model_col_dup(r, i, 5);
	a->created_at = db_res_f(r, i, 6);
	a->acked_by = model_col_dup(r, i, 7);
	a->acked_at = db_res_f(r, i, 8);
	a->silenced_until = db_res_f(r, i, 9);
	a->service = model_col_dup(r, i, 10);
	a->rule = model_col_dup(r, i, 11);
	a->fire_count = (int)db_res_ll(r, i, 12);
	a->last_fired_at = db_res_f(r, i, 13);
	a->source = model_col_dup(r, i, 14);
	a->labels = model_col_dup(r, i, 15);
	a->annotations = model_col_dup(r, i, 16);
	a->am_silence = model_col_dup(r, i, 17);
	a->group_head_id = db_res_ll(r, i, 18);
	a->group_members = (int)db_res_ll(r, i, 19);
	a->group_reason = model_col_dup(r, i, 20);
}

/* Loads the snapshot's alerts and each incident's own; 0 or -1. */
static int
model_load_alerts(struct db *db, const char *project, const char *ids,
    const char *published, struct mw_snapshot *s, const struct model_idx *map,
    char **cause)
{
	struct db_res *r;
	struct mw_incident *inc;
	char limit[16];
	size_t *counts;
	long idx;
	int i, n;

	snprintf(limit, sizeof limit, "%d", MODEL_MAX_ALERTS);
	r = DBQ(db, cause, model_sql_alerts, project, ids, limit, published);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	s->alerts = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s->alerts);
	counts = xcalloc(s->n_incidents + 1, sizeof *counts);
	for (i = 0; i < n; i++) {
		model_fill_alert(&s->alerts[s->n_alerts++], r, i);
		idx = model_idx_find(map, s->n_incidents, db_res_ll(r, i, 1));
		if (idx >= 0)
			counts[idx]++;
	}
	for (idx = 0; (size_t)idx < s->n_incidents; idx++)
		if (counts[idx] > 0)
			s->incidents[idx].alerts = xcalloc(counts[idx],
			    sizeof *s->incidents[idx].alerts);
	for (i = 0; i < n; i++) {
		idx = model_idx_find(map, s->n_incidents, db_res_ll(r, i, 1));
		if (idx < 0)
			continue;
		inc = &s->incidents[idx];
		model_fill_alert(&inc->alerts[inc->n_alerts++], r, i);
	}
	free(counts);
	db_res_free(r);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The snapshot                                                              */
/* ------------------------------------------------------------------------ */

/* The last pipeline run and the database clock, and with health the
 * pipeline's health; 0 or -1. */
static int
model_load_run(struct db *db, const char *project, int health,
    struct mw_snapshot *s, char **cause)
{
	struct mw_health h;
	struct db_res *r;

	/* The status bar's counts ride along (health: the lists' snapshot);
	 * an initplan under a false CASE is never run. */
	r = DBQ(db, cause,
	    "SELECT extract(epoch FROM now()), p.id, p.status,"
	    "       extract(epoch FROM p.finished_at),"
	    "       CASE WHEN $2::boolean THEN"
	    "           (SELECT count(*) FROM midwatch.incidents i"
	    "             WHERE i.project_id = $1 AND i.published"
	    "               AND i.status IN ('open', 'triaged')) END,"
	    "       CASE WHEN $2::boolean THEN"
	    "           (SELECT count(*) FROM midwatch.alerts a"
	    "             WHERE a.project_id = $1 AND a.published"
	    "               AND a.status = 'active') END"
	    "  FROM (SELECT 1) one"
	    "  LEFT JOIN LATERAL (SELECT id, status, finished_at"
	    "                       FROM midwatch.pipeline_runs"
	    "                      WHERE project_id = $1 AND kind = 'pipeline'"
	    "                      ORDER BY id DESC LIMIT 1) p ON true",
	    project, health ? "true" : "false");
	if (r == NULL)
		return -1;
	s->taken_at = db_res_f(r, 0, 0);
	s->last_run_id = db_res_ll(r, 0, 1);
	s->last_run_status = model_col_dup(r, 0, 2);
	s->last_run_finished = db_res_f(r, 0, 3);
	s->n_open_total = db_res_isnull(r, 0, 4) ? -1 : db_res_ll(r, 0, 4);
	s->n_active_total = db_res_isnull(r, 0, 5) ? -1 : db_res_ll(r, 0, 5);
	db_res_free(r);
	if (!health)
		return 0;
	/* Staleness is `midwatch status`'s business (--max-age); here the
	 * runs themselves say whether the pipeline is healthy. */
	if (model_health_load(db, strtoll(project, NULL, 10), 0, &h, cause) != 0)
		return -1;
	s->health = h.state;
	s->health_line = h.line;
	h.line = NULL;
	model_health_free(&h);
	return 0;
}

/* Loads a snapshot of the incidents selected by f (ids for MODEL_IDS). */
static struct mw_snapshot *
model_load_filtered(struct db *db, long long project_id, enum model_filter f,
    const long long *want, size_t n_want, int with_hidden, char **cause)
{
	struct mw_snapshot *s;
	struct model_idx *map = NULL;
	long long *ids = NULL;
	char project[24], *ids_txt = NULL, *want_txt = NULL;
	/* lists show completed runs' rows; given ids are taken as they are */
	const char *published = f == MODEL_IDS ? "false" : "true";
	size_t i;

	snprintf(project, sizeof project, "%lld", project_id);
	s = xcalloc(1, sizeof *s);
	if (f == MODEL_IDS)
		want_txt = model_id_array(want, n_want);
	if (model_load_incidents(db, project, f, want_txt, s, cause) != 0)
		goto fail;
	map = xcalloc(s->n_incidents + 1, sizeof *map);
	ids = xcalloc(s->n_incidents + 1, sizeof *ids);
	for (i = 0; i < s->n_incidents; i++) {
		map[i].id = ids[i] = s->incidents[i].id;
		map[i].idx = i;
	}
	qsort(map, s->n_incidents, sizeof *map, model_idx_cmp);
	ids_txt = model_id_array(ids, s->n_incidents);
	if (model_load_hypotheses(db, project, ids_txt, published, s, map,
	    cause) != 0 ||
	    model_load_recommendations(db, project, ids_txt, with_hidden,
	    published, s, map, cause) != 0 ||
	    model_load_alerts(db, project, ids_txt, published, s, map, cause) != 0 ||
	    model_actions_attach(db, project_id, s, cause) != 0 ||
	    /* the report stage's snapshot of given ids needs no health */
	    model_load_run(db, project, f != MODEL_IDS, s, cause) != 0)
		goto fail;
	free(map);
	free(ids);
	free(ids_txt);
	free(want_txt);
	return s;
fail:
	free(map);
	free(ids);
	free(ids_txt);
	free(want_txt);
	model_free(s);
	return NULL;
}

/* Loads the default or --all snapshot (see model.h). */
struct mw_snapshot *
model_load(struct db *db, long long project_id, int all, int with_hidden,
    char **cause)
{
	return model_load_filtered(db, project_id, all ? MODEL_ALL : MODEL_OPEN,
	    NULL, 0, with_hidden, cause);
}

/* Loads exactly the incidents ids (see model.h). */
struct mw_snapshot *
model_load_ids(struct db *db, long long project_id, const long long *ids,
    size_t n, int with_hidden, char **cause)
{
	return model_load_filtered(db, project_id, MODEL_IDS, ids, n,
	    with_hidden, cause);
}

/* ------------------------------------------------------------------------ */
/* Detail: timeline and series                                               */
/* ------------------------------------------------------------------------ */

/*
 * Everything around the incident on one axis: deploys and config changes of
 * the incident's service, the suspected services and the services of its
 * signals within the window +- 2 h (config changes without a service too),
 * the incident's alerts (at their data-time firing), signal onsets (of
 * another investigation's signals only its own incident shows them; an
 * expired signal of another incident is of kind 'expired', which the
 * console shows on request), and
 * the operators' notes on anything of the incident (at the time they were
 * written).
 */
static const char model_sql_timeline[] =
    "WITH inc AS ("
    "	SELECT i.id, i.service_id, i.window_start - interval '2 hours' AS t0,"
    "	       i.window_end + interval '2 hours' AS t1"
    "	  FROM midwatch.incidents i WHERE i.project_id = $1 AND i.id = $2),"
    " svc AS ("
    "	SELECT service_id FROM inc WHERE service_id IS NOT NULL"
    "	UNION SELECT h.service_id FROM midwatch.hypotheses h, inc"
    "	 WHERE h.project_id = $1 AND h.incident_id = inc.id"
    "	   AND h.service_id IS NOT NULL"
    "	UNION SELECT g.service_id FROM midwatch.signals g, inc"
    "	 WHERE g.project_id = $1 AND g.incident_id = inc.id"
    "	   AND g.service_id IS NOT NULL),"
    " items AS ("
    "	SELECT d.started_at AS ts, 'deploy' AS kind,"
    "	       'deploy ' || d.ext_id || ' of ' || s.name"
    "	       || CASE WHEN d.is_rollback THEN ' (rollback)' ELSE '' END"
    "	       || coalesce(' to ' || d.revision, '') AS label"
    "	  FROM midwatch.deployment_events d"
    "	  JOIN inc ON d.started_at BETWEEN inc.t0 AND inc.t1"
    "	  JOIN midwatch.services s ON s.project_id = d.project_id"
    "	   AND s.id = d.service_id"
    "	 WHERE d.project_id = $1 AND d.service_id IN (SELECT service_id FROM svc)"
    "	UNION ALL"
    "	SELECT c.detected_at, 'config_change',"
    "	       'config change ' || c.ext_id || ': ' || c.change_kind || ' '"
    "	       || c.resource_name || ' on ' || coalesce(s.name, 'the cluster')"
    "	  FROM midwatch.config_change_events c"
    "	  JOIN inc ON c.detected_at BETWEEN inc.t0 AND inc.t1"
    "	  LEFT JOIN midwatch.services s ON s.project_id = c.project_id"
    "	   AND s.id = c.service_id"
    "	 WHERE c.project_id = $1 AND (c.service_id IS NULL"
    "	       OR c.service_id IN (SELECT service_id FROM svc))"
    "	UNION ALL"
    "	SELECT coalesce((a.details->>'fired_at')::timestamptz, a.last_fired_at,"
    "	                a.created_at), 'alert',"
    "	       'alert ' || a.id || ' [' || a.severity || '] ' || a.title"
    "	       || ' (' || a.status || ')'"
    "	  FROM midwatch.alerts a, inc"
    "	 WHERE a.project_id = $1 AND a.incident_id = inc.id"
    "	UNION ALL"
    "	SELECT g.onset_at, CASE WHEN g.status = 'expired'"
    "	       AND g.incident_id IS DISTINCT FROM inc.id THEN 'expired'"
    "	       ELSE 'onset' END,"
    "	       g.signal_type || coalesce(' ' || g.metric_name, '')"
    "	       || coalesce(' on ' || s.name, '')"
    "	       || coalesce(' (' || g.ref || ')', '')"
    "	       || CASE WHEN g.status = 'expired' THEN ' (expired)' ELSE '' END"
    "	  FROM midwatch.signals g"
    "	  JOIN inc ON true"
    "	  LEFT JOIN midwatch.services s ON s.project_id = g.project_id"
    "	   AND s.id = g.service_id"
    "	 WHERE g.project_id = $1 AND (g.incident_id = inc.id"
    "	       OR (g.service_id IN (SELECT service_id FROM svc)"
    "	           AND g.onset_at BETWEEN inc.t0 AND inc.t1"
    "	           AND coalesce(g.details ->> 'source', '') <> 'investigate'))"
    "	UNION ALL"
    "	SELECT f.created_at, 'note',"
    "	       'note by ' || coalesce(f.actor_id, '?') || ' on ' || f.target_kind"
    "	       || ' ' || f.target_id || ': ' || coalesce(f.payload->>'text', '')"
    "	  FROM midwatch.feedback_events f, inc"
    "	 WHERE f.project_id = $1 AND f.incident_id = inc.id"
    "	   AND f.event_type = 'human_note_added')"
    " SELECT extract(epoch FROM ts), kind, label FROM items"
    " ORDER BY ts, kind, label LIMIT $3";

/* Loads the timeline of inc; 0 or -1. */
static int
model_load_timeline(struct db *db, const char *project, const char *incident,
    struct mw_incident *inc, char **cause)
{
	struct db_res *r;
	char limit[16];
	int i, n;

	snprintf(limit, sizeof limit, "%d", MODEL_MAX_TIMELINE);
	r = DBQ(db, cause, model_sql_timeline, project, incident, limit);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	inc->timeline = n > 0 ? xcalloc((size_t)n, sizeof *inc->timeline) : NULL;
	for (i = 0; i < n; i++) {
		struct mw_timeline_item *t = &inc->timeline[inc->n_timeline++];

		t->ts = db_res_f(r, i, 0);
		t->kind = model_col_dup(r, i, 1);
		t->label = model_col_dup(r, i, 2);
	}
	db_res_free(r);
	return 0;
}

/* Loads inc's markdown report (NULL when the pipeline wrote none); 0 or
 * -1. */
static int
model_load_report(struct db *db, const char *project, const char *incident,
    struct mw_incident *inc, char **cause)
{
	struct db_res *r;

	r = DBQ(db, cause, "SELECT markdown FROM midwatch.incident_reports"
	    " WHERE project_id = $1 AND incident_id = $2", project, incident);
	if (r == NULL)
		return -1;
	inc->report_md = db_res_rows(r) > 0 ? model_col_dup(r, 0, 0) : NULL;
	db_res_free(r);
	return 0;
}

/* Loads (or reloads) the timeline and series of inc (see model.h). */
int
model_load_detail(struct db *db, long long project_id, struct mw_incident *inc,
    char **cause)
{
	char project[24], incident[24];

	model_detail_clear(inc);
	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(incident, sizeof incident, "%lld", inc->id);
	if (model_load_timeline(db, project, incident, inc, cause) != 0 ||
	    model_series_load(db, project_id, inc->id, 0, &inc->series,
	    &inc->n_series, cause) != 0 ||
	    model_load_report(db, project, incident, inc, cause) != 0) {
		model_detail_clear(inc);
		return -1;
	}
	return 0;
}
