/*
 * stage_gate.c - pipeline stage "gate": groups the window's signals into
 * incident candidates and decides each one (policy gate-v1).
 *
 * Two anchoring signals (steady, of watch quality: anchors()) belong to one
 * candidate when their time spans overlap (with 10 minutes of slack) and
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
 * trouble ended, the incident reopens (status open again, a system
 * feedback event incident_reopened with the reason) instead of a new
 * incident opening.
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
#include "midwatch/sqltext.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* Its numbers: gate.* in policy.def. */

/* When a resolved incident (alias i) resolved, in data time: the pipeline's
 * resolution (sql/016_lifecycle.sql), else the end of its trouble. */
#define GATE_RESOLVED_AT "coalesce(i.resolved_data_at, i.window_end)"
/* Whether incident i was open at data time t: open or triaged, or resolved
 * by the pipeline after t (a window recomputed after the resolution, or a
 * late run, sees the incident as it was then). */
#define GATE_OPEN_AT(t) "(i.status IN ('open', 'triaged')" \
	" OR (i.status = 'resolved' AND i.resolved_data_at > " t "))"

/* One signal in scope, with its row in the loaded result. */
struct gsig {
	int row;
	long long id;
	long long svc;			/* 0: none */
	int sev;			/* 0 info .. 4 critical */
	double q;
	double onset, end;		/* end: ended_at, or the window end */
	int flapping;
	int active;			/* not flapping nor a spike, quality not
					 * below watch */
	int anchor;			/* may anchor an incident (anchors()) */
	int loose;			/* no anchor near: joins other such signals */
	long long incident;		/* incident of an earlier decision, or 0 */
	int group;			/* union-find parent */
};

/* Column numbers of the signal query. */
enum {
	C_ID, C_TYPE, C_STATUS, C_SVC, C_SVCNAME, C_METRIC, C_REF, C_SEV, C_Q,
	C_ONSET, C_END, C_BASE, C_PEAK, C_FLAP, C_MSG, C_ALERT, C_CHECKS,
	C_DEDUPE, C_FUNNEL, C_REVLO, C_REVHI, C_INC, C_SPIKE, C_BLIND
};

/* The rank of a severity name; medium for anything else. */
static int
sev_rank(const char *s)
{
	int r = severity_rank(s);

	return r >= 0 ? r : MW_SEV_MEDIUM;
}

/* ---- grouping ------------------------------------------------------------ */

/* Union-find root with path halving. */
static int
uf_find(struct gsig *g, int i)
{
	while (g[i].group != i) {
		g[i].group = g[g[i].group].group;
		i = g[i].group;
	}
	return i;
}

/* Joins the sets of i and j (the lower index becomes the root). */
static void
uf_join(struct gsig *g, int i, int j)
{
	int a = uf_find(g, i), b = uf_find(g, j);

	if (a < b)
		g[b].group = a;
	else if (b < a)
		g[a].group = b;
}

/* Whether two signals' spans overlap within the slack. */
static int
overlaps(const struct gsig *a, const struct gsig *b)
{
	return a->onset <= b->end + POLICY(GATE_SLACK) &&
	    b->onset <= a->end + POLICY(GATE_SLACK);
}

/* The reachability pairs (caller, callee) among services. */
struct reach;
static int reach_has(const struct reach *, long long, long long);

/* Whether two signals with services belong together: they overlap in time
 * and are on one service, or on services joined by a call path with onsets
 * at most gate.cascade apart. */
static int
related(const struct gsig *a, const struct gsig *b, const struct reach *reach)
{
	if (a->svc == 0 || b->svc == 0 || !overlaps(a, b))
		return 0;
	if (a->svc == b->svc)
		return 1;
	return fabs(a->onset - b->onset) <= POLICY(GATE_CASCADE) &&
	    (reach_has(reach, a->svc, b->svc) || reach_has(reach, b->svc, a->svc));
}

/* Whether b is an anchor a may join (related to it). */
static int
anchor_near(const struct gsig *a, const struct gsig *b,
    const struct reach *reach)
{
	return b->anchor && related(a, b, reach);
}

/* Whether b has a service and overlaps a (for a signal without one). */
static int
service_near(const struct gsig *a, const struct gsig *b,
    const struct reach *reach)
{
	(void)reach;
	return b->svc != 0 && overlaps(a, b);
}

/* The signal that near(g[i], it) accepts and that overlaps g[i] most, or
 * -1. */
static int
most_overlap(const struct gsig *g, int n, int i,
    int (*near)(const struct gsig *, const struct gsig *,
    const struct reach *), const struct reach *reach)
{
	double ov, bov = 0;
	int j, best = -1;

	for (j = 0; j < n; j++) {
		if (j == i || !near(&g[i], &g[j], reach))
			continue;
		ov = fmin(g[i].end, g[j].end) - fmax(g[i].onset, g[j].onset);
		if (best < 0 || ov > bov) {
			best = j;
			bov = ov;
		}
	}
	return best;
}

/* The reachability pairs (caller, callee) among services. */
struct reach {
	long long *from, *to;
	int n;
};

/* Whether a calls b, directly or transitively. */
static int
reach_has(const struct reach *r, long long a, long long b)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->from[i] == a && r->to[i] == b)
			return 1;
	return 0;
}

/* Loads the call-path pairs among the services of the signals in scope,
 * and the pairs that call one external dependency (it has no metrics of its
 * own, so the shared call is the only link to see). */
