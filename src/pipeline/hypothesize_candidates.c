/*
 * hypothesize_candidates.c - the candidate causes the hypothesize stage
 * (stage_hypothesize.c) proposes for an incident, one function a kind:
 * releases and config changes (add_change, and "no deploy"), traffic
 * shifts, databases and dependencies the affected services call, external
 * dependencies, saturated or crash-looping infrastructure, and "unknown";
 * each with the facts rank.c scores (hypothesize_facts.c).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/policy.h"
#include "midwatch/rank.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "hypothesize_int.h"
#include "pipeline_int.h"

/* What a change changed: for a release its risky files (and the commit
 * file that shows them), for a config change the field; and its title. */
static void
change_what(struct hinc *h, struct hcand *c, const struct hev *e, int type)
{
	struct rank_facts *f = &c->f;
	json_t *risky, *x;
	size_t k;
	int i;

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
				    strcmp(hyp_jstr(h->ev[i].meta, "deploy"), e->ref) == 0) {
					f->ev_risky = h->ev[i].id;
					break;
				}
		}
		utf8_snprintf(c->title, sizeof c->title, "release %s of %s%s", e->ref,
		    f->subject, f->risky ? " (risky changes)" :
		    f->harmless ? " (docs/tests only)" : "");
	} else {
		f->risky = hyp_jbool(e->meta, "risky");
		if (f->risky) {
			json_t *diff = json_object_get(e->meta, "diff");

			utf8_snprintf(f->risky_what, sizeof f->risky_what, "%s changed",
			    hyp_jstr(json_array_get(diff, 0), "field"));
		}
		utf8_snprintf(c->title, sizeof c->title, "config change %s on %s (%s)",
		    e->ref, f->subject, hyp_jstr(e->meta, "resource"));
	}
}

/* A fingerprint first seen after change e, on the same service (one whose
 * text names a dependency supports that dependency, not this change). */
static void
change_new_fp(struct hinc *h, const struct hev *e, struct rank_facts *f)
{
	struct hev *surge;
	json_t *after, *x;
	size_t j;
	int i;

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
			if (strcmp(hyp_jstr(x, "ref"), e->ref) != 0)
				continue;
			f->new_fp_after = 1;
			f->fp_minutes = hyp_jnum(x, "minutes");
			f->ev_fp = fp->id;
			surge = hyp_surge_on(h, e->svc);
			f->fp_explained_by_surge = surge != NULL &&
			    fabs(surge->at - fp->at) <= 300;
			break;
		}
	}
}

/* A release or config candidate from a change artifact. */
void
hyp_add_change(struct hinc *h, struct hev *e, int type)
{
	struct hcand *c = hyp_cand_new(h, type);
	struct rank_facts *f = &c->f;
	struct hsvc *s = hyp_svc_get(h, e->svc);
	struct hev *surge;
	double earliest;
	int i, first = 1;

	f->has_change = 1;
	c->service_id = e->svc;
	utf8_snprintf(c->ref, sizeof c->ref, "%s", e->ref);
	utf8_snprintf(f->change_ref, sizeof f->change_ref, "%s", e->ref);
	utf8_snprintf(f->subject, sizeof f->subject, "%s",
	    s != NULL ? s->name : "the cluster");
	f->lead_min = hyp_jnum(e->meta, "lead_minutes");
	f->ev_change = e->id;
	/* Affected means a steady anomaly: flapping or weak signals on the
	 * service do not make its change a suspect. */
	f->change_on_anomalous = hyp_jbool(e->meta, "affected") && s != NULL &&
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
	    !hyp_blames_affected(h, s);
	if (!first && isfinite(earliest))
		f->change_later_min = (s->onset - s->onset_step + 60 -
		    earliest) / 60;
	f->harmless = hyp_change_trivial(e);
	f->rollback = hyp_jbool(e->meta, "is_rollback");
	change_what(h, c, e, type);
	change_new_fp(h, e, f);
	if ((surge = hyp_surge_on(h, e->svc)) != NULL) {
		f->surge_explains = 1;
		f->ev_surge = surge->id;
	}
	if (s != NULL) {
		/* Tied with a dependency below it, "first" says nothing. */
		hyp_below_first(h, s->id, f);
		f->share_dependents = hyp_dependents_share(h, s);
		f->unexplained = hyp_unexplained_share(h, s);
		/* Nor when most of what failed with it does not call it. */
		if (f->below_first ||
		    f->unexplained >= POLICY(RANK_UNEXPLAINED_MIN))
			f->change_on_first = 0;
	}
	f->ev_blames = hyp_fp_naming(h, e->svc, NULL);
	f->blames_other = f->ev_blames != 0;
}

