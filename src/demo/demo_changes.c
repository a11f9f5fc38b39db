/*
 * demo_changes.c - the demo's deploys, config changes and commits: the ones
 * that belong to faults (the bad deploy and its rollback, the timeout config
 * change and its revert, the harmless deploy before the traffic surge) and
 * 12-18 harmless background deploys and 8-12 config changes placed where
 * demo_faults_forbids() allows; then ids, revision chains and commits.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_int.h"

static const char *const actors[] = {
	"ana.lopez@shop.example", "jonas.meyer@shop.example",
	"kemi.okafor@shop.example", "sora.tanaka@shop.example",
	"marco.rossi@shop.example", "priya.nair@shop.example"
};
#define N_ACTORS ((int)(sizeof actors / sizeof actors[0]))

/* Harmless commit shapes; the first N_DOCS are docs, the only kind a
 * docs-only deploy carries. */
static const struct harmless {
	const char *pre;	/* message: pre + service name + post */
	const char *post;
	const char *path;
	const char *change_type;
} harmless[] = {
	{ "docs: clarify the ", " runbook for on-call", "docs/runbook.md", "docs" },
	{ "docs: refresh ", " README badges", "README.md", "docs" },
	{ "docs: describe ", " API pagination", "docs/api/pagination.md", "docs" },
	{ "test: cover empty input in ", " handlers", "tests/handlers_test.go", "test" },
	{ "test: deflake the ", " integration suite", "tests/integration/suite_test.go", "test" },
	{ "ui: adjust ", " banner spacing", "ui/components/Banner.tsx", "other" },
	{ "ui: fix ", " button contrast", "ui/styles/buttons.css", "other" },
};
#define N_HARMLESS ((int)(sizeof harmless / sizeof harmless[0]))
#define N_DOCS 3

/* The bad deploy's risky commit, per variant (see msg_bad in demo_faults.c). */
static const struct risky {
	const char *pre;	/* message: pre + service name + post */
	const char *post;
	const char *path;
	const char *change_type;
} risky[] = {
	{ "feat(", "): retry upstream calls with a shorter backoff",
	  "src/client/http_retry.go", "timeout_retry" },
	{ "perf(", "): add index on events(created_at)",
	  "db/migrations/0042_add_index.sql", "db_migration" },
};

/* Appends a change; returns it (zeroed apart from the given fields). */
static struct demo_change *
add_change(struct demo_scenario *sc, int kind, int svc, int at, int fault)
{
	struct demo_change *c;

	if (sc->nchanges == DEMO_MAX_CHANGES)
		return NULL;
	c = &sc->changes[sc->nchanges];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->svc = svc;
	c->at = at;
	c->fault = fault;
	c->seq = sc->nchanges++;
	c->minutes = 2;
	c->first_commit = -1;
	return c;
}

/* Fills a config change's diff and labels; variant -1 is the timeout. */
static void
set_config(struct demo_scenario *sc, struct demo_change *c, int variant,
    int revert)
{
	const char *name = demo_topo_service(c->svc)->name;
	const char *o = revert ? "200" : "2000", *n = revert ? "2000" : "200";
	int replicas, down;

	c->actor = actors[demo_rng_int(&sc->rng, 0, N_ACTORS - 1)];
	c->source = "kubectl";
	switch (variant) {
	case -1:
		c->change_kind = "configmap";
		c->field = "upstream.timeout_ms";
		snprintf(c->resource, sizeof c->resource, "%s-config", name);
		snprintf(c->old_value, sizeof c->old_value, "%s", o);
		snprintf(c->new_value, sizeof c->new_value, "%s", n);
		break;
	case 0:
		replicas = demo_rng_int(&sc->rng, 2, 5);
		c->change_kind = "scale";
		c->field = "spec.replicas";
		c->source = "argocd";
		snprintf(c->resource, sizeof c->resource, "%s", name);
		snprintf(c->old_value, sizeof c->old_value, "%d", replicas);
		snprintf(c->new_value, sizeof c->new_value, "%d", replicas + 1);
		break;
	case 1:
		c->change_kind = "configmap";
		c->field = "log.level";
		snprintf(c->resource, sizeof c->resource, "%s-config", name);
		down = demo_rng_int(&sc->rng, 0, 1);
		snprintf(c->old_value, sizeof c->old_value, "%s",
		    down ? "debug" : "info");
		snprintf(c->new_value, sizeof c->new_value, "%s",
		    down ? "info" : "debug");
		break;
	default:
		replicas = demo_rng_int(&sc->rng, 6, 12);
		c->change_kind = "hpa";
		c->field = "spec.maxReplicas";
		c->source = "argocd";
		snprintf(c->resource, sizeof c->resource, "%s-hpa", name);
		snprintf(c->old_value, sizeof c->old_value, "%d", replicas);
		snprintf(c->new_value, sizeof c->new_value, "%d", replicas + 2);
		break;
	}
}

