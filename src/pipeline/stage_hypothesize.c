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
#include "pipeline_int.h"

/* Its numbers: hypothesize.* and rank.* in policy.def. */

/* An evidence artifact of the incident. */
struct hev {
	long long id;
	const char *kind;
	const char *ref;
	long long svc;
	double at;		/* observed_at, epoch */
	json_t *meta;
};

/* A service of the project, with what the incident's evidence says of it. */
struct hsvc {
	long long id;
	const char *name;
	const char *tier;
	double onset;		/* earliest steady metric anomaly, NAN if none */
	double onset_step;	/* its series' step: it began at most this
				 * long before onset */
	long long ev_anomaly;	/* the artifact of that anomaly (or of a
				 * flapping/weak one when it has no other) */
	long long ev_sat, ev_crash;
	int affected;
	int call_symptom;	/* errors or latency: what a failing
				 * dependency does to its callers */
	int is_db;
	int silent;		/* a database with no data near the incident's
				 * start: its callers are all there is to judge */
};

/* A dependency edge. */
struct hedge {
	long long from, to;	/* to: 0 when the target is not a service */
	const char *to_name;
	const char *kind;
};

/* A scored candidate cause. */
struct hcand {
	struct rank_facts f;
	struct rank_score s;
	long long service_id;	/* 0: NULL */
	char ref[RANK_NAME_SIZE];	/* "" : NULL; a whole identifier */
	char title[3 * MW_NAME_MAX + 64];	/* up to three names, whole */
	char key[MW_NAME_MAX + 64];	/* type:service_id:ref, never cut */
	int status_class;	/* -1 the confirmed root cause, 0 confirmed,
				 * 1 proposed, 2 rejected */
	int order;
};

/* Everything known about one incident. */
struct hinc {
	long long id;
	long long svc;
	double onset;
	struct hev *ev;
	int nev;
	struct hsvc *svcs;
	int nsvcs;
	struct hedge *edges;
	int nedges;
	struct db_res *prior;
	struct hcand *c;
	int nc;
};

/* ---- small helpers ------------------------------------------------------- */

/* A number member of o, or NAN. */
static double
jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* An integer member of o, or 0. */
static long long
jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* A boolean member of o (0 when absent). */
static int
jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

/* A string member of o, or "". */
static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* The service with id, or NULL. */
static struct hsvc *
svc_get(struct hinc *h, long long id)
{
	int i;

	for (i = 0; i < h->nsvcs; i++)
		if (h->svcs[i].id == id)
			return &h->svcs[i];
	return NULL;
}

/* The name of service id ("?" when unknown). */
static const char *
svc_name(struct hinc *h, long long id)
{
	struct hsvc *s = svc_get(h, id);

	return s != NULL ? s->name : "?";
}

/* Whether service a calls b, directly or transitively. */
static int
reaches(const struct hinc *h, long long a, long long b)
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
static struct hcand *
cand_new(struct hinc *h, int type)
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
static void
cand_key(struct hcand *c)
{
	char svc[24] = "-";

	if (c->service_id > 0)
		pipeline_ll(svc, sizeof svc, c->service_id);
	utf8_snprintf(c->key, sizeof c->key, "%s:%s:%s", rank_type_name(c->f.type),
	    svc, c->ref);
}

/* ---- facts shared by several kinds --------------------------------------- */

static int onset_order(struct hinc *, long long, double *);
static void below_first(struct hinc *, long long, struct rank_facts *);
static long long fp_naming(struct hinc *, long long, const char *);
static double unexplained_share(struct hinc *, const struct hsvc *);

/* Whether a change artifact is trivial (docs-only deploy, benign config). */
static int
change_trivial(const struct hev *e)
{
	return jbool(e->meta, "docs_only") || jbool(e->meta, "benign");
}

/* Fills the facts about changes on the affected services: any at all, and
 * the closest non-trivial one within hypothesize.near_change of onset,
 * skipping the change the candidate itself is about (skip may be NULL). */
static void
change_context(struct hinc *h, struct rank_facts *f, const struct hev *skip)
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
		    !jbool(e->meta, "affected"))
			continue;
		f->any_change = 1;
		lead = jnum(e->meta, "lead_minutes");
		if (change_trivial(e) || isnan(lead) || lead > POLICY(RANK_NEAR_CHANGE))
			continue;
		/* Only a change where the trouble could have started is a
		 * likelier cause: its service among the first anomalies, none
		 * of its dependencies failing before it, its own errors not
		 * blaming one of them, most of what failed with it
		 * calling it. */
		memset(&below, 0, sizeof below);
		below_first(h, e->svc, &below);
		if (onset_order(h, e->svc, &order_lead) == 0 || below.below_first ||
		    fp_naming(h, e->svc, NULL) != 0 ||
		    (cs = svc_get(h, e->svc)) == NULL ||
		    unexplained_share(h, cs) >= POLICY(RANK_UNEXPLAINED_MIN))
			continue;
		if (!f->near_change || lead < f->near_change_lead) {
			f->near_change = 1;
			f->near_change_lead = lead;
			f->ev_near_change = e->id;
		}
	}
}

