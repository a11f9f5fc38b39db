/*
 * hypothesize_facts.c - the facts the hypothesize stage
 * (stage_hypothesize.c) establishes about candidates of several kinds: who
 * calls whom, who came first, which errors name which service, what the
 * services depending on one share, confirmed causes of past incidents; and
 * the candidate list itself (hyp_cand_new, hyp_cand_key); small helpers
 * (JSON members, services by id).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/db.h"
#include "midwatch/policy.h"
#include "midwatch/rank.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "hypothesize_int.h"
#include "pipeline_int.h"

/* A number member of o, or NAN. */
double
hyp_jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* An integer member of o, or 0. */
long long
hyp_jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* A boolean member of o (0 when absent). */
int
hyp_jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

/* A string member of o, or "". */
const char *
hyp_jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* The service with id, or NULL. */
struct hsvc *
hyp_svc_get(struct hinc *h, long long id)
{
	int i;

	for (i = 0; i < h->nsvcs; i++)
		if (h->svcs[i].id == id)
			return &h->svcs[i];
	return NULL;
}

/* The name of service id ("?" when unknown). */
const char *
hyp_svc_name(struct hinc *h, long long id)
{
	struct hsvc *s = hyp_svc_get(h, id);

	return s != NULL ? s->name : "?";
}

/* Whether service a calls b, directly or transitively. */
int
hyp_reaches(const struct hinc *h, long long a, long long b)
{
	long long *stack, *seen;
	int ns = 0, nseen = 0, i, j, found = 0, dup;

	stack = xcalloc((size_t)h->nedges + 2, sizeof *stack);
	seen = xcalloc((size_t)h->nedges + 2, sizeof *seen);
	stack[ns++] = a;
	while (ns > 0 && !found) {
		long long x = stack[--ns];

		for (i = 0; i < h->nedges; i++) {
			if (h->edges[i].from != x || h->edges[i].to == 0)
				continue;
			if (h->edges[i].to == b) {
				found = 1;
				break;
			}
			for (dup = 0, j = 0; j < nseen && !dup; j++)
				dup = seen[j] == h->edges[i].to;
			if (!dup && nseen < h->nedges + 1) {
				seen[nseen++] = h->edges[i].to;
				stack[ns++] = h->edges[i].to;
			}
		}
	}
	free(seen);
	free(stack);
	return found;
}

/* Whether the JSON array arr holds the string s. */
static int
jarr_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Appends a new candidate and returns it (zeroed, type set). */
struct hcand *
hyp_cand_new(struct hinc *h, int type)
{
	struct hcand *c;

	h->c = xreallocarray(h->c, (size_t)h->nc + 1, sizeof *h->c);
	c = &h->c[h->nc++];
	memset(c, 0, sizeof *c);
	c->f.type = type;
	c->status_class = 1;
	return c;
}

/* Sets the candidate's key from type, service and ref. */
void
hyp_cand_key(struct hcand *c)
{
	char svc[24] = "-";

	if (c->service_id > 0)
		pipeline_ll(svc, sizeof svc, c->service_id);
	utf8_snprintf(c->key, sizeof c->key, "%s:%s:%s", rank_type_name(c->f.type),
	    svc, c->ref);
}

/* Whether a change artifact is trivial (docs-only deploy, benign config). */
int
hyp_change_trivial(const struct hev *e)
{
	return hyp_jbool(e->meta, "docs_only") || hyp_jbool(e->meta, "benign");
}

/* Fills the facts about changes on the affected services: any at all, and
 * the closest non-trivial one within hypothesize.near_change of onset,
 * skipping the change the candidate itself is about (skip may be NULL). */
void
hyp_change_context(struct hinc *h, struct rank_facts *f, const struct hev *skip)
{
	struct rank_facts below;
	struct hsvc *cs;
	double lead, order_lead;
	int i;

	f->any_change = 0;
	f->near_change = 0;
	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];

		if (e == skip || (strcmp(e->kind, "deployment") != 0 &&
		    strcmp(e->kind, "config_change") != 0) ||
		    !hyp_jbool(e->meta, "affected"))
			continue;
		f->any_change = 1;
		lead = hyp_jnum(e->meta, "lead_minutes");
		if (hyp_change_trivial(e) || isnan(lead) || lead > POLICY(RANK_NEAR_CHANGE))
			continue;
		/* Only a change where the trouble could have started is a
		 * likelier cause: its service among the first anomalies, none
		 * of its dependencies failing before it, its own errors not
		 * blaming one of them, most of what failed with it
		 * calling it. */
		memset(&below, 0, sizeof below);
		hyp_below_first(h, e->svc, &below);
		if (hyp_onset_order(h, e->svc, &order_lead) == 0 || below.below_first ||
		    hyp_fp_naming(h, e->svc, NULL) != 0 ||
		    (cs = hyp_svc_get(h, e->svc)) == NULL ||
		    hyp_unexplained_share(h, cs) >= POLICY(RANK_UNEXPLAINED_MIN))
			continue;
		if (!f->near_change || lead < f->near_change_lead) {
			f->near_change = 1;
			f->near_change_lead = lead;
			f->ev_near_change = e->id;
		}
	}
}

/* Whether an error fingerprint of me names another affected service: its
 * own errors say the trouble is there. */
int
hyp_blames_affected(struct hinc *h, const struct hsvc *me)
{
	int j;

	for (j = 0; j < h->nsvcs; j++)
		if (&h->svcs[j] != me && h->svcs[j].affected &&
		    hyp_fp_naming(h, me->id, h->svcs[j].name) != 0)
			return 1;
	return 0;
}