static int
reach_load(struct pipeline_ctx *ctx, const char *svcs, struct reach *rc,
    char **cause)
{
	struct db_res *r;
	int i;

	r = DBQ(ctx->db, cause,
	    "WITH RECURSIVE seeds AS (SELECT unnest($2::bigint[]) AS id),"
	    " reach (src, dst) AS ("
	    "  SELECT d.from_service_id, d.to_service_id"
	    "  FROM midwatch.service_dependencies d JOIN seeds s"
	    "   ON s.id = d.from_service_id"
	    "  WHERE d.project_id = $1 AND d.to_service_id IS NOT NULL"
	    "  UNION"
	    "  SELECT r.src, d.to_service_id FROM reach r"
	    "  JOIN midwatch.service_dependencies d ON d.project_id = $1"
	    "   AND d.from_service_id = r.dst WHERE d.to_service_id IS NOT NULL)"
	    " SELECT src, dst FROM reach WHERE dst IN (SELECT id FROM seeds)"
	    " AND src <> dst"
	    " UNION"
	    " SELECT a.from_service_id, b.from_service_id"
	    " FROM midwatch.service_dependencies a"
	    " JOIN midwatch.service_dependencies b ON b.project_id = a.project_id"
	    "  AND b.to_name = a.to_name AND b.from_service_id <> a.from_service_id"
	    " WHERE a.project_id = $1 AND a.dep_kind = 'external'"
	    "  AND b.dep_kind = 'external'"
	    "  AND a.from_service_id IN (SELECT id FROM seeds)"
	    "  AND b.from_service_id IN (SELECT id FROM seeds)", ctx->project, svcs);
	if (r == NULL)
		return -1;
	rc->n = db_res_rows(r);
	rc->from = xcalloc((size_t)rc->n + 1, sizeof *rc->from);
	rc->to = xcalloc((size_t)rc->n + 1, sizeof *rc->to);
	for (i = 0; i < rc->n; i++) {
		rc->from[i] = db_res_ll(r, i, 0);
		rc->to[i] = db_res_ll(r, i, 1);
	}
	db_res_free(r);
	return 0;
}

/* ---- one candidate -------------------------------------------------------- */

struct cand {
	int *members;			/* indexes into the signal array */
	int n;
	int main;			/* index of the strongest signal */
	double onset, end;		/* onset: the first anchoring signal's
					 * (any member's when none anchors) */
	double anchor;			/* earliest anchoring onset, or INFINITY */
	long long anchor_svc;		/* ... its service (0: none) */
	int sev;
	long long ids_first;		/* for ordering */
};

/* Formats a ratio 0..1 as a percentage with sensible precision. */
static void
fmt_pct(char *buf, size_t len, double v)
{
	v *= 100;
	if (v >= 10)
		snprintf(buf, len, "%.0f%%", v);
	else if (v >= 1)
		snprintf(buf, len, "%.1f%%", v);
	else
		snprintf(buf, len, "%.2f%%", v);
}

/* Formats milliseconds. */
static void
fmt_ms(char *buf, size_t len, double v)
{
	if (v >= 1000)
		snprintf(buf, len, "%.1f s", v / 1000);
	else
		snprintf(buf, len, "%.0f ms", v);
}

/* Builds the incident title from its strongest signal (malloc'd). */
static char *
make_title(const struct db_res *r, int row, int nsvc)
{
	const char *type = db_res_get(r, row, C_TYPE);
	const char *svc = db_res_get(r, row, C_SVCNAME);
	const char *metric = db_res_get(r, row, C_METRIC);
	double base = db_res_f(r, row, C_BASE), peak = db_res_f(r, row, C_PEAK);
	char a[32], b[32];
	struct buf t;

	buf_init(&t);
	if (svc == NULL)
		svc = db_res_get(r, row, C_REF) ? db_res_get(r, row, C_REF) : "project";
	if (strcmp(type, "error_rate_spike") == 0) {
		fmt_pct(a, sizeof a, peak);
		fmt_pct(b, sizeof b, base);
		buf_printf(&t, "%s: error rate %s (baseline %s)", svc, a, b);
	} else if (strcmp(type, "latency_regression") == 0) {
		fmt_ms(a, sizeof a, peak);
		fmt_ms(b, sizeof b, base);
		buf_printf(&t, "%s: p99 latency %s (baseline %s)", svc, a, b);
	} else if (strcmp(type, "saturation") == 0) {
		fmt_pct(a, sizeof a, peak);
		fmt_pct(b, sizeof b, base);
		buf_printf(&t, "%s: %s %s (baseline %s)", svc,
		    metric && strncmp(metric, "memory", 6) == 0 ? "memory" : "cpu",
		    a, b);
	} else if (strcmp(type, "traffic_surge") == 0 ||
	    strcmp(type, "traffic_drop") == 0) {
		buf_printf(&t, "%s: traffic %s to %.0f req/s (baseline %.0f req/s)",
		    svc, type[8] == 's' ? "surge" : "drop", peak, base);
	} else if (strcmp(type, "crashloop") == 0) {
		buf_printf(&t, "%s: %.0f restarts in 15 min", svc, peak);
	} else if (strcmp(type, "error_fingerprint_new") == 0) {
		const char *msg = db_res_get(r, row, C_MSG) ?
		    db_res_get(r, row, C_MSG) : "?";

		/* 80 bytes of the message, cut between characters */
		buf_printf(&t, "%s: new error: %.*s", svc,
		    (int)utf8_boundary(msg, 80), msg);
	} else if (strcmp(type, "health_down") == 0) {
		buf_printf(&t, "%s: health checks failing (%s checks)", svc,
		    db_res_get(r, row, C_CHECKS) ? db_res_get(r, row, C_CHECKS) : "?");
	} else if (strcmp(type, "conversion_drop") == 0) {
		fmt_pct(a, sizeof a, peak);
		fmt_pct(b, sizeof b, base);
		buf_printf(&t, "%s funnel: conversion %s (baseline %s)",
		    db_res_get(r, row, C_REF) ? db_res_get(r, row, C_REF) : svc,
		    a, b);
	} else if (strcmp(type, "external_alert") == 0) {
		buf_printf(&t, "%s: alert %s firing", svc,
		    db_res_get(r, row, C_ALERT) ? db_res_get(r, row, C_ALERT) :
		    db_res_get(r, row, C_REF));
	} else {
		buf_printf(&t, "%s: %s %.4g (baseline %.4g)", svc,
		    metric ? metric : "metric", peak, base);
	}
	if (nsvc > 1)
		buf_printf(&t, ", +%d service%s", nsvc - 1, nsvc > 2 ? "s" : "");
	return buf_steal(&t);
}

/* The strength of a signal as the trigger of an incident: metric signals
 * first, then severity times quality. */