static long long fp_naming(struct hinc *h, long long svc, const char *name);

/* Whether an error fingerprint of me names another affected service: its
 * own errors say the trouble is there. */
static int
blames_affected(struct hinc *h, const struct hsvc *me)
{
	int j;

	for (j = 0; j < h->nsvcs; j++)
		if (&h->svcs[j] != me && h->svcs[j].affected &&
		    fp_naming(h, me->id, h->svcs[j].name) != 0)
			return 1;
	return 0;
}

/* The order of service id's anomaly among the affected services: 2 strictly
 * first (by 2 min or more), 1 tied, 0 later; *lead_min = minutes ahead.  An
 * onset is known only to within its series' step: a coarse series whose
 * previous point came before the others' onset may have been first (tied).
 * A service first whose own errors name another affected service is only
 * tied: its errors say the trouble is there. */
static int
onset_order(struct hinc *h, long long id, double *lead_min)
{
	struct hsvc *me = svc_get(h, id);
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
		return blames_affected(h, me) ? 1 : 2;
	return *lead_min >= -1 ||
	    me->onset - me->onset_step < others - 60 ? 1 : 0;
}

/* Whether a service svc calls (transitively) shows a steady anomaly that
 * began no later than svc's own (within svc's step); fills f->below*. */
static void
below_first(struct hinc *h, long long svc, struct rank_facts *f)
{
	struct hsvc *me = svc_get(h, svc), *o, *best = NULL;
	int i;

	if (me == NULL || isnan(me->onset))
		return;
	for (i = 0; i < h->nsvcs; i++) {
		o = &h->svcs[i];
		if (o == me || isnan(o->onset) ||
		    o->onset > me->onset + me->onset_step ||
		    (best != NULL && o->onset >= best->onset) ||
		    !reaches(h, me->id, o->id))
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
static double
dependents_share(struct hinc *h, const struct hsvc *s)
{
	int j, callers = 0, others = 0;

	for (j = 0; j < h->nsvcs; j++) {
		if (&h->svcs[j] == s || !h->svcs[j].affected)
			continue;
		others++;
		if (reaches(h, h->svcs[j].id, s->id))
			callers++;
	}
	return others > 0 ? (double)callers / others : 0;
}

/* The share of the other services whose steady anomaly began with s's or
 * before it (within the coarser step) that do not call s, even through
 * others: trouble a change on s cannot explain. */
static double
unexplained_share(struct hinc *h, const struct hsvc *s)
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
		if (!reaches(h, o->id, s->id))
			un++;
	}
	return n > 0 ? (double)un / n : 0;
}

/* The first fingerprint artifact on svc whose text names name (or, with
 * name NULL, any dependency of svc); 0 when none. */
static long long
fp_naming(struct hinc *h, long long svc, const char *name)
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
static long long
named_by_others(struct hinc *h, const struct hsvc *s)
{
	long long ev;
	int j;

	for (j = 0; j < h->nsvcs; j++) {
		if (&h->svcs[j] == s || !h->svcs[j].affected)
			continue;
		if ((ev = fp_naming(h, h->svcs[j].id, s->name)) != 0)
			return ev;
	}
	return 0;
}

/* Prior: confirmed past root causes of this type on this service. */
static void
prior_facts(struct hinc *h, struct hcand *c)
{
	const char *type = rank_type_name(c->f.type);
	int i;

	for (i = 0; i < db_res_rows(h->prior); i++)
		if (strcmp(db_res_get(h->prior, i, 0), type) == 0 &&
		    db_res_ll(h->prior, i, 1) == c->service_id && c->service_id > 0)
			c->f.prior_confirmed = (int)db_res_ll(h->prior, i, 2);
	for (i = 0; i < h->nev && c->f.prior_confirmed > 0; i++) {
		struct hev *e = &h->ev[i];

		if (strcmp(e->kind, "similar_incident") == 0 &&
		    strcmp(jstr(e->meta, "hypothesis_type"), type) == 0 &&
		    jint(e->meta, "root_cause_service_id") == c->service_id) {
			c->f.ev_prior = e->id;
			break;
		}
	}
}

/* ---- candidates ---------------------------------------------------------- */

/* The first traffic surge artifact on svc that starts by onset + 5 min. */
static struct hev *
surge_on(struct hinc *h, long long svc)
{
	int i;

	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];

		if (strcmp(e->kind, "traffic_shift") == 0 && e->svc == svc &&
		    strcmp(jstr(e->meta, "direction"), "up") == 0 &&
		    e->at <= h->onset + 300)
			return e;
	}
	return NULL;
}

