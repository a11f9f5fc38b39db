/*
 * pane_sort.c - sorting a pane's objects in one of its orders (`o` cycles
 * them, `O` reverses, as htop and k9s do; each pane_*.c lists its orders,
 * made of the ranks and comparisons here).  The first order of each pane
 * is its default, the important thing first: incidents open first, then by
 * severity, newest first; hypotheses by rank; recommendations as the
 * pipeline ranked them; alerts by severity (critical first), then newest --
 * as `midwatch alerts` lists them.  The sort is stable, so what ties keeps
 * the default order, and it sorts objects before their rows are made, so a
 * hypothesis keeps its evidence under it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "midwatch/severity.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Position of s in order (n entries); unknown values and NULL sort last. */
static int
sort_rank_in(const char *s, const char *const *order, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, order[i]) == 0)
			return (int)i;
	return (int)n;
}

/* Sort rank of a severity: critical first. */
int
pane_sort_sev(const char *s)
{
	int r = severity_rank(s);

	return r >= 0 ? MW_SEV_CRITICAL - r : MW_SEV_COUNT;
}

/* Sort rank of a status: what needs someone first. */
int
pane_sort_status(const char *s)
{
	static const char *const order[] = { "open", "active", "new", "triaged",
	    "acknowledged", "proposed", "confirmed", "silenced", "resolved",
	    "done", "rejected", "dismissed", "suppressed" };

	return sort_rank_in(s, order, MW_ARRAY_LEN(order));
}

/* Compares two numbers: bigger first (newest, most confident). */
int
pane_sort_desc(double x, double y)
{
	return x > y ? -1 : x < y;
}

/* Compares two texts, NULL last. */
int
pane_sort_text(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return strcmp(x, y);
}

/* The model's order: every object ties (see tui_int.h). */
int
pane_sort_none(const void *a, const void *b)
{
	(void)a;
	(void)b;
	return 0;	/* the model's order: publishable, then rank */
}

/* Merges the sorted runs v[lo..mid) and v[mid..hi) through tmp. */
static void
sort_merge(const void **v, const void **tmp, size_t lo, size_t mid, size_t hi,
    const struct pane_order *o, int rev)
{
	size_t i = lo, j = mid, k = lo;
	int c;

	while (i < mid && j < hi) {
		c = o->cmp(v[j], v[i]);
		/* v[j] goes first only when it sorts strictly before v[i]:
		 * stable in both directions */
		if (rev ? c > 0 : c < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < hi)
		tmp[k++] = v[j++];
	memcpy(v + lo, tmp + lo, (hi - lo) * sizeof *v);
}

/* Sorts objs (a pane's objects) by the pane's order, stably (see
 * tui_int.h). */
void
pane_sort_objs(const struct pane *p, const void **objs, size_t n)
{
	const struct pane_order *orders, *o;
	const void **tmp;
	size_t width, lo;
	int count;

	orders = pane_ops(p->id)->orders;
	count = pane_ops(p->id)->n_orders;
	o = &orders[p->sort >= 0 && p->sort < count ? p->sort : 0];
	if (n < 2 || (o->cmp == pane_sort_none && !p->sort_rev))
		return;
	if (o->cmp == pane_sort_none) {
		/* reversed model order */
		for (lo = 0; lo < n / 2; lo++) {
			const void *t = objs[lo];

			objs[lo] = objs[n - 1 - lo];
			objs[n - 1 - lo] = t;
		}
		return;
	}
	tmp = xcalloc(n, sizeof *tmp);
	for (width = 1; width < n; width *= 2)
		for (lo = 0; lo + width < n; lo += 2 * width)
			sort_merge(objs, tmp, lo, lo + width, lo + 2 * width < n ?
			    lo + 2 * width : n, o, p->sort_rev);
	free(tmp);
}

/* The name of the pane's order, or NULL for the default (see tui_int.h). */
const char *
pane_sort_name(const struct pane *p)
{
	const struct pane_order *orders;
	int count;

	orders = pane_ops(p->id)->orders;
	count = pane_ops(p->id)->n_orders;
	if (p->sort <= 0 && !p->sort_rev)
		return NULL;
	return orders[p->sort >= 0 && p->sort < count ? p->sort : 0].name;
}
