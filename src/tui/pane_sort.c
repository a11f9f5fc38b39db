/*
 * pane_sort.c - the orders a pane can be sorted in (`o` cycles them, `O`
 * reverses, as htop and k9s do).  The first order of each pane is its
 * default, the important thing first: incidents open first, then by
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
static int
sort_sev(const char *s)
{
	int r = severity_rank(s);

	return r >= 0 ? MW_SEV_CRITICAL - r : MW_SEV_COUNT;
}

/* Sort rank of a status: what needs someone first. */
static int
sort_status(const char *s)
{
	static const char *const order[] = { "open", "active", "new", "triaged",
	    "acknowledged", "proposed", "confirmed", "silenced", "resolved",
	    "done", "rejected", "dismissed", "suppressed" };

	return sort_rank_in(s, order, MW_ARRAY_LEN(order));
}

/* Compares two numbers: bigger first (newest, most confident). */
static int
sort_desc(double x, double y)
{
	return x > y ? -1 : x < y;
}

/* Compares two texts, NULL last. */
static int
sort_text(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return strcmp(x, y);
}

/* Comparators of one field of a model object: its text, its number
 * (biggest first: newest, most confident), its status word. */
#define SORT_TEXT(fn, type, field) \
	static int fn(const void *a, const void *b) { return sort_text( \
	    ((const type *)a)->field, ((const type *)b)->field); }
#define SORT_DESC(fn, type, field) \
	static int fn(const void *a, const void *b) { return sort_desc( \
	    ((const type *)a)->field, ((const type *)b)->field); }
#define SORT_STATUS(fn, type) \
	static int fn(const void *a, const void *b) { return \
	    sort_status(((const type *)a)->status) - \
	    sort_status(((const type *)b)->status); }

SORT_DESC(sort_inc_age, struct mw_incident, window_start)
SORT_TEXT(sort_inc_service, struct mw_incident, service)
SORT_DESC(sort_hyp_confidence, struct mw_hypothesis, confidence)
SORT_TEXT(sort_hyp_type, struct mw_hypothesis, type)
SORT_TEXT(sort_hyp_service, struct mw_hypothesis, service)
SORT_STATUS(sort_reco_status, struct mw_recommendation)
SORT_TEXT(sort_reco_type, struct mw_recommendation, type)
SORT_DESC(sort_alert_age, struct mw_alert, created_at)
SORT_STATUS(sort_alert_status, struct mw_alert)
SORT_TEXT(sort_alert_title, struct mw_alert, title)

/* ---- incidents -------------------------------------------------------------- */

static int
sort_inc_default(const void *a, const void *b)
{
	const struct mw_incident *x = a, *y = b;
	int d;

	if ((d = sort_status(x->status) - sort_status(y->status)) != 0)
		return d;
	if ((d = sort_sev(x->severity) - sort_sev(y->severity)) != 0)
		return d;
	if ((d = sort_desc(x->window_start, y->window_start)) != 0)
		return d;
	return x->id > y->id ? -1 : x->id < y->id;
}

static int
sort_inc_severity(const void *a, const void *b)
{
	const struct mw_incident *x = a, *y = b;
	int d = sort_sev(x->severity) - sort_sev(y->severity);

	return d != 0 ? d : sort_desc(x->window_start, y->window_start);
}

/* ---- hypotheses --------------------------------------------------------------- */

static int
sort_hyp_rank(const void *a, const void *b)
{
	return ((const struct mw_hypothesis *)a)->rank -
	    ((const struct mw_hypothesis *)b)->rank;
}

/* ---- recommendations ------------------------------------------------------------ */

static int
sort_none(const void *a, const void *b)
{
	(void)a;
	(void)b;
	return 0;	/* the model's order: publishable, then rank */
}

/* ---- alerts ------------------------------------------------------------------------ */

static int
sort_alert_severity(const void *a, const void *b)
{
	const struct mw_alert *x = a, *y = b;
	int d = sort_sev(x->severity) - sort_sev(y->severity);

	if (d != 0)
		return d;
	if ((d = sort_desc(x->created_at, y->created_at)) != 0)
		return d;
	return x->id > y->id ? -1 : x->id < y->id;
}

/* Every pane's orders; the first is the default. */
static const struct pane_order sort_incidents[] = {
	{ "status", sort_inc_default }, { "severity", sort_inc_severity },
	{ "age", sort_inc_age }, { "service", sort_inc_service },
};
static const struct pane_order sort_hypotheses[] = {
	{ "rank", sort_hyp_rank }, { "confidence", sort_hyp_confidence },
	{ "type", sort_hyp_type }, { "service", sort_hyp_service },
};
static const struct pane_order sort_recos[] = {
	{ "rank", sort_none }, { "status", sort_reco_status },
	{ "type", sort_reco_type },
};
static const struct pane_order sort_alerts[] = {
	{ "severity", sort_alert_severity }, { "age", sort_alert_age },
	{ "status", sort_alert_status }, { "title", sort_alert_title },
};

/* The orders of a pane (see tui_int.h). */
const struct pane_order *
pane_orders(enum pane_id id, int *n)
{
	switch (id) {
	case PANE_INCIDENTS:
		*n = (int)MW_ARRAY_LEN(sort_incidents);
		return sort_incidents;
	case PANE_HYPOTHESES:
		*n = (int)MW_ARRAY_LEN(sort_hypotheses);
		return sort_hypotheses;
	case PANE_RECOS:
		*n = (int)MW_ARRAY_LEN(sort_recos);
		return sort_recos;
	default:
		*n = (int)MW_ARRAY_LEN(sort_alerts);
		return sort_alerts;
	}
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

	orders = pane_orders(p->id, &count);
	o = &orders[p->sort >= 0 && p->sort < count ? p->sort : 0];
	if (n < 2 || (o->cmp == sort_none && !p->sort_rev))
		return;
	if (o->cmp == sort_none) {
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

	orders = pane_orders(p->id, &count);
	if (p->sort <= 0 && !p->sort_rev)
		return NULL;
	return orders[p->sort >= 0 && p->sort < count ? p->sort : 0].name;
}