/* A release or config candidate from a change artifact. */
static void
add_change(struct hinc *h, struct hev *e, int type)
{
	struct hcand *c = cand_new(h, type);
	struct rank_facts *f = &c->f;
	struct hsvc *s = svc_get(h, e->svc);
	struct hev *surge;
	json_t *risky, *after, *x;
	size_t k, j;
	double earliest;
	int i, first = 1;

	f->has_change = 1;
	c->service_id = e->svc;
	utf8_snprintf(c->ref, sizeof c->ref, "%s", e->ref);
	utf8_snprintf(f->change_ref, sizeof f->change_ref, "%s", e->ref);
	utf8_snprintf(f->subject, sizeof f->subject, "%s",
	    s != NULL ? s->name : "the cluster");
	f->lead_min = jnum(e->meta, "lead_minutes");
	f->ev_change = e->id;
	/* Affected means a steady anomaly: flapping or weak signals on the
	 * service do not make its change a suspect. */
	f->change_on_anomalous = jbool(e->meta, "affected") && s != NULL &&
	    !isnan(s->onset);
	earliest = INFINITY;
	for (i = 0; i < h->nsvcs && s != NULL && !isnan(s->onset); i++) {
		if (isnan(h->svcs[i].onset) || &h->svcs[i] == s)
			continue;
		if (h->svcs[i].onset < s->onset - s->onset_step)
			first = 0;
		if (h->svcs[i].onset < earliest)
			earliest = h->svcs[i].onset;
	}
	/* first, unless its own errors say the trouble is elsewhere */
	f->change_on_first = s != NULL && !isnan(s->onset) && first &&
	    !blames_affected(h, s);
	if (!first && isfinite(earliest))
		f->change_later_min = (s->onset - s->onset_step + 60 -
		    earliest) / 60;
	f->harmless = change_trivial(e);
	f->rollback = jbool(e->meta, "is_rollback");
	if (type == RANK_RELEASE) {
		risky = json_object_get(e->meta, "risky_types");
		if (json_array_size(risky) > 0) {
			struct buf b;

			f->risky = 1;
			buf_init(&b);
			buf_adds(&b, "files of type ");
			json_array_foreach(risky, k, x)
				buf_printf(&b, "%s%s", k ? ", " : "",
				    json_string_value(x));
			utf8_snprintf(f->risky_what, sizeof f->risky_what, "%s",
			    buf_str(&b));
			buf_free(&b);
			for (i = 0; i < h->nev; i++)
				if (strcmp(h->ev[i].kind, "commit_file") == 0 &&
				    strcmp(jstr(h->ev[i].meta, "deploy"), e->ref) == 0) {
					f->ev_risky = h->ev[i].id;
					break;
				}
		}
		utf8_snprintf(c->title, sizeof c->title, "release %s of %s%s", e->ref,
		    f->subject, f->risky ? " (risky changes)" :
		    f->harmless ? " (docs/tests only)" : "");
	} else {
		f->risky = jbool(e->meta, "risky");
		if (f->risky) {
			json_t *diff = json_object_get(e->meta, "diff");

			utf8_snprintf(f->risky_what, sizeof f->risky_what, "%s changed",
			    jstr(json_array_get(diff, 0), "field"));
		}
		utf8_snprintf(c->title, sizeof c->title, "config change %s on %s (%s)",
		    e->ref, f->subject, jstr(e->meta, "resource"));
	}
	/* A fingerprint first seen after this change, on the same service;
	 * one whose text names a dependency supports that dependency, not
	 * this change. */
	for (i = 0; i < h->nev && !f->new_fp_after; i++) {
		struct hev *fp = &h->ev[i];

		if (strcmp(fp->kind, "error_fingerprint") != 0 || fp->svc != e->svc ||
		    json_array_size(json_object_get(fp->meta, "mentions")) > 0)
			continue;
		after = json_object_get(fp->meta, "after_changes");
		json_array_foreach(after, j, x) {
			if (strcmp(jstr(x, "ref"), e->ref) != 0)
				continue;
			f->new_fp_after = 1;
			f->fp_minutes = jnum(x, "minutes");
			f->ev_fp = fp->id;
			surge = surge_on(h, e->svc);
			f->fp_explained_by_surge = surge != NULL &&
			    fabs(surge->at - fp->at) <= 300;
			break;
		}
	}
	if ((surge = surge_on(h, e->svc)) != NULL) {
		f->surge_explains = 1;
		f->ev_surge = surge->id;
	}
	if (s != NULL) {
		/* Tied with a dependency below it, "first" says nothing. */
		below_first(h, s->id, f);
		f->share_dependents = dependents_share(h, s);
		f->unexplained = unexplained_share(h, s);
		/* Nor when most of what failed with it does not call it. */
		if (f->below_first ||
		    f->unexplained >= POLICY(RANK_UNEXPLAINED_MIN))
			f->change_on_first = 0;
	}
	f->ev_blames = fp_naming(h, e->svc, NULL);
	f->blames_other = f->ev_blames != 0;
}

/* The "no deploy" release candidate for the incident's service. */
static void
add_no_release(struct hinc *h)
{
	struct hcand *c;
	int i;

	for (i = 0; i < h->nev; i++)
		if (strcmp(h->ev[i].kind, "deployment") == 0 &&
		    jbool(h->ev[i].meta, "affected"))
			return;
	c = cand_new(h, RANK_RELEASE);
	c->service_id = h->svc;
	utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", svc_name(h, h->svc));
	utf8_snprintf(c->title, sizeof c->title, "a release of %s (no deploy found)",
	    c->f.subject);
}

/*
 * Where a traffic shift sits in the call graph: a surge whose callers do not
 * surge (or that has none) is where it enters, one with a surging caller
 * passes it on; a drop that a caller's or a dependency's anomaly precedes
 * (by up to a minute after) is a symptom of it.
 */