static double
strength(const struct db_res *r, const struct gsig *s)
{
	const char *type = db_res_get(r, s->row, C_TYPE);
	double w = s->flapping ? 0.2 : 1.0;

	if (strcmp(type, "external_alert") == 0 ||
	    strcmp(type, "error_fingerprint_new") == 0 ||
	    strcmp(type, "health_down") == 0)
		w *= 0.3;
	return w * (1 + s->sev) * (0.2 + s->q);
}

/* Whether signal row i is corroborating evidence of a real anomaly (a
 * metric, a funnel or health checks, not an alert or error text alone) -
 * or new error text where its service's metrics are blind (no point while
 * it lasted: a fault shorter than a coarse scrape step, a scrape gap), the
 * only witness there is. */
static int
corroborates(const struct db_res *r, int i)
{
	const char *type = db_res_get(r, i, C_TYPE);

	if (strcmp(type, "error_fingerprint_new") == 0)
		return strcmp(db_res_get(r, i, C_BLIND), "t") == 0;
	return strcmp(type, "external_alert") != 0;
}

/* Whether a signal may anchor an incident (its onset, the order of who came
 * first, the window searched for changes): a steady metric, funnel or health
 * anomaly of at least watch quality.  Flapping or weak signals, alerts and
 * error text are cited, never anchors (but error text its metrics cannot
 * see: corroborates()). */
static int
anchors(const struct db_res *r, const struct gsig *s)
{
	return s->active && corroborates(r, s->row);
}

/* Appends the ids of the candidate's signals as an array literal. */
static void
ids_literal(struct buf *b, const struct gsig *g, const struct cand *c)
{
	int i;

	pgarray_begin(b);
	for (i = 0; i < c->n; i++)
		pgarray_add_ll(b, g[c->members[i]].id);
	pgarray_end(b);
}

/* Appends the distinct service ids of the candidate as an array literal;
 * returns how many. */
static int
svcs_literal(struct buf *b, const struct gsig *g, const struct cand *c)
{
	int i, j, n = 0, dup;

	pgarray_begin(b);
	for (i = 0; i < c->n; i++) {
		if (g[c->members[i]].svc == 0)
			continue;
		for (dup = 0, j = 0; j < i && !dup; j++)
			dup = g[c->members[j]].svc == g[c->members[i]].svc;
		if (dup)
			continue;
		pgarray_add_ll(b, g[c->members[i]].svc);
		n++;
	}
	pgarray_end(b);
	return n;
}

/* Finds the key of the incident this candidate continues: the incident its
 * signals were attached to, else an open incident of its main service that
 * overlaps it, else a resolved incident of the service where its trouble
 * starts (anchor_svc) whose reopen window holds its onset (it recurs:
 * *recurs is set); NULL when none (malloc'd otherwise). */
static char *
existing_key(struct pipeline_ctx *ctx, const char *ids, const char *main_svc,
    const char *anchor_svc, double onset, double end, json_t *used,
    int *recurs, char **cause, int *err)
{
	struct db_res *r;
	char on[40], en[40], slack[40], reopen[40], *key = NULL;
	int i;

	*err = 0;
	r = DBQ(ctx->db, cause,
	    "(SELECT i.dedupe_key, false FROM midwatch.signals s"
	    " JOIN midwatch.incidents i ON i.project_id = s.project_id"
	    "  AND i.id = s.incident_id"
	    " WHERE s.project_id = $1 AND s.id = ANY ($2::bigint[])"
	    " GROUP BY i.id, i.dedupe_key ORDER BY count(*) DESC, i.id)"
	    " UNION ALL "
	    "(SELECT i.dedupe_key, false FROM midwatch.incidents i"
	    " WHERE i.project_id = $1 AND i.service_id = $3::bigint"
	    "  AND " GATE_OPEN_AT("to_timestamp($4::float8)")
	    "  AND i.window_start <= to_timestamp($5::float8)"
	    "   + make_interval(secs => $6::float8)"
	    "  AND i.window_end >= to_timestamp($4::float8)"
	    "   - make_interval(secs => $6::float8)"
	    " ORDER BY i.window_start, i.id)"
	    " UNION ALL "
	    "(SELECT i.dedupe_key, true FROM midwatch.incidents i"
	    " WHERE i.project_id = $1 AND i.status = 'resolved'"
	    "  AND (i.service_id = $7::bigint OR EXISTS (SELECT 1"
	    "   FROM midwatch.signals s WHERE s.project_id = $1"
	    "   AND s.incident_id = i.id AND s.service_id = $7::bigint))"
	    "  AND midwatch.incident_approved(i.project_id, i.id)"
	    "  AND i.window_end <= to_timestamp($4::float8)"
	    "  AND to_timestamp($4::float8) <= " GATE_RESOLVED_AT
	    "   + make_interval(secs => midwatch.project_setting($1,"
	    "    'incident.reopen_window', $8::float8))"
	    " ORDER BY " GATE_RESOLVED_AT " DESC, i.id DESC)",
	    ctx->project, ids, main_svc, pipeline_num(on, sizeof on, onset),
	    pipeline_num(en, sizeof en, end),
	    policy_param(slack, sizeof slack, POL_GATE_SLACK), anchor_svc,
	    policy_param(reopen, sizeof reopen, POL_LIFECYCLE_REOPEN));
	if (r == NULL) {
		*err = 1;
		return NULL;
	}
	*recurs = 0;
	for (i = 0; i < db_res_rows(r) && key == NULL; i++)
		if (json_object_get(used, db_res_get(r, i, 0)) == NULL) {
			key = xstrdup(db_res_get(r, i, 0));
			*recurs = strcmp(db_res_get(r, i, 1), "t") == 0;
		}
	db_res_free(r);
	return key;
}

/* A new key for the candidate (malloc'd), unused in this run. */
static char *
fresh_key(const struct gsig *m, const struct cand *c, json_t *used)
{
	char *key = xasprintf("inc:%lld:%.0f", m->svc, c->onset);

	if (json_object_get(used, key) != NULL) {
		free(key);
		key = xasprintf("inc:%lld:%.0f:%lld", m->svc, c->onset, m->id);
	}
	return key;
}