/* The order of service id's anomaly among the affected services: 2 strictly
 * first (by 2 min or more), 1 tied, 0 later; *lead_min = minutes ahead.  An
 * onset is known only to within its series' step: a coarse series whose
 * previous point came before the others' onset may have been first (tied).
 * A service first whose own errors name another affected service is only
 * tied: its errors say the trouble is there. */
int
hyp_onset_order(struct hinc *h, long long id, double *lead_min)
{
	struct hsvc *me = hyp_svc_get(h, id);
	double others = INFINITY;
	int i;

	*lead_min = 0;
	if (me == NULL || isnan(me->onset))
		return 0;
	for (i = 0; i < h->nsvcs; i++)
		if (h->svcs[i].id != id && !isnan(h->svcs[i].onset) &&
		    h->svcs[i].onset < others)
			others = h->svcs[i].onset;
	if (isinf(others))
		return 1;
	*lead_min = (others - me->onset) / 60;
	if (*lead_min >= 2)
		return hyp_blames_affected(h, me) ? 1 : 2;
	return *lead_min >= -1 ||
	    me->onset - me->onset_step < others - 60 ? 1 : 0;
}

/* Whether a service svc calls (transitively) shows a steady anomaly that
 * began no later than svc's own (within svc's step); fills f->below*. */
void
hyp_below_first(struct hinc *h, long long svc, struct rank_facts *f)
{
	struct hsvc *me = hyp_svc_get(h, svc), *o, *best = NULL;
	int i;

	if (me == NULL || isnan(me->onset))
		return;
	for (i = 0; i < h->nsvcs; i++) {
		o = &h->svcs[i];
		if (o == me || isnan(o->onset) ||
		    o->onset > me->onset + me->onset_step ||
		    (best != NULL && o->onset >= best->onset) ||
		    !hyp_reaches(h, me->id, o->id))
			continue;
		best = o;
	}
	if (best == NULL)
		return;
	f->below_first = 1;
	f->ev_below = best->ev_anomaly;
	utf8_snprintf(f->below, sizeof f->below, "%s", best->name);
}

/* The share of the other affected services that (transitively) call s. */
double
hyp_dependents_share(struct hinc *h, const struct hsvc *s)
{
	int j, callers = 0, others = 0;

	for (j = 0; j < h->nsvcs; j++) {
		if (&h->svcs[j] == s || !h->svcs[j].affected)
			continue;
		others++;
		if (hyp_reaches(h, h->svcs[j].id, s->id))
			callers++;
	}
	return others > 0 ? (double)callers / others : 0;
}

/* The share of the other services whose steady anomaly began with s's or
 * before it (within the coarser step) that do not call s, even through
 * others: trouble a change on s cannot explain. */
double
hyp_unexplained_share(struct hinc *h, const struct hsvc *s)
{
	int j, n = 0, un = 0;

	if (isnan(s->onset))
		return 0;
	for (j = 0; j < h->nsvcs; j++) {
		const struct hsvc *o = &h->svcs[j];

		if (o == s || !o->affected || isnan(o->onset) ||
		    o->onset > s->onset + fmax(s->onset_step, o->onset_step))
			continue;
		n++;
		if (!hyp_reaches(h, o->id, s->id))
			un++;
	}
	return n > 0 ? (double)un / n : 0;
}

/* The first fingerprint artifact on svc whose text names name (or, with
 * name NULL, any dependency of svc); 0 when none. */
long long
hyp_fp_naming(struct hinc *h, long long svc, const char *name)
{
	int i;

	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];
		json_t *m;

		if (strcmp(e->kind, "error_fingerprint") != 0 || e->svc != svc)
			continue;
		m = json_object_get(e->meta, "mentions");
		if (name == NULL ? json_array_size(m) > 0 : jarr_has(m, name))
			return e->id;
	}
	return 0;
}

/* The first fingerprint artifact of another affected service whose text
 * names s; 0 when none. */
long long
hyp_named_by_others(struct hinc *h, const struct hsvc *s)
{
	long long ev;
	int j;

	for (j = 0; j < h->nsvcs; j++) {
		if (&h->svcs[j] == s || !h->svcs[j].affected)
			continue;
		if ((ev = hyp_fp_naming(h, h->svcs[j].id, s->name)) != 0)
			return ev;
	}
	return 0;
}

/* Prior: confirmed past root causes of this type on this service. */
void
hyp_prior_facts(struct hinc *h, struct hcand *c)
{
	const char *type = rank_type_name(c->f.type);
	int i;

	for (i = 0; i < db_res_rows(h->prior); i++)
		if (strcmp(db_val(h->prior, i, "confirmed_hypothesis_type"),
		    type) == 0 && c->service_id > 0 &&
		    db_val_ll(h->prior, i, "root_cause_service_id") == c->service_id)
			c->f.prior_confirmed = (int)db_val_ll(h->prior, i, "n");
	for (i = 0; i < h->nev && c->f.prior_confirmed > 0; i++) {
		struct hev *e = &h->ev[i];

		if (strcmp(e->kind, "similar_incident") == 0 &&
		    strcmp(hyp_jstr(e->meta, "hypothesis_type"), type) == 0 &&
		    hyp_jint(e->meta, "root_cause_service_id") == c->service_id) {
			c->f.ev_prior = e->id;
			break;
		}
	}
}

/* The first traffic surge artifact on svc that starts by onset + 5 min. */
struct hev *
hyp_surge_on(struct hinc *h, long long svc)
{
	int i;

	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];

		if (strcmp(e->kind, "traffic_shift") == 0 && e->svc == svc &&
		    strcmp(hyp_jstr(e->meta, "direction"), "up") == 0 &&
		    e->at <= h->onset + 300)
			return e;
	}
	return NULL;
}