static void
traffic_context(struct hinc *h, const struct hev *e, struct hcand *c)
{
	int i, k, surge = c->f.rate_ratio >= 1;

	for (i = 0; i < h->nedges; i++) {
		const struct hedge *ed = &h->edges[i];
		int caller = ed->to == e->svc;
		long long other = caller ? ed->from : ed->to;
		struct hsvc *os;

		if (!caller && (surge || ed->from != e->svc || ed->to == 0))
			continue;
		for (k = 0; k < h->nev; k++) {
			const struct hev *o = &h->ev[k];
			int shift = strcmp(o->kind, "traffic_shift") == 0;

			if (o == e || o->svc != other || !jbool(o->meta, "anchor"))
				continue;
			if (surge ? !(shift && jnum(o->meta, "ratio") >= 1) :
			    !((shift || strcmp(o->kind, "metric_anomaly") == 0 ||
			    strcmp(o->kind, "dependency_anomaly") == 0) &&
			    o->at <= e->at + 60))
				continue;
			os = svc_get(h, other);
			utf8_snprintf(c->f.upstream, sizeof c->f.upstream, "%s",
			    os != NULL ? os->name : "?");
			c->f.ev_upstream = o->id;
			if (surge)
				c->f.entry = -1;
			else
				c->f.drop_explained = 1;
			return;
		}
	}
	if (surge)
		c->f.entry = 1;
}

/* Whether evidence o is a steady surge on a service the surge of e feeds
 * (one e's service calls, transitively). */
static int
fed_surge(struct hinc *h, const struct hev *e, const struct hev *o)
{
	return strcmp(o->kind, "traffic_shift") == 0 &&
	    jbool(o->meta, "anchor") && jnum(o->meta, "ratio") >= 1 &&
	    o->svc != e->svc && reaches(h, e->svc, o->svc);
}

/* A traffic candidate per service with a traffic shift. */
static void
add_traffic(struct hinc *h)
{
	double others, lead, onset;
	const struct hev *fed;
	int i, j, k, dup;

	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];
		struct hcand *c;
		struct hsvc *s;

		/* A spike, a flapping or a weak shift is cited, never a cause. */
		if (strcmp(e->kind, "traffic_shift") != 0 ||
		    !jbool(e->meta, "anchor"))
			continue;
		for (dup = 0, k = 0; k < h->nc && !dup; k++)
			dup = h->c[k].f.type == RANK_TRAFFIC &&
			    h->c[k].service_id == e->svc;
		if (dup)
			continue;
		c = cand_new(h, RANK_TRAFFIC);
		c->service_id = e->svc;
		s = svc_get(h, e->svc);
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s",
		    s ? s->name : "?");
		c->f.ev_anomaly = e->id;
		c->f.rate_ratio = jnum(e->meta, "ratio");
		if (isnan(c->f.rate_ratio))
			c->f.rate_ratio = 1;
		traffic_context(h, e, c);
		/* Where a surge enters, it began no later than any surge it
		 * feeds down the call graph (each seen at its own scrape
		 * step): its onset is the earliest of them, compared with
		 * the anomalies outside that cascade. */
		onset = e->at;
		fed = NULL;
		for (j = 0; c->f.entry > 0 && j < h->nev; j++) {
			struct hev *o = &h->ev[j];

			if (o != e && fed_surge(h, e, o) && o->at < onset) {
				onset = o->at;
				fed = o;
			}
		}
		if (fed != NULL) {
			struct hsvc *fs = svc_get(h, fed->svc);

			utf8_snprintf(c->f.fed, sizeof c->f.fed, "%s",
			    fs != NULL ? fs->name : "?");
			c->f.ev_fed = fed->id;
		}
		/* Compare with every other metric anomaly of the incident. */
		others = INFINITY;
		for (j = 0; j < h->nev; j++) {
			struct hev *o = &h->ev[j];

			if (o == e || (strcmp(o->kind, "metric_anomaly") != 0 &&
			    strcmp(o->kind, "dependency_anomaly") != 0 &&
			    strcmp(o->kind, "traffic_shift") != 0) ||
			    !jbool(o->meta, "anchor") ||
			    json_object_get(o->meta, "metric") == NULL ||
			    strcmp(jstr(o->meta, "signal_type"),
			    "conversion_drop") == 0 ||
			    (c->f.entry > 0 && fed_surge(h, e, o)))
				continue;
			if (o->at < others)
				others = o->at;
		}
		lead = isinf(others) ? 0 : (others - onset) / 60;
		c->f.onset_lead_min = lead;
		c->f.onset_order = isinf(others) ? 1 : lead >= 2 ? 2 :
		    lead >= -1 ? 1 : 0;
		if (s != NULL && s->ev_sat) {
			c->f.saturated = 1;
			c->f.ev_saturation = s->ev_sat;
		}
		change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title, "traffic %s on %s (%.1fx)",
		    c->f.rate_ratio >= 1 ? "surge" : "drop", c->f.subject,
		    c->f.rate_ratio);
	}
}