/* The "no deploy" release candidate for the incident's service. */
void
hyp_add_no_release(struct hinc *h)
{
	struct hcand *c;
	int i;

	for (i = 0; i < h->nev; i++)
		if (strcmp(h->ev[i].kind, "deployment") == 0 &&
		    hyp_jbool(h->ev[i].meta, "affected"))
			return;
	c = hyp_cand_new(h, RANK_RELEASE);
	c->service_id = h->svc;
	utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s",
	    hyp_svc_name(h, h->svc));
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

			if (o == e || o->svc != other || !hyp_jbool(o->meta, "anchor"))
				continue;
			if (surge ? !(shift && hyp_jnum(o->meta, "ratio") >= 1) :
			    !((shift || strcmp(o->kind, "metric_anomaly") == 0 ||
			    strcmp(o->kind, "dependency_anomaly") == 0) &&
			    o->at <= e->at + 60))
				continue;
			os = hyp_svc_get(h, other);
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
	    hyp_jbool(o->meta, "anchor") && hyp_jnum(o->meta, "ratio") >= 1 &&
	    o->svc != e->svc && hyp_reaches(h, e->svc, o->svc);
}

/* A traffic candidate per service with a traffic shift. */
void
hyp_add_traffic(struct hinc *h)
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
		    !hyp_jbool(e->meta, "anchor"))
			continue;
		for (dup = 0, k = 0; k < h->nc && !dup; k++)
			dup = h->c[k].f.type == RANK_TRAFFIC &&
			    h->c[k].service_id == e->svc;
		if (dup)
			continue;
		c = hyp_cand_new(h, RANK_TRAFFIC);
		c->service_id = e->svc;
		s = hyp_svc_get(h, e->svc);
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s",
		    s ? s->name : "?");
		c->f.ev_anomaly = e->id;
		c->f.rate_ratio = hyp_jnum(e->meta, "ratio");
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
			struct hsvc *fs = hyp_svc_get(h, fed->svc);

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
			    !hyp_jbool(o->meta, "anchor") ||
			    json_object_get(o->meta, "metric") == NULL ||
			    strcmp(hyp_jstr(o->meta, "signal_type"),
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
		hyp_change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title, "traffic %s on %s (%.1fx)",
		    c->f.rate_ratio >= 1 ? "surge" : "drop", c->f.subject,
		    c->f.rate_ratio);
	}
}

/* Whether edge e leads to an external dependency (no metrics of its own). */
static int
edge_external(struct hinc *h, const struct hedge *e)
{
	struct hsvc *t = e->to ? hyp_svc_get(h, e->to) : NULL;

	return strcmp(e->kind, "external") == 0 || (t != NULL &&
	    t->tier != NULL && strcmp(t->tier, "external") == 0);
}

/* Whether edge e leads where nothing can be seen: an external dependency,
 * or a database silent near onset. */
static int
edge_unseen(struct hinc *h, const struct hedge *e)
{
	struct hsvc *t = e->to ? hyp_svc_get(h, e->to) : NULL;

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
		} else if ((o = hyp_svc_get(h, h->edges[j].to)) != NULL &&
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
void
hyp_add_topology(struct hinc *h)
{
	struct hcand *c;
	double share;
	int i;

	for (i = 0; i < h->nsvcs; i++) {
		struct hsvc *s = &h->svcs[i];

		/* a silent database stands on what its callers say of it */
		if (!s->affected && !(s->silent && hyp_named_by_others(h, s) != 0))
			continue;
		share = hyp_dependents_share(h, s);
		if (!s->is_db && share <= 0)
			continue;
		c = hyp_cand_new(h, s->is_db ? RANK_DB : RANK_DEPENDENCY);
		c->service_id = s->id;
		utf8_snprintf(c->ref, sizeof c->ref, "%s", s->name);
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", s->name);
		c->f.onset_order = hyp_onset_order(h, s->id, &c->f.onset_lead_min);
		c->f.silent = !s->affected;
		c->f.ev_anomaly = s->ev_anomaly;
		c->f.share_dependents = share;
		hyp_below_first(h, s->id, &c->f);
		if (!s->is_db && !c->f.below_first)
			external_below(h, s, &c->f);
		c->f.ev_mention = hyp_named_by_others(h, s);
		c->f.mentioned = c->f.ev_mention != 0;
		/* a service's own saturation is the infra candidate's (a
		 * database's stays the database's) */
		if (s->ev_sat && s->is_db) {
			c->f.saturated = 1;
			c->f.ev_saturation = s->ev_sat;
		}
		c->f.ev_blames = hyp_fp_naming(h, s->id, NULL);
		c->f.blames_other = c->f.ev_blames != 0;
		hyp_change_context(h, &c->f, NULL);
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
			    hyp_reaches(h, h->svcs[i].id, h->edges[j].from));
		hit += calls;
	}
	return n > 0 ? (double)hit / n : 0;
}

