/*
 * gate_group.c - the grouping step of the gate stage (stage_gate.c has the
 * rules): union-find over the window's signals, which signals are related
 * (overlapping in time, on one service or on services joined by a call
 * path), and the candidates the groups make.
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
	    (gate_reach_has(reach, a->svc, b->svc) ||
	    gate_reach_has(reach, b->svc, a->svc));
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

/* Whether a calls b, directly or transitively. */
int
gate_reach_has(const struct reach *r, long long a, long long b)
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
int
gate_reach_load(struct pipeline_ctx *ctx, const char *svcs, struct reach *rc,
    char **cause)
{
	struct db_res *r;
	int i, src, dst;

	r = DBQN(ctx->db, cause, "pipeline/gate_reach", ctx->project, svcs);
	if (r == NULL)
		return -1;
	src = db_col(r, "src");
	dst = db_col(r, "dst");
	rc->n = db_res_rows(r);
	rc->from = xcalloc((size_t)rc->n + 1, sizeof *rc->from);
	rc->to = xcalloc((size_t)rc->n + 1, sizeof *rc->to);
	for (i = 0; i < rc->n; i++) {
		rc->from[i] = db_res_ll(r, i, src);
		rc->to[i] = db_res_ll(r, i, dst);
	}
	db_res_free(r);
	return 0;
}

/* Groups the signals (union-find in g[].group): signals an earlier run put
 * in one incident, related anchors, the others with the anchored group they
 * overlap most (or with each other), signals without a service. */
void
gate_group_signals(struct gsig *g, int n, const struct reach *reach)
{
	int i, j, best;

	/* Signals an earlier run put in one incident stay together; anchors
	 * of one service or one call path that overlap in time join. */
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n && g[i].incident != 0; j++)
			if (g[j].incident == g[i].incident)
				uf_join(g, i, j);
		for (j = i + 1; j < n && g[i].anchor; j++)
			if (g[j].anchor && related(&g[i], &g[j], reach))
				uf_join(g, i, j);
	}
	/* Any other signal with a service joins the anchored group it overlaps
	 * most among its related ones: cited there, it never bridges two
	 * groups.  Those near no anchor group join each other. */
	for (i = 0; i < n; i++) {
		if (g[i].anchor || g[i].svc == 0)
			continue;
		if ((best = most_overlap(g, n, i, anchor_near, reach)) >= 0)
			uf_join(g, i, best);
		else
			g[i].loose = 1;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && g[i].loose; j++)
			if (g[j].loose && related(&g[i], &g[j], reach))
				uf_join(g, i, j);
	/* A signal without a service joins the group it overlaps most. */
	for (i = 0; i < n; i++) {
		if (g[i].svc != 0 || g[i].incident != 0)
			continue;
		if ((best = most_overlap(g, n, i, service_near, reach)) >= 0)
			uf_join(g, i, best);
	}
}

/* The candidates of the grouped signals (*nc of them, new array): members,
 * main signal, onset and end, anchor, severity. */
struct cand *
gate_collect_candidates(const struct gate_rows *r, struct gsig *g, int n,
    int *nc)
{
	struct cand *cands;
	int i, k, root;

	cands = xcalloc((size_t)n + 1, sizeof *cands);
	for (i = 0; i < n; i++) {
		root = uf_find(g, i);
		for (k = 0; k < *nc; k++)
			if (uf_find(g, cands[k].members[0]) == root)
				break;
		if (k == *nc) {
			cands[*nc].members = xcalloc((size_t)n, sizeof (int));
			cands[*nc].main = i;
			cands[*nc].anchor = INFINITY;
			cands[*nc].onset = g[i].onset;
			cands[*nc].end = g[i].end;
			cands[*nc].ids_first = g[i].id;
			(*nc)++;
		}
		cands[k].members[cands[k].n++] = i;
		if (g[i].onset < cands[k].onset)
			cands[k].onset = g[i].onset;
		if (g[i].end > cands[k].end)
			cands[k].end = g[i].end;
		if (gate_anchors(r, &g[i]) && g[i].onset < cands[k].anchor) {
			cands[k].anchor = g[i].onset;
			cands[k].anchor_svc = g[i].svc;
		}
		if (gate_strength(r, &g[i]) > gate_strength(r, &g[cands[k].main]))
			cands[k].main = i;
		if (!g[i].flapping && g[i].sev > cands[k].sev &&
		    gate_corroborates(r, i))
			cands[k].sev = g[i].sev;
	}
	for (k = 0; k < *nc; k++) {
		if (cands[k].sev == 0)
			cands[k].sev = g[cands[k].main].sev;
		/* Noise may be cited, never anchor: the incident starts at
		 * its first steady, strong enough metric anomaly. */
		if (isfinite(cands[k].anchor))
			cands[k].onset = cands[k].anchor;
	}
	return cands;
}