/* Whether edge e leads to an external dependency (no metrics of its own). */
static int
edge_external(struct hinc *h, const struct hedge *e)
{
	struct hsvc *t = e->to ? svc_get(h, e->to) : NULL;

	return strcmp(e->kind, "external") == 0 || (t != NULL &&
	    t->tier != NULL && strcmp(t->tier, "external") == 0);
}

/* Whether edge e leads where nothing can be seen: an external dependency,
 * or a database silent near onset. */
static int
edge_unseen(struct hinc *h, const struct hedge *e)
{
	struct hsvc *t = e->to ? svc_get(h, e->to) : NULL;

	return edge_external(h, e) || (t != NULL && t->silent);
}

/* An internal service that calls an external dependency (or a database
 * silent near onset) while everything else it calls is healthy: a failure
 * out there, with no metrics to judge it by, would look just like the
 * service failing (f->below_external,
 * naming the dependency in f->below). */
static void
external_below(struct hinc *h, const struct hsvc *s, struct rank_facts *f)
{
	const char *ext = NULL;
	struct hsvc *o;
	int j;

	for (j = 0; j < h->nedges; j++) {
		if (h->edges[j].from != s->id)
			continue;
		if (edge_unseen(h, &h->edges[j])) {
			if (ext == NULL)
				ext = h->edges[j].to_name;
		} else if ((o = svc_get(h, h->edges[j].to)) != NULL &&
		    o->affected)
			return;
	}
	if (ext == NULL)
		return;
	f->below_external = 1;
	utf8_snprintf(f->below, sizeof f->below, "%s", ext);
	f->ev_below = s->ev_anomaly;
}

/* The db and internal dependency candidates: affected services that other
 * affected services call. */
static void
add_topology(struct hinc *h)
{
	struct hcand *c;
	double share;
	int i;

	for (i = 0; i < h->nsvcs; i++) {
		struct hsvc *s = &h->svcs[i];

		/* a silent database stands on what its callers say of it */
		if (!s->affected && !(s->silent && named_by_others(h, s) != 0))
			continue;
		share = dependents_share(h, s);
		if (!s->is_db && share <= 0)
			continue;
		c = cand_new(h, s->is_db ? RANK_DB : RANK_DEPENDENCY);
		c->service_id = s->id;
		utf8_snprintf(c->ref, sizeof c->ref, "%s", s->name);
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", s->name);
		c->f.onset_order = onset_order(h, s->id, &c->f.onset_lead_min);
		c->f.silent = !s->affected;
		c->f.ev_anomaly = s->ev_anomaly;
		c->f.share_dependents = share;
		below_first(h, s->id, &c->f);
		if (!s->is_db && !c->f.below_first)
			external_below(h, s, &c->f);
		c->f.ev_mention = named_by_others(h, s);
		c->f.mentioned = c->f.ev_mention != 0;
		/* a service's own saturation is the infra candidate's (a
		 * database's stays the database's) */
		if (s->ev_sat && s->is_db) {
			c->f.saturated = 1;
			c->f.ev_saturation = s->ev_sat;
		}
		c->f.ev_blames = fp_naming(h, s->id, NULL);
		c->f.blames_other = c->f.ev_blames != 0;
		change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title, s->is_db ?
		    "database %s degraded" : "dependency %s failing", s->name);
	}
}

/* The share of the affected services that call the external dependency
 * name, directly or through other services. */
static double
external_share(struct hinc *h, const char *name)
{
	int i, j, n = 0, hit = 0, calls;

	for (i = 0; i < h->nsvcs; i++) {
		if (!h->svcs[i].affected)
			continue;
		n++;
		for (calls = 0, j = 0; j < h->nedges && !calls; j++)
			calls = h->edges[j].to_name != NULL &&
			    strcmp(h->edges[j].to_name, name) == 0 &&
			    (h->edges[j].from == h->svcs[i].id ||
			    reaches(h, h->svcs[i].id, h->edges[j].from));
		hit += calls;
	}
	return n > 0 ? (double)hit / n : 0;
}

/* External dependency candidates: dependencies of affected services that are
 * external (dep_kind external or tier external), called by a service that
 * shows what a failing dependency does to its callers (errors or latency;
 * a caller that is only saturated or crash-looping speaks for itself). */