/* The context of the decision on one candidate. */
struct verdict {
	json_t *reasons;		/* array of reason names */
	struct buf why;			/* rationale text */
	long long dup_of;
};

/* Adds a reason and its sentence. */
static void
verdict_add(struct verdict *v, const char *reason, const char *fmt, ...)
    MW_PRINTF(3, 4);

static void
verdict_add(struct verdict *v, const char *reason, const char *fmt, ...)
{
	va_list ap;
	char *s;

	json_array_append_new(v->reasons, json_string(reason));
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&v->why, "%s%s", v->why.len ? "; " : "", s);
	free(s);
}

/* Appends the ids of the candidate's anchoring signals (all of them when none
 * anchors) as an array literal. */
static void
anchor_ids_literal(struct buf *b, const struct db_res *r, const struct gsig *g,
    const struct cand *c)
{
	int i, n = 0;

	pgarray_begin(b);
	for (i = 0; i < c->n; i++)
		if (anchors(r, &g[c->members[i]])) {
			pgarray_add_ll(b, g[c->members[i]].id);
			n++;
		}
	pgarray_end(b);
	if (n == 0)
		ids_literal(b, g, c);
}

/* Applies policy gate-v1 to a candidate; fills v. */
static int
decide(struct pipeline_ctx *ctx, const struct db_res *r, const struct gsig *g,
    const struct cand *c, const char *ids, const char *key, struct verdict *v,
    char **cause)
{
	struct db_res *q;
	struct buf anchor_ids;
	char on[40], dup[40], asvc[24];
	int i, strong = 0, flapping = 0, metric = 0;
	double best_q = 0;
	int best_sev = 0;

	for (i = 0; i < c->n; i++) {
		const struct gsig *s = &g[c->members[i]];

		if (!corroborates(r, s->row))
			continue;
		metric++;
		if (s->flapping)
			flapping++;
		if (s->active && !s->flapping) {
			strong++;
			if (s->q > best_q)
				best_q = s->q;
			if (s->sev > best_sev)
				best_sev = s->sev;
		}
	}
	if (flapping > 0 && strong == 0)
		verdict_add(v, "flapping", "the series flaps: %d flapping signal%s "
		    "and no steady anomaly", flapping, flapping > 1 ? "s" : "");

	/* Maintenance: every service with an anchoring signal is inside a
	 * window at its onset (a weak signal that joined does not count). */
	buf_init(&anchor_ids);
	anchor_ids_literal(&anchor_ids, r, g, c);
	q = DBQ(ctx->db, cause,
	    "SELECT count(*) FILTER (WHERE m.id IS NULL),"
	    " string_agg(DISTINCT m.reason, '; ')"
	    " FROM (SELECT s.service_id, min(s.onset_at) AS onset"
	    "  FROM midwatch.signals s WHERE s.project_id = $1"
	    "  AND s.id = ANY ($2::bigint[]) AND s.service_id IS NOT NULL"
	    "  GROUP BY 1) a"
	    " LEFT JOIN LATERAL (SELECT w.id, w.reason"
	    "  FROM midwatch.maintenance_windows w WHERE w.project_id = $1"
	    "  AND w.service_id = a.service_id AND w.starts_at <= a.onset"
	    "  AND w.ends_at >= a.onset ORDER BY w.starts_at LIMIT 1) m ON true"
	    " HAVING count(*) > 0", ctx->project, buf_str(&anchor_ids));
	buf_free(&anchor_ids);
	if (q == NULL)
		return -1;
	if (db_res_rows(q) == 1 && db_res_ll(q, 0, 0) == 0)
		verdict_add(v, "maintenance", "inside a maintenance window (%s)",
		    db_res_get(q, 0, 1) ? db_res_get(q, 0, 1) : "planned");
	db_res_free(q);

	/* Duplicate: an open incident that ended just before already covers
	 * the service where this candidate's trouble starts (its first
	 * anchoring signal's).  A new onset elsewhere - a symptom shared
	 * with the old incident is not enough - opens its own incident. */
	pipeline_ll(asvc, sizeof asvc, c->anchor_svc != 0 ? c->anchor_svc :
	    g[c->main].svc);
	q = DBQ(ctx->db, cause,
	    "SELECT i.id, i.title FROM midwatch.incidents i"
	    " WHERE i.project_id = $1 AND i.dedupe_key <> $2"
	    " AND " GATE_OPEN_AT("to_timestamp($4::float8)")
	    " AND (i.service_id = $3::bigint OR EXISTS (SELECT 1"
	    "  FROM midwatch.signals s WHERE s.project_id = $1"
	    "  AND s.incident_id = i.id AND s.service_id = $3::bigint))"
	    " AND i.window_start < to_timestamp($4::float8)"
	    " AND i.window_end >= to_timestamp($4::float8)"
	    "  - make_interval(secs => $5::float8)"
	    " ORDER BY i.window_start, i.id LIMIT 1", ctx->project, key,
	    asvc, pipeline_num(on, sizeof on, c->onset),
	    policy_param(dup, sizeof dup, POL_GATE_DUPLICATE));
	if (q == NULL)
		return -1;
	if (db_res_rows(q) == 1) {
		v->dup_of = db_res_ll(q, 0, 0);
		verdict_add(v, "duplicate", "duplicate of open incident #%lld (%s)",
		    v->dup_of, db_res_get(q, 0, 1));
	}
	db_res_free(q);

	if (metric == 0)
		verdict_add(v, "below_severity", "no corroborating metric, funnel or "
		    "health anomaly (alerts or error text only)");
	else if (strong > 0 && (best_q < POLICY(GATE_MIN_QUALITY) ||
	    best_sev < 2))
		verdict_add(v, "below_severity", "below the minimum: best quality "
		    "%.2f (min %.2f), severity %s", best_q, POLICY(GATE_MIN_QUALITY),
		    severity_name(best_sev));
	else if (strong == 0 && flapping == 0)
		verdict_add(v, "below_severity", "only weak signals (watch)");
	return 0;
}