/* External dependency candidates: dependencies of affected services that are
 * external (dep_kind external or tier external), called by a service that
 * shows what a failing dependency does to its callers (errors or latency;
 * a caller that is only saturated or crash-looping speaks for itself). */
void
hyp_add_external(struct hinc *h)
{
	struct hcand *c;
	struct hsvc *caller;
	double lead;
	int i, j, k, dup, order, healthy;
	long long mention;
	int merit;

	for (i = 0; i < h->nedges; i++) {
		struct hedge *e = &h->edges[i];

		caller = hyp_svc_get(h, e->from);
		if (caller == NULL || !caller->affected ||
		    !caller->call_symptom || !edge_external(h, e))
			continue;
		order = hyp_onset_order(h, caller->id, &lead);
		healthy = 1;
		for (j = 0; j < h->nedges; j++) {
			struct hsvc *o;

			if (h->edges[j].from != caller->id || j == i ||
			    h->edges[j].to == 0)
				continue;
			o = hyp_svc_get(h, h->edges[j].to);
			if (o != NULL && o->affected)
				healthy = 0;
		}
		mention = hyp_fp_naming(h, caller->id, e->to_name);
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
			c = hyp_cand_new(h, RANK_DEPENDENCY);
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
		hyp_change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title,
		    "external dependency %s failing (called by %s)", e->to_name,
		    caller->name);
	}
}

/* Infra candidates: affected services saturated or crash-looping. */
void
hyp_add_infra(struct hinc *h)
{
	struct hcand *c;
	struct hev *surge;
	int i;

	for (i = 0; i < h->nsvcs; i++) {
		struct hsvc *s = &h->svcs[i];

		/* A database's saturation is the database candidate's. */
		if (!s->affected || (!s->ev_sat && !s->ev_crash) || s->is_db)
			continue;
		c = hyp_cand_new(h, RANK_INFRA);
		c->service_id = s->id;
		utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s", s->name);
		c->f.saturated = s->ev_sat != 0;
		c->f.ev_saturation = s->ev_sat;
		c->f.crashloop = s->ev_crash != 0;
		c->f.ev_crashloop = s->ev_crash;
		c->f.onset_order = hyp_onset_order(h, s->id, &c->f.onset_lead_min);
		c->f.ev_anomaly = s->ev_anomaly;
		if ((surge = hyp_surge_on(h, s->id)) != NULL) {
			c->f.surge_explains = 1;
			c->f.ev_surge = surge->id;
		}
		hyp_below_first(h, s->id, &c->f);
		c->f.share_dependents = hyp_dependents_share(h, s);
		c->f.ev_mention = hyp_named_by_others(h, s);
		c->f.mentioned = c->f.ev_mention != 0;
		hyp_change_context(h, &c->f, NULL);
		utf8_snprintf(c->title, sizeof c->title, "%s %s", s->name,
		    s->ev_crash ? "is crash-looping" : "is saturated");
	}
}

/* The fallback. */
void
hyp_add_unknown(struct hinc *h)
{
	struct hcand *c = hyp_cand_new(h, RANK_UNKNOWN);

	c->service_id = h->svc;
	utf8_snprintf(c->f.subject, sizeof c->f.subject, "%s",
	    hyp_svc_name(h, h->svc));
	utf8_snprintf(c->title, sizeof c->title, "unknown cause");
}