static void
add_external(struct hinc *h)
{
	struct hcand *c;
	struct hsvc *caller;
	double lead;
	int i, j, k, dup, order, healthy;
	long long mention;
	int merit;

	for (i = 0; i < h->nedges; i++) {
		struct hedge *e = &h->edges[i];

		caller = svc_get(h, e->from);
		if (caller == NULL || !caller->affected ||
		    !caller->call_symptom || !edge_external(h, e))
			continue;
		order = onset_order(h, caller->id, &lead);
		healthy = 1;
		for (j = 0; j < h->nedges; j++) {
			struct hsvc *o;

			if (h->edges[j].from != caller->id || j == i ||
			    h->edges[j].to == 0)
				continue;
			o = svc_get(h, h->edges[j].to);
			if (o != NULL && o->affected)
				healthy = 0;
		}
		mention = fp_naming(h, caller->id, e->to_name);
		/* One candidate per dependency: keep the best caller, by the
		 * order of its anomaly, then whether its errors name the
		 * dependency, then whether all else it calls is healthy. */
		merit = order * 4 + (mention != 0) * 2 + healthy;
		for (dup = -1, k = 0; k < h->nc && dup < 0; k++)
			if (h->c[k].f.type == RANK_DEPENDENCY &&
			    strcmp(h->c[k].ref, e->to_name) == 0)
				dup = k;
		if (dup >= 0) {
			c = &h->c[dup];
			if (c->f.onset_order * 4 + c->f.mentioned * 2 +
			    c->f.caller_deps_healthy >= merit)
				continue;
			memset(&c->f, 0, sizeof c->f);
			c->f.type = RANK_DEPENDENCY;
		} else
			c = cand_new(h, RANK_DEPENDENCY);
		c->service_id = e->to;
		utf8_snprintf(c->ref, sizeof c->ref, "%s", e->to_name);
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", e->to_name);
		utf8_snprintf(c->f.caller, sizeof c->f.caller, "%s", caller->name);
		c->f.external = 1;
		c->f.onset_order = order;
		c->f.onset_lead_min = lead;
		c->f.ev_anomaly = caller->ev_anomaly;
		c->f.ev_mention = mention;
		c->f.mentioned = c->f.ev_mention != 0;
		c->f.caller_deps_healthy = healthy;
		c->f.share_dependents = external_share(h, e->to_name);
		change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title,
		    "external dependency %s failing (called by %s)", e->to_name,
		    caller->name);
	}
}

/* Infra candidates: affected services saturated or crash-looping. */
static void
add_infra(struct hinc *h)
{
	struct hcand *c;
	struct hev *surge;
	int i;

	for (i = 0; i < h->nsvcs; i++) {
		struct hsvc *s = &h->svcs[i];

		/* A database's saturation is the database candidate's. */
		if (!s->affected || (!s->ev_sat && !s->ev_crash) || s->is_db)
			continue;
		c = cand_new(h, RANK_INFRA);
		c->service_id = s->id;
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", s->name);
		c->f.saturated = s->ev_sat != 0;
		c->f.ev_saturation = s->ev_sat;
		c->f.crashloop = s->ev_crash != 0;
		c->f.ev_crashloop = s->ev_crash;
		c->f.onset_order = onset_order(h, s->id, &c->f.onset_lead_min);
		c->f.ev_anomaly = s->ev_anomaly;
		if ((surge = surge_on(h, s->id)) != NULL) {
			c->f.surge_explains = 1;
			c->f.ev_surge = surge->id;
		}
		below_first(h, s->id, &c->f);
		c->f.share_dependents = dependents_share(h, s);
		c->f.ev_mention = named_by_others(h, s);
		c->f.mentioned = c->f.ev_mention != 0;
		change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title, "%s %s", s->name,
		    s->ev_crash ? "is crash-looping" : "is saturated");
	}
}

/* The fallback. */
static void
add_unknown(struct hinc *h)
{
	struct hcand *c = cand_new(h, RANK_UNKNOWN);

	c->service_id = h->svc;
	utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", svc_name(h, h->svc));
	utf8_snprintf(c->title, sizeof c->title, "unknown cause");
}

/* ---- loading ------------------------------------------------------------- */