/* Estimates failed requests (request_rate x error_ratio above its baseline
 * of the hour before onset) per service; low = the worst service, high = the
 * sum over the candidate's services.  0, or -1 with *cause. */
static int
impact(struct pipeline_ctx *ctx, const char *svcs, double onset, double end,
    double *low, double *high, char **cause)
{
	struct db_res *r;
	char on[40], en[40];

	*low = *high = 0;
	r = DBQ(ctx->db, cause,
	    "WITH svc AS (SELECT unnest($2::bigint[]) AS sid),"
	    " base AS (SELECT s.sid, (SELECT percentile_cont(0.5) WITHIN GROUP"
	    "   (ORDER BY midwatch.metric_value(m.value))"
	    "   FROM midwatch.metric_points m"
	    "   WHERE m.project_id = $1 AND m.service_id = s.sid"
	    "   AND m.metric_name = 'error_ratio'"
	    "   AND m.ts >= to_timestamp($3::float8) - interval '1 hour'"
	    "   AND m.ts < to_timestamp($3::float8)) AS b FROM svc s),"
	    " per AS (SELECT m.service_id, date_trunc('minute', m.ts) AS t,"
	    "  avg(midwatch.metric_value(m.value))"
	    "   FILTER (WHERE m.metric_name = 'error_ratio') AS err,"
	    "  greatest(0, avg(midwatch.metric_value(m.value))"
	    "   FILTER (WHERE m.metric_name = 'request_rate')) AS rate"
	    "  FROM midwatch.metric_points m WHERE m.project_id = $1"
	    "  AND m.service_id IN (SELECT sid FROM svc)"
	    "  AND m.metric_name IN ('error_ratio', 'request_rate')"
	    "  AND m.ts >= to_timestamp($3::float8) AND m.ts <= to_timestamp($4::float8)"
	    "  GROUP BY 1, 2),"
	    " tot AS (SELECT p.service_id, sum(greatest(0, p.err - coalesce(b.b, 0))"
	    "   * p.rate * 60) AS failed FROM per p JOIN base b ON b.sid = p.service_id"
	    "  WHERE p.err IS NOT NULL AND p.rate IS NOT NULL GROUP BY 1)"
	    " SELECT coalesce(max(failed), 0), coalesce(sum(failed), 0) FROM tot",
	    ctx->project, svcs, pipeline_num(on, sizeof on, onset),
	    pipeline_num(en, sizeof en, end));
	if (r == NULL)
		return -1;
	*low = round(db_res_f(r, 0, 0));
	*high = round(db_res_f(r, 0, 1));
	db_res_free(r);
	return 0;
}

/* Counts of the stage. */
struct gate_counts {
	long long candidates, approved, suppressed;
	long long reasons[4];		/* flapping, maintenance, duplicate, below */
	long long reopened;
};

/*
 * Whether the candidate reopens the resolved incident of key: its newest
 * anchoring signal (row, onset `latest`) starts after the incident's trouble
 * ended and within the reopen window of its resolution.  Sets *why to the
 * reason (malloc'd) when it does, else leaves it NULL.  0, or -1 with *cause.
 */
static int
reopens(struct pipeline_ctx *ctx, const struct db_res *r, int row,
    const char *key, double latest, char **why, char **cause)
{
	struct db_res *q;
	char on[40], reopen[40];

	*why = NULL;
	q = DBQ(ctx->db, cause,
	    "SELECT $4::text || coalesce(' on ' || $5::text, '') || ' at '"
	    "  || " SQL_RFC3339_MIN("to_timestamp($3::float8)") " || ', '"
	    "  || round(extract(epoch FROM to_timestamp($3::float8) - "
	    GATE_RESOLVED_AT ") / 60) || ' min after it resolved (reopen window '"
	    "  || round(w.secs / 60) || ' min)'"
	    " FROM midwatch.incidents i, (SELECT midwatch.project_setting($1,"
	    "  'incident.reopen_window', $6::float8) AS secs) w"
	    " WHERE i.project_id = $1 AND i.dedupe_key = $2"
	    " AND i.status = 'resolved'"
	    " AND to_timestamp($3::float8) > i.window_end"
	    " AND to_timestamp($3::float8) <= " GATE_RESOLVED_AT
	    "  + make_interval(secs => w.secs)",
	    ctx->project, key, pipeline_num(on, sizeof on, latest),
	    db_res_get(r, row, C_TYPE), db_res_get(r, row, C_SVCNAME),
	    policy_param(reopen, sizeof reopen, POL_LIFECYCLE_REOPEN));
	if (q == NULL)
		return -1;
	if (db_res_rows(q) == 1)
		*why = xasprintf("recurred: %s", db_res_get(q, 0, 0));
	db_res_free(q);
	return 0;
}

