/*
 * investigate_cluster.c - the call-graph step of "investigate a moment"
 * (investigate.c): which abnormal services belong with the main one (joined
 * by a call path, in either direction, transitively, as the gate groups
 * signals), and which traffic shifts a shifting caller feeds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"
#include "investigate_int.h"

/* ---- the call graph: which abnormal services belong together ------------- */

/* Union-find parent lookup with path halving. */
static int
inv_find(int *parent, int i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* Compares two service ids (qsort, bsearch). */
static int
inv_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The dense index of service id in ids[0..n) (sorted), or -1. */
static int
inv_index(const long long *ids, int n, long long id)
{
	const long long *p = bsearch(&id, ids, (size_t)n, sizeof *ids,
	    inv_cmp_ll);

	return p != NULL ? (int)(p - ids) : -1;
}

/*
 * Marks keep on the signals whose service is joined to mainsvc (a service
 * id) by a call path - from one to the other, in either direction, and so
 * on transitively, as the gate groups signals; the others are left out.
 */
int
inv_cluster(struct inv *v, struct inv_sig *sg, int n, long long mainsvc,
    char **cause)
{
	struct db_res *r;
	long long *ids;
	int *from, *to, *start, *adj, *parent, *seen, *stack, *nodes;
	int ne, nid = 0, i, j, k, e, top, x, cf, ct;

	r = DBQN(v->pc.db, cause, "pipeline/investigate_calls", v->pc.project);
	if (r == NULL)
		return -1;
	cf = db_col(r, "from_service_id");
	ct = db_col(r, "to_service_id");
	ne = db_res_rows(r);
	/* every service named by an edge or a signal, and mainsvc, densely */
	ids = xcalloc((size_t)(2 * ne + n + 1), sizeof *ids);
	for (e = 0; e < ne; e++) {
		ids[nid++] = db_res_ll(r, e, cf);
		ids[nid++] = db_res_ll(r, e, ct);
	}
	for (i = 0; i < n; i++)
		ids[nid++] = sg[i].svc;
	ids[nid++] = mainsvc;
	qsort(ids, (size_t)nid, sizeof *ids, inv_cmp_ll);
	for (i = j = 0; i < nid; i++)
		if (j == 0 || ids[j - 1] != ids[i])
			ids[j++] = ids[i];
	nid = j;
	/* the calls as adjacency lists (CSR) */
	from = xcalloc((size_t)ne + 1, sizeof *from);
	to = xcalloc((size_t)ne + 1, sizeof *to);
	start = xcalloc((size_t)nid + 1, sizeof *start);
	adj = xcalloc((size_t)ne + 1, sizeof *adj);
	for (e = 0; e < ne; e++) {
		from[e] = inv_index(ids, nid, db_res_ll(r, e, cf));
		to[e] = inv_index(ids, nid, db_res_ll(r, e, ct));
		start[from[e] + 1]++;
	}
	for (i = 0; i < nid; i++)
		start[i + 1] += start[i];
	seen = xcalloc((size_t)nid + 1, sizeof *seen);
	for (e = 0; e < ne; e++)
		adj[start[from[e]] + seen[from[e]]++] = to[e];
	/* the nodes that matter: mainsvc first, then the abnormal services */
	nodes = xcalloc((size_t)n + 1, sizeof *nodes);
	parent = xcalloc((size_t)nid + 1, sizeof *parent);
	for (i = 0; i < nid; i++)
		parent[i] = i;
	nodes[0] = inv_index(ids, nid, mainsvc);
	for (i = 0; i < n; i++)
		nodes[i + 1] = inv_index(ids, nid, sg[i].svc);
	/* from each, everything it calls (transitively) that matters is
	 * joined to it */
	stack = xcalloc((size_t)nid + 1, sizeof *stack);
	for (i = 0; i <= n; i++) {
		memset(seen, 0, ((size_t)nid + 1) * sizeof *seen);
		top = 0;
		stack[top++] = nodes[i];
		seen[nodes[i]] = 1;
		while (top > 0) {
			x = stack[--top];
			for (k = start[x]; k < start[x + 1]; k++) {
				if (seen[adj[k]])
					continue;
				seen[adj[k]] = 1;
				stack[top++] = adj[k];
			}
		}
		for (j = 0; j <= n; j++)
			if (seen[nodes[j]])
				parent[inv_find(parent, nodes[j])] =
				    inv_find(parent, nodes[i]);
	}
	for (i = 0; i < n; i++)
		sg[i].keep = inv_find(parent, nodes[i + 1]) ==
		    inv_find(parent, nodes[0]);
	/* traffic fed by a caller whose traffic shifts as well */
	memset(seen, 0, ((size_t)nid + 1) * sizeof *seen);
	for (i = 0; i < n; i++)
		if (strncmp(sg[i].type, "traffic_", 8) == 0)
			seen[nodes[i + 1]] = 1;
	for (i = 0; i < n; i++)
		for (e = 0; e < ne && strncmp(sg[i].type, "traffic_", 8) == 0 &&
		    !sg[i].fed; e++)
			sg[i].fed = to[e] == nodes[i + 1] && from[e] != to[e] &&
			    seen[from[e]];
	free(stack);
	free(parent);
	free(nodes);
	free(seen);
	free(adj);
	free(start);
	free(to);
	free(from);
	free(ids);
	db_res_free(r);
	return 0;
}