/* Adds the deploys and config changes that belong to the faults; they come
 * first, so add_change() has room for all five. */
static void
add_fault_changes(struct demo_scenario *sc)
{
	struct demo_fault *f;
	struct demo_change *c;

	/* The bad deploy takes 2 minutes and so is finished before onset. */
	f = &sc->faults[FAULT_BAD_DEPLOY];
	add_change(sc, CHG_DEPLOY, f->svc, f->onset - f->lead, f->kind);
	c = add_change(sc, CHG_DEPLOY, f->svc, f->end - 3, f->kind);
	c->undo = 1;

	f = &sc->faults[FAULT_CONFIG];
	c = add_change(sc, CHG_CONFIG, f->svc, f->onset - f->lead, f->kind);
	set_config(sc, c, -1, 0);
	c = add_change(sc, CHG_CONFIG, f->svc, f->end - 1, f->kind);
	c->undo = 1;
	set_config(sc, c, -1, 1);

	f = &sc->faults[FAULT_TRAFFIC];
	c = add_change(sc, CHG_DEPLOY, f->svc, f->onset - f->lead, f->kind);
	c->docs_only = 1;
	c->minutes = demo_rng_int(&sc->rng, 2, 5);
}

/* Returns whether svc already has a change within 20 minutes of minute. */
static int
crowded(const struct demo_scenario *sc, int svc, int minute)
{
	int i;

	for (i = 0; i < sc->nchanges; i++)
		if (sc->changes[i].svc == svc &&
		    abs(sc->changes[i].at - minute) < 20)
			return 1;
	return 0;
}

/* Returns whether minute falls within half an hour of any fault window. */
static int
near_fault(const struct demo_scenario *sc, int minute)
{
	int k;

	for (k = 0; k < FAULT_COUNT; k++)
		if (minute >= sc->faults[k].onset - 30 &&
		    minute < sc->faults[k].end + 30)
			return 1;
	return 0;
}

/* Adds harmless deploys and config changes where no fault can be blamed. */
static void
add_background(struct demo_scenario *sc)
{
	struct demo_rng *r = &sc->rng;
	struct demo_change *c;
	int ndeploy, nconfig, i, tries, svc, minute, kind;

	ndeploy = demo_rng_int(r, 12, 18);
	nconfig = demo_rng_int(r, 8, 12);
	for (i = 0; i < ndeploy + nconfig; i++) {
		kind = i < ndeploy ? CHG_DEPLOY : CHG_CONFIG;
		for (tries = 0; tries < 200; tries++) {
			svc = demo_rng_int(r, 0, SVC_NOTIFICATIONS);
			if (demo_rng_unit(r) < 0.75)
				minute = demo_rng_int(r, 8 * 60, 19 * 60);
			else
				minute = demo_rng_int(r, 30, DEMO_MINUTES - 30);
			if (!demo_faults_forbids(sc, svc, minute, -1) &&
			    !near_fault(sc, minute) && !crowded(sc, svc, minute))
				break;
		}
		if (tries == 200)
			continue;
		c = add_change(sc, kind, svc, minute, -1);
		if (c == NULL)
			return;
		if (kind == CHG_DEPLOY)
			c->minutes = demo_rng_int(r, 2, 6);
		else
			set_config(sc, c, demo_rng_int(r, 0, 2), 0);
	}
}

/* Orders changes by time, then service, kind and creation order. */
static int
cmp_change(const void *a, const void *b)
{
	const struct demo_change *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->svc != y->svc)
		return x->svc < y->svc ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Adds one commit for deploy c, authored at sec; returns it or NULL. */