/* Loads the incident's evidence, the services and the edges into h. */
static int
load(struct pipeline_ctx *ctx, struct hinc *h, const char *id,
    struct db_res **rev, struct db_res **rsvc, struct db_res **redge,
    char **cause)
{
	json_error_t jerr;
	const char *type;
	char sw[40];
	int i;

	*rev = DBQ(ctx->db, cause,
	    "SELECT id, kind, ref, service_id,"
	    " extract(epoch FROM coalesce(observed_at, created_at)), metadata::text"
	    " FROM midwatch.evidence_artifacts WHERE project_id = $1"
	    " AND incident_id = $2 ORDER BY observed_at, kind, dedupe_key",
	    ctx->project, id);
	if (*rev == NULL)
		return -1;
	h->nev = db_res_rows(*rev);
	h->ev = xcalloc((size_t)h->nev + 1, sizeof *h->ev);
	for (i = 0; i < h->nev; i++) {
		h->ev[i].id = db_res_ll(*rev, i, 0);
		h->ev[i].kind = db_res_get(*rev, i, 1);
		h->ev[i].ref = db_res_get(*rev, i, 2);
		h->ev[i].svc = db_res_ll(*rev, i, 3);
		h->ev[i].at = db_res_f(*rev, i, 4);
		h->ev[i].meta = json_loads(db_res_get(*rev, i, 5), 0, &jerr);
		if (h->ev[i].meta == NULL)
			h->ev[i].meta = json_object();
	}
	/* a database without a point in the first minutes of the incident is
	 * silent */
	*rsvc = DBQ(ctx->db, cause,
	    "WITH x AS (SELECT s.id, s.name, s.tier,"
	    " coalesce(s.tier = 'database', false) OR EXISTS"
	    "  (SELECT 1 FROM midwatch.service_dependencies d"
	    "   WHERE d.project_id = $1 AND d.to_service_id = s.id"
	    "   AND d.dep_kind = 'database') AS is_db"
	    " FROM midwatch.services s WHERE s.project_id = $1)"
	    " SELECT x.id, x.name, x.tier, x.is_db, x.is_db AND NOT EXISTS"
	    "  (SELECT 1 FROM midwatch.metric_points p, midwatch.incidents i"
	    "   WHERE i.project_id = $1 AND i.id = $2::bigint"
	    "   AND p.project_id = $1 AND p.service_id = x.id"
	    "   AND p.ts BETWEEN i.window_start"
	    "   AND i.window_start + make_interval(secs => $3::float8))"
	    " FROM x ORDER BY x.id", ctx->project, id,
	    policy_param(sw, sizeof sw, POL_RANK_SILENT_WINDOW));
	if (*rsvc == NULL)
		return -1;
	h->nsvcs = db_res_rows(*rsvc);
	h->svcs = xcalloc((size_t)h->nsvcs + 1, sizeof *h->svcs);
	for (i = 0; i < h->nsvcs; i++) {
		struct hsvc *s = &h->svcs[i];

		s->id = db_res_ll(*rsvc, i, 0);
		s->name = db_res_get(*rsvc, i, 1);
		s->tier = db_res_get(*rsvc, i, 2);
		s->onset = NAN;
		s->is_db = !db_res_isnull(*rsvc, i, 3) &&
		    strcmp(db_res_get(*rsvc, i, 3), "t") == 0;
		s->silent = !db_res_isnull(*rsvc, i, 4) &&
		    strcmp(db_res_get(*rsvc, i, 4), "t") == 0;
	}
	/* What the evidence says of each service: its first metric anomaly,
	 * saturation, crash loops. */
	for (i = 0; i < h->nev; i++) {
		struct hev *e = &h->ev[i];
		struct hsvc *s = svc_get(h, e->svc);

		if (s == NULL || (strcmp(e->kind, "metric_anomaly") != 0 &&
		    strcmp(e->kind, "dependency_anomaly") != 0 &&
		    strcmp(e->kind, "traffic_shift") != 0))
			continue;
		type = jstr(e->meta, "signal_type");
		if (strcmp(type, "conversion_drop") == 0)
			continue;
		s->affected = 1;
		/* Only a steady anomaly sets the order of who came first;
		 * flapping or weak ones are cited (their artifact stands in
		 * when the service has nothing better). */
		if (jbool(e->meta, "anchor") && (isnan(s->onset) ||
		    e->at < s->onset)) {
			s->onset = e->at;
			s->onset_step = jnum(e->meta, "step_s");
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
	*redge = DBQ(ctx->db, cause,
	    "SELECT from_service_id, coalesce(to_service_id, 0), to_name, dep_kind"
	    " FROM midwatch.service_dependencies WHERE project_id = $1"
	    " ORDER BY from_service_id, to_name", ctx->project);
	if (*redge == NULL)
		return -1;
	h->nedges = db_res_rows(*redge);
	h->edges = xcalloc((size_t)h->nedges + 1, sizeof *h->edges);
	for (i = 0; i < h->nedges; i++) {
		h->edges[i].from = db_res_ll(*redge, i, 0);
		h->edges[i].to = db_res_ll(*redge, i, 1);
		h->edges[i].to_name = db_res_get(*redge, i, 2);
		h->edges[i].kind = db_res_get(*redge, i, 3);
	}
	h->prior = DBQ(ctx->db, cause,
	    "SELECT confirmed_hypothesis_type, root_cause_service_id, count(*)"
	    " FROM midwatch.past_case_outcomes WHERE project_id = $1"
	    " AND outcome = 'confirmed' AND incident_id IS DISTINCT FROM $2"
	    " AND confirmed_hypothesis_type IS NOT NULL"
	    " AND root_cause_service_id IS NOT NULL GROUP BY 1, 2",
	    ctx->project, id);
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
			    strcmp(jstr(row, "role"), "missing") == 0 &&
			    strcmp(jstr(row, "expected_kind"), t->expected_kind ?
			    t->expected_kind : "") == 0 :
			    strcmp(jstr(row, "role"), "missing") != 0 &&
			    jint(row, "evidence_id") == t->evidence_id) {
				found = 1;
				break;
			}
		}
		if (found && t->role != RANK_MISSING)
			continue;	/* the artifact's row covers all its terms */
		if (found) {
			char *n = xasprintf("%s; %s", jstr(row, "note"), t->why);

			json_object_set_new(row, "weight", json_real(
			    jnum(row, "weight") + fabs(t->points)));
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
	r = DBQ(ctx->db, cause,
	    "INSERT INTO midwatch.hypotheses (project_id, run_id, incident_id,"
	    " dedupe_key, rank, hypothesis_type, service_id, ref, title,"
	    " confidence, score_details)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)"
	    " ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET"
	    "  run_id = EXCLUDED.run_id, rank = EXCLUDED.rank,"
	    "  hypothesis_type = EXCLUDED.hypothesis_type,"
	    "  service_id = EXCLUDED.service_id, ref = EXCLUDED.ref,"
	    "  title = EXCLUDED.title, confidence = EXCLUDED.confidence,"
	    "  score_details = EXCLUDED.score_details"
	    " RETURNING id", ctx->project, ctx->run, inc, c->key, rk,
	    rank_type_name(c->f.type),
	    c->service_id > 0 ? pipeline_ll(svc, sizeof svc, c->service_id) : NULL,
	    c->ref[0] ? c->ref : NULL, c->title,
	    pipeline_num(conf, sizeof conf, round(c->s.confidence * 1000) / 1000),
	    sd);
	if (r == NULL)
		goto out;
	pipeline_ll(hid, sizeof hid, db_res_ll(r, 0, 0));
	db_res_free(r);
	if (DBX(ctx->db, cause, "DELETE FROM midwatch.hypothesis_evidence"
	    " WHERE project_id = $1 AND hypothesis_id = $2", ctx->project, hid) != 0)
		goto out;
	if (DBX(ctx->db, cause,
	    "INSERT INTO midwatch.hypothesis_evidence (project_id, run_id,"
	    " hypothesis_id, evidence_id, role, expected_kind, weight, note)"
	    " SELECT $1, $2, $3, x.evidence_id, x.role,"
	    "  nullif(x.expected_kind, ''), round(x.weight::numeric, 3), x.note"
	    " FROM jsonb_to_recordset($4::jsonb) AS x (role text,"
	    "  evidence_id bigint, expected_kind text, weight float8, note text)",
	    ctx->project, ctx->run, hid, rd) != 0)
		goto out;
	rc = 0;
out:
	free(sd);
	free(rd);
	json_decref(sj);
	json_decref(rows);
	return rc;
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
	r = DBQ(ctx->db, cause,
	    "SELECT h.dedupe_key, CASE WHEN h.id = i.root_cause_hypothesis_id"
	    "  THEN 'root_cause' ELSE h.status END"
	    " FROM midwatch.hypotheses h JOIN midwatch.incidents i"
	    "  ON i.project_id = h.project_id AND i.id = h.incident_id"
	    " WHERE h.project_id = $1 AND h.incident_id = $2"
	    " AND h.status_source = 'feedback'", ctx->project, inc);
	if (r == NULL)
		return -1;
	for (i = 0; i < h->nc; i++) {
		cand_key(&h->c[i]);
		for (k = 0; k < db_res_rows(r); k++)
			if (strcmp(db_res_get(r, k, 0), h->c[i].key) == 0)
				h->c[i].status_class =
				    strcmp(db_res_get(r, k, 1), "root_cause") == 0 ? -1 :
				    strcmp(db_res_get(r, k, 1), "confirmed") == 0 ? 0 :
				    strcmp(db_res_get(r, k, 1), "rejected") == 0 ? 2 : 1;
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
	if (DBX(ctx->db, cause,
	    "DELETE FROM midwatch.hypotheses WHERE project_id = $1"
	    " AND incident_id = $2 AND run_id IS DISTINCT FROM $3"
	    " AND status_source = 'pipeline'", ctx->project, inc, ctx->run) != 0)
		return -1;
	if (DBX(ctx->db, cause,
	    "WITH old AS (SELECT id, row_number() OVER (ORDER BY rank, id) AS k"
	    "  FROM midwatch.hypotheses WHERE project_id = $1 AND incident_id = $2"
	    "  AND run_id IS DISTINCT FROM $3)"
	    " UPDATE midwatch.hypotheses h SET rank = $4::int + old.k"
	    " FROM old WHERE h.id = old.id", ctx->project, inc, ctx->run,
	    pipeline_ll(nbuf, sizeof nbuf, n)) != 0)
		return -1;
	return DBX(ctx->db, cause,
	    "UPDATE midwatch.incidents i SET classification = h.hypothesis_type,"
	    " confidence = h.confidence FROM midwatch.hypotheses h"
	    " WHERE i.project_id = $1 AND i.id = $2 AND h.project_id = $1"
	    " AND h.incident_id = i.id AND h.rank = 1", ctx->project, inc);
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
			add_change(&h, &h.ev[i], RANK_RELEASE);
		else if (strcmp(h.ev[i].kind, "config_change") == 0)
			add_change(&h, &h.ev[i], RANK_CONFIG);
	}
	add_no_release(&h);
	add_traffic(&h);
	add_topology(&h);
	add_external(&h);
	add_infra(&h);
	add_unknown(&h);
	for (i = 0; i < h.nc; i++) {
		prior_facts(&h, &h.c[i]);
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

	r = DBQ(ctx->db, cause,
	    "SELECT i.id, i.service_id, extract(epoch FROM i.window_start)"
	    PIPELINE_SQL_APPROVED_OF_RUN, ctx->project, ctx->run,
	    ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	for (i = 0; i < n && rc == 0; i++) {
		const char *id = db_res_get(r, i, 0);
		long long w = 0;
		char *ucause = NULL;

		rc = pipeline_unit_begin(ctx, "hypothesize", "incident", id,
		    &ucause);
		if (rc == 0)
			rc = hypothesize(ctx, id, db_res_ll(r, i, 1),
			    db_res_f(r, i, 2), &w, &ucause);
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