/* Writes the incident, decision and signal links of one candidate. */
static int
write_candidate(struct pipeline_ctx *ctx, const struct db_res *r,
    struct gsig *g, struct cand *c, json_t *used, struct gate_counts *gc,
    char **cause)
{
	struct verdict v;
	struct buf ids, svcs;
	struct db_res *q;
	json_t *details = NULL, *names, *rev = NULL;
	const struct gsig *m = &g[c->main];
	char *key = NULL, *title = NULL, *det = NULL, *ok = NULL, on[40],
	    en[40], lo[40], hi[40], main_svc[24], anchor_svc[24], *why = NULL;
	const char *unit;
	double ilow, ihigh, latest = -INFINITY;
	int nsvc, err, rc = -1, i, approved, newest = c->main, recurs = 0;
	long long incident_id;

	memset(&v, 0, sizeof v);
	v.reasons = json_array();
	buf_init(&v.why);
	buf_init(&ids);
	buf_init(&svcs);
	ids_literal(&ids, g, c);
	nsvc = svcs_literal(&svcs, g, c);
	pipeline_ll(main_svc, sizeof main_svc, m->svc);

	pipeline_ll(anchor_svc, sizeof anchor_svc, c->anchor_svc != 0 ?
	    c->anchor_svc : m->svc);
	key = existing_key(ctx, buf_str(&ids), m->svc ? main_svc : NULL,
	    strcmp(anchor_svc, "0") != 0 ? anchor_svc : NULL, c->onset, c->end,
	    used, &recurs, cause, &err);
	if (err)
		goto out;
	if (key == NULL)
		key = fresh_key(m, c, used);
	json_object_set_new(used, key, json_true());

	if (decide(ctx, r, g, c, buf_str(&ids), key, &v, cause) != 0)
		goto out;
	approved = json_array_size(v.reasons) == 0;
	/* The newest anchoring onset (any member's when none anchors) says
	 * whether trouble came back after a resolution. */
	for (i = 0; i < c->n; i++) {
		const struct gsig *s = &g[c->members[i]];

		if ((s->anchor || !isfinite(c->anchor)) && s->onset > latest) {
			latest = s->onset;
			newest = c->members[i];
		}
	}
	if (approved && reopens(ctx, r, g[newest].row, key, latest, &why,
	    cause) != 0)
		goto out;
	/* Near a resolved incident but not reopening it (suppressed, or not
	 * new trouble): a candidate of its own, which leaves the resolved
	 * incident, its window and its decision alone. */
	if (recurs && why == NULL) {
		json_object_del(used, key);
		free(key);
		key = fresh_key(m, c, used);
		json_object_set_new(used, key, json_true());
	}
	if (impact(ctx, buf_str(&svcs), c->onset, c->end, &ilow, &ihigh,
	    cause) != 0)
		goto out;
	unit = "failed_requests";
	for (i = 0; i < c->n; i++) {
		const struct gsig *s = &g[c->members[i]];

		if (strcmp(db_res_get(r, s->row, C_TYPE), "conversion_drop") == 0 &&
		    db_res_get(r, s->row, C_REVHI) != NULL) {
			json_decref(rev);
			rev = json_pack("{s:s, s:f, s:f}", "funnel",
			    db_res_get(r, s->row, C_FUNNEL) ?
			    db_res_get(r, s->row, C_FUNNEL) : "",
			    "low", db_res_f(r, s->row, C_REVLO),
			    "high", db_res_f(r, s->row, C_REVHI));
		}
	}
	names = json_array();
	for (i = 0; i < c->n; i++) {
		const char *n = db_res_get(r, g[c->members[i]].row, C_SVCNAME);
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
	    "trigger_signal", db_res_get(r, m->row, C_DEDUPE),
	    "failed_requests", "low", ilow, "high", ihigh, "basis",
	    "request_rate x error_ratio above the hour-before median");
	if (rev != NULL) {
		json_object_set(details, "revenue_at_risk", rev);
		unit = "revenue";
		ilow = json_number_value(json_object_get(rev, "low"));
		ihigh = json_number_value(json_object_get(rev, "high"));
	}
	/* A range, whatever the inputs' signs: low <= high, both >= 0. */
	ilow = isfinite(ilow) ? fmax(0, ilow) : 0;
	ihigh = isfinite(ihigh) ? fmax(ilow, ihigh) : ilow;
	det = jsonx_dump(details);
	title = make_title(r, m->row, nsvc);

	q = DBQ(ctx->db, cause,
	    "INSERT INTO midwatch.incidents AS i (project_id, run_id, dedupe_key,"
	    " service_id, status, trigger_type, severity, title, window_start,"
	    " window_end, impact_low, impact_high, impact_unit, details)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8),"
	    "  to_timestamp($10::float8), $11, $12, $13, $14::jsonb)"
	    " ON CONFLICT (project_id, dedupe_key) DO UPDATE SET"
	    "  run_id = EXCLUDED.run_id, service_id = EXCLUDED.service_id,"
	    "  status = CASE WHEN $15::boolean THEN EXCLUDED.status"
	    "   WHEN i.status_source = 'feedback' OR i.status = 'resolved'"
	    "   THEN i.status ELSE EXCLUDED.status END,"
	    "  status_source = CASE WHEN $15::boolean THEN 'pipeline'"
	    "   ELSE i.status_source END,"
	    "  resolved_at = CASE WHEN $15::boolean THEN NULL ELSE i.resolved_at END,"
	    "  resolved_by = CASE WHEN $15::boolean THEN NULL ELSE i.resolved_by END,"
	    "  resolution = CASE WHEN $15::boolean THEN NULL ELSE i.resolution END,"
	    "  trigger_type = EXCLUDED.trigger_type, severity = EXCLUDED.severity,"
	    "  title = EXCLUDED.title, window_start = CASE WHEN $15::boolean"
	    "   THEN least(i.window_start, EXCLUDED.window_start)"
	    "   ELSE EXCLUDED.window_start END,"
	    "  window_end = EXCLUDED.window_end, impact_low = EXCLUDED.impact_low,"
	    "  impact_high = EXCLUDED.impact_high, impact_unit = EXCLUDED.impact_unit,"
	    "  details = i.details || EXCLUDED.details"
	    " RETURNING id", ctx->project, ctx->run, key,
	    m->svc ? main_svc : NULL, approved ? "open" : "suppressed",
	    db_res_get(r, m->row, C_TYPE), severity_name(c->sev), title,
	    pipeline_num(on, sizeof on, c->onset),
	    pipeline_num(en, sizeof en, c->end),
	    pipeline_num(lo, sizeof lo, ilow), pipeline_num(hi, sizeof hi, ihigh),
	    unit, det, why != NULL ? "true" : "false");
	if (q == NULL)
		goto out;
	incident_id = db_res_ll(q, 0, 0);
	db_res_free(q);
	pipeline_ll(lo, sizeof lo, incident_id);
	/* A recurrence reopened it: the system says so, once per run. */
	if (why != NULL) {
		if (DBX(ctx->db, cause,
		    "INSERT INTO midwatch.feedback_events (project_id, actor_type,"
		    " actor_id, event_type, target_kind, target_id, incident_id,"
		    " payload, idempotency_key)"
		    " VALUES ($1, 'system', 'midwatch', 'incident_reopened',"
		    "  'incident', $3::bigint, $3::bigint,"
		    "  jsonb_build_object('reason', $4::text, 'run_id', $2::bigint,"
		    "   'automatic', true),"
		    "  'system:incident_reopened:' || $3 || ':' || $2)"
		    " ON CONFLICT DO NOTHING", ctx->project, ctx->run, lo,
		    why) != 0)
			goto out;
		gc->reopened++;
	}

	free(det);
	json_decref(details);
	details = json_pack("{s:O, s:i, s:I}", "reasons", v.reasons, "signals",
	    c->n, "duplicate_of", (json_int_t)v.dup_of);
	det = jsonx_dump(details);
	if (DBX(ctx->db, cause,
	    "INSERT INTO midwatch.incident_decisions AS d (project_id, run_id,"
	    " incident_id, decision, rationale, policy_version, details)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
	    " ON CONFLICT (project_id, incident_id, policy_version) DO UPDATE SET"
	    "  run_id = EXCLUDED.run_id, decision = EXCLUDED.decision,"
	    "  rationale = EXCLUDED.rationale, details = EXCLUDED.details,"
	    "  decided_at = CASE WHEN d.decision = EXCLUDED.decision"
	    "   THEN d.decided_at ELSE now() END",
	    ctx->project, ctx->run, lo, approved ? "approved" : "suppressed",
	    approved ? (ok = xasprintf("approved: %s on %s (quality %.2f, "
	    "severity %s)", db_res_get(r, m->row, C_TYPE),
	    db_res_get(r, m->row, C_SVCNAME) ? db_res_get(r, m->row, C_SVCNAME) :
	    "the project", m->q, severity_name(c->sev))) : buf_str(&v.why),
	    PIPELINE_POLICY_VERSION, det) != 0)
		goto out;
	if (DBX(ctx->db, cause,
	    "UPDATE midwatch.signals SET incident_id = $3"
	    " WHERE project_id = $1 AND id = ANY ($2::bigint[])",
	    ctx->project, buf_str(&ids), lo) != 0)
		goto out;

	gc->candidates++;
	if (approved)
		gc->approved++;
	else {
		size_t k;
		json_t *x;

		gc->suppressed++;
		json_array_foreach(v.reasons, k, x) {
			const char *s = json_string_value(x);

			gc->reasons[strcmp(s, "flapping") == 0 ? 0 :
			    strcmp(s, "maintenance") == 0 ? 1 :
			    strcmp(s, "duplicate") == 0 ? 2 : 3]++;
		}
	}
	rc = 0;
out:
	json_decref(v.reasons);
	json_decref(details);
	json_decref(rev);
	buf_free(&v.why);
	buf_free(&ids);
	buf_free(&svcs);
	free(ok);
	free(title);
	free(det);
	free(key);
	free(why);
	return rc;
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

/* Groups and decides (see the top of the file). */
int
stage_gate_run(struct pipeline_ctx *ctx, char **cause)
{
	struct db_res *r = NULL;
	struct gsig *g = NULL;
	struct cand *cands = NULL;
	struct reach reach = { NULL, NULL, 0 };
	struct gate_counts gc;
	struct buf svcs;
	json_t *used = json_object();
	char exp[40], wq[40], minpts[40];
	int n, i, j, k, nc = 0, rc = -1, best, root;

	memset(&gc, 0, sizeof gc);
	buf_init(&svcs);
	/* The signals touching the window, and the rest of the incidents they
	 * were attached to (a candidate, once formed, is judged whole). */
	r = DBQ(ctx->db, cause,
	    "WITH base AS (SELECT id, incident_id FROM midwatch.signals"
	    "  WHERE project_id = $1 AND onset_at <= $3"
	    "  AND coalesce(details ->> 'source', '') <> 'investigate'"
	    "  AND coalesce(ended_at, $3::timestamptz)"
	    "   >= $2::timestamptz - make_interval(secs => $4::float8))"
	    " SELECT s.id, s.signal_type, s.status, s.service_id, v.name,"
	    " s.metric_name, s.ref, s.severity, s.quality_score,"
	    " extract(epoch FROM s.onset_at),"
	    " extract(epoch FROM coalesce(s.ended_at, $3::timestamptz)),"
	    " s.baseline, s.peak_value,"
	    " midwatch.signal_flapping(s.details),"
	    " s.details ->> 'message', s.details ->> 'alertname',"
	    " s.details ->> 'checks', s.dedupe_key, s.details ->> 'funnel',"
	    " s.details -> 'revenue_at_risk' ->> 'low',"
	    " s.details -> 'revenue_at_risk' ->> 'high', s.incident_id,"
	    " midwatch.signal_spike(s.details),"
	    /* new error text its service's metrics cannot judge (fewer
	     * scrapes while it lasted than a signal needs: a coarse scrape
	     * step, a gap) */
	    " s.signal_type = 'error_fingerprint_new'"
	    "  AND s.service_id IS NOT NULL AND (SELECT count(DISTINCT p.ts)"
	    "   FROM midwatch.metric_points p WHERE p.project_id = s.project_id"
	    "   AND p.service_id = s.service_id AND p.ts BETWEEN s.onset_at"
	    "   AND coalesce(s.ended_at, s.onset_at)) < $5::int"
	    " FROM midwatch.signals s LEFT JOIN midwatch.services v"
	    "  ON v.project_id = s.project_id AND v.id = s.service_id"
	    " WHERE s.project_id = $1 AND s.onset_at <= $3"
	    " AND coalesce(s.details ->> 'source', '') <> 'investigate'"
	    " AND (s.id IN (SELECT id FROM base)"
	    "  OR s.incident_id IN (SELECT incident_id FROM base))"
	    " ORDER BY s.onset_at, s.id", ctx->project, ctx->start_ts, ctx->end_ts,
	    policy_param(exp, sizeof exp, POL_GATE_SLACK),
	    policy_param(minpts, sizeof minpts, POL_DETECT_MIN_POINTS));
	if (r == NULL)
		goto out;
	n = db_res_rows(r);
	g = xcalloc((size_t)n + 1, sizeof *g);
	pgarray_begin(&svcs);
	for (i = 0; i < n; i++) {
		g[i].row = i;
		g[i].id = db_res_ll(r, i, C_ID);
		g[i].svc = db_res_ll(r, i, C_SVC);
		g[i].sev = sev_rank(db_res_get(r, i, C_SEV));
		g[i].q = db_res_f(r, i, C_Q);
		g[i].onset = db_res_f(r, i, C_ONSET);
		g[i].end = db_res_f(r, i, C_END);
		g[i].flapping = strcmp(db_res_get(r, i, C_FLAP), "t") == 0;
		/* Steady and strong enough: the rule detect's active/watch
		 * follows (the stored status may have aged to expired); a
		 * spike is watched, never an anchor. */
		g[i].active = !g[i].flapping && g[i].q >= POLICY(WATCH_QUALITY) &&
		    strcmp(db_res_get(r, i, C_SPIKE), "t") != 0;
		g[i].incident = db_res_ll(r, i, C_INC);
		g[i].anchor = anchors(r, &g[i]);
		g[i].group = i;
		if (g[i].svc != 0)
			pgarray_add_ll(&svcs, g[i].svc);
	}
	pgarray_end(&svcs);
	if (reach_load(ctx, buf_str(&svcs), &reach, cause) != 0)
		goto out;

	/* Signals an earlier run put in one incident stay together; anchors
	 * of one service or one call path that overlap in time join. */
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n && g[i].incident != 0; j++)
			if (g[j].incident == g[i].incident)
				uf_join(g, i, j);
		for (j = i + 1; j < n && g[i].anchor; j++)
			if (g[j].anchor && related(&g[i], &g[j], &reach))
				uf_join(g, i, j);
	}
	/* Any other signal with a service joins the anchored group it overlaps
	 * most among its related ones: cited there, it never bridges two
	 * groups.  Those near no anchor group join each other. */
	for (i = 0; i < n; i++) {
		if (g[i].anchor || g[i].svc == 0)
			continue;
		if ((best = most_overlap(g, n, i, anchor_near, &reach)) >= 0)
			uf_join(g, i, best);
		else
			g[i].loose = 1;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && g[i].loose; j++)
			if (g[j].loose && related(&g[i], &g[j], &reach))
				uf_join(g, i, j);
	/* A signal without a service joins the group it overlaps most. */
	for (i = 0; i < n; i++) {
		if (g[i].svc != 0 || g[i].incident != 0)
			continue;
		if ((best = most_overlap(g, n, i, service_near, &reach)) >= 0)
			uf_join(g, i, best);
	}

	/* Collect the candidates. */
	cands = xcalloc((size_t)n + 1, sizeof *cands);
	for (i = 0; i < n; i++) {
		root = uf_find(g, i);
		for (k = 0; k < nc; k++)
			if (uf_find(g, cands[k].members[0]) == root)
				break;
		if (k == nc) {
			cands[nc].members = xcalloc((size_t)n, sizeof (int));
			cands[nc].main = i;
			cands[nc].anchor = INFINITY;
			cands[nc].onset = g[i].onset;
			cands[nc].end = g[i].end;
			cands[nc].ids_first = g[i].id;
			nc++;
		}
		cands[k].members[cands[k].n++] = i;
		if (g[i].onset < cands[k].onset)
			cands[k].onset = g[i].onset;
		if (g[i].end > cands[k].end)
			cands[k].end = g[i].end;
		if (anchors(r, &g[i]) && g[i].onset < cands[k].anchor) {
			cands[k].anchor = g[i].onset;
			cands[k].anchor_svc = g[i].svc;
		}
		if (strength(r, &g[i]) > strength(r, &g[cands[k].main]))
			cands[k].main = i;
		if (!g[i].flapping && g[i].sev > cands[k].sev &&
		    corroborates(r, i))
			cands[k].sev = g[i].sev;
	}
	for (k = 0; k < nc; k++) {
		if (cands[k].sev == 0)
			cands[k].sev = g[cands[k].main].sev;
		/* Noise may be cited, never anchor: the incident starts at
		 * its first steady, strong enough metric anomaly. */
		if (isfinite(cands[k].anchor))
			cands[k].onset = cands[k].anchor;
	}
	qsort(cands, (size_t)nc, sizeof *cands, cmp_cand);
	for (k = 0; k < nc; k++) {
		/* Each candidate is a unit, named by its main signal. */
		const char *uid = db_res_get(r, g[cands[k].main].row, C_DEDUPE);
		char *ucause = NULL;
		int urc;

		urc = pipeline_unit_begin(ctx, "gate", "candidate", uid, &ucause);
		if (urc == 0)
			urc = write_candidate(ctx, r, g, &cands[k], used, &gc,
			    &ucause);
		if (pipeline_unit_end(ctx, urc, "gate", "candidate", uid, &ucause,
		    cause) != 0)
			goto out;
	}

	/* The lifecycle, recomputed for every signal still alive and everything
	 * detect (re)wrote: ended long ago expired (diagnosed ones too: the
	 * lifecycle ends for every signal); else attached to an approved
	 * incident (whatever run decided it) diagnosed; else watch when
	 * flapping, a spike or weak; else active. */
	if (DBX(ctx->db, cause,
	    "UPDATE midwatch.signals s SET status = CASE"
	    "  WHEN s.ended_at < $2::timestamptz - make_interval(secs => $3::float8)"
	    "  THEN 'expired'"
	    "  WHEN EXISTS (SELECT 1 FROM midwatch.incident_decisions d"
	    "   WHERE d.project_id = s.project_id AND d.incident_id = s.incident_id"
	    "   AND d.policy_version = $4 AND d.decision = 'approved')"
	    "  THEN 'diagnosed'"
	    "  WHEN midwatch.signal_watched(s.details, s.quality_score,"
	    "   $6::float8) THEN 'watch'"
	    "  ELSE 'active' END"
	    " WHERE s.project_id = $1 AND (s.status <> 'expired' OR s.run_id = $5)",
	    ctx->project, ctx->end_ts,
	    policy_param(exp, sizeof exp, POL_GATE_EXPIRE),
	    PIPELINE_POLICY_VERSION, ctx->run,
	    policy_param(wq, sizeof wq, POL_WATCH_QUALITY)) != 0)
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
	buf_free(&svcs);
	json_decref(used);
	db_res_free(r);
	return rc;
}