static struct demo_commit *
add_commit(struct demo_scenario *sc, const struct demo_change *c, long sec,
    int risky_variant)
{
	struct demo_rng *r = &sc->rng;
	const char *name = demo_topo_service(c->svc)->name;
	struct demo_commit *k;
	const struct harmless *h;
	const struct risky *rk;

	if (sc->ncommits == DEMO_MAX_COMMITS)
		return NULL;
	k = &sc->commits[sc->ncommits++];
	memset(k, 0, sizeof *k);
	demo_rng_hex(r, k->sha, 40);
	k->authored = sec;
	k->author = actors[demo_rng_int(r, 0, N_ACTORS - 1)];
	if (risky_variant >= 0) {
		rk = &risky[risky_variant];
		snprintf(k->message, sizeof k->message, "%s%s%s", rk->pre, name,
		    rk->post);
		k->files[0].path = rk->path;
		k->files[0].change_type = rk->change_type;
		k->files[0].added = demo_rng_int(r, 25, 80);
		k->files[0].removed = demo_rng_int(r, 8, 40);
		k->files[1].path = "tests/handlers_test.go";
		k->files[1].change_type = "test";
		k->files[1].added = demo_rng_int(r, 10, 40);
		k->files[1].removed = demo_rng_int(r, 0, 10);
		k->nfiles = 2;
		return k;
	}
	h = &harmless[demo_rng_int(r, 0, (c->docs_only ? N_DOCS : N_HARMLESS) - 1)];
	snprintf(k->message, sizeof k->message, "%s%s%s", h->pre, name, h->post);
	k->files[0].path = h->path;
	k->files[0].change_type = h->change_type;
	k->files[0].added = demo_rng_int(r, 2, 60);
	k->files[0].removed = demo_rng_int(r, 0, 20);
	k->nfiles = 1;
	return k;
}

/* Sorts the changes and gives them ids, revision chains and commits. */
static void
finish_changes(struct demo_scenario *sc)
{
	struct demo_rng *r = &sc->rng;
	char cur[SVC_COUNT][16], prev[SVC_COUNT][16];
	int deploy_no[SVC_COUNT], cfg_no[SVC_COUNT];
	struct demo_change *c;
	struct demo_commit *k;
	const char *name;
	long sec;
	int i, j, n, bad;

	for (i = 0; i < SVC_COUNT; i++) {
		demo_rng_hex(r, cur[i], 12);
		prev[i][0] = '\0';
		deploy_no[i] = demo_rng_int(r, 100, 899);
		cfg_no[i] = demo_rng_int(r, 1000, 8999);
	}
	qsort(sc->changes, (size_t)sc->nchanges, sizeof sc->changes[0],
	    cmp_change);

	for (i = 0; i < sc->nchanges; i++) {
		c = &sc->changes[i];
		name = demo_topo_service(c->svc)->name;
		if (c->fault >= 0 && !c->undo)
			sc->faults[c->fault].change = i;
		if (c->kind == CHG_CONFIG) {
			snprintf(c->id, sizeof c->id, "cfg-%s-%04d", name,
			    cfg_no[c->svc]++);
			continue;
		}
		snprintf(c->id, sizeof c->id, "deploy-%s-%04d", name,
		    deploy_no[c->svc]++);
		snprintf(c->prev_revision, sizeof c->prev_revision, "%s",
		    cur[c->svc]);
		if (c->undo) {
			/* A rollback returns to the revision before the bad one. */
			snprintf(c->revision, sizeof c->revision, "%s",
			    prev[c->svc]);
		} else {
			bad = c->fault == FAULT_BAD_DEPLOY;
			n = c->docs_only ? 1 : demo_rng_int(r, 1, bad ? 2 : 3);
			sec = (long)c->at * 60 - 60L * demo_rng_int(r, 20, 180);
			c->first_commit = sc->ncommits;
			k = NULL;
			for (j = 0; j < n + bad; j++) {
				k = add_commit(sc, c, sec - 60L * 37 * (n + bad - 1 - j),
				    bad && j == n ? sc->faults[FAULT_BAD_DEPLOY].variant : -1);
				if (k == NULL)
					break;
			}
			c->ncommits = sc->ncommits - c->first_commit;
			if (k != NULL)
				snprintf(c->revision, sizeof c->revision, "%.12s",
				    k->sha);
			else
				demo_rng_hex(r, c->revision, 12);
		}
		snprintf(prev[c->svc], sizeof prev[c->svc], "%s", cur[c->svc]);
		snprintf(cur[c->svc], sizeof cur[c->svc], "%s", c->revision);
	}
}

/* Adds all deploys, config changes and commits of the day, sorted by time;
 * needs the faults placed. */
void
demo_changes_plan(struct demo_scenario *sc)
{
	add_fault_changes(sc);
	add_background(sc);
	finish_changes(sc);
}
