/*
 * test_rank.c - unit tests for the hypothesis score (rank.c): a risky deploy
 * minutes before onset wins, a docs-only deploy loses to the traffic surge
 * that explains the symptoms, the earliest deepest anomaly (the database)
 * beats its callers, an external dependency named in the caller's errors
 * beats the caller, priors from confirmed past incidents count, missing
 * evidence is reported, and every term explains itself -- quoting names of
 * the longest length ingest accepts whole.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/rank.h"

/* A candidate of type with subject and ref. */
static struct rank_facts
facts(int type, const char *subject, const char *ref)
{
	struct rank_facts f;

	memset(&f, 0, sizeof f);
	f.type = type;
	snprintf(f.subject, sizeof f.subject, "%s", subject);
	snprintf(f.change_ref, sizeof f.change_ref, "%s", ref);
	return f;
}

/* The term whose reason contains needle, or NULL. */
static const struct rank_term *
find_term(const struct rank_score *s, const char *needle)
{
	size_t i;

	for (i = 0; i < s->nterms; i++)
		if (strstr(s->terms[i].why, needle) != NULL)
			return &s->terms[i];
	return NULL;
}

/* The sum of the terms equals the score. */
static void
assert_sums(const struct rank_score *s)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->nterms; i++)
		sum += s->terms[i].points;
	assert_true(fabs(sum - s->score) < 1e-9);
	assert_true(s->confidence >= 0.01 && s->confidence <= 0.99);
}

static void
test_release_bad_deploy(void **state)
{
	struct rank_facts f = facts(RANK_RELEASE, "checkout", "deploy-checkout-0412");
	struct rank_facts u = facts(RANK_UNKNOWN, "checkout", "");
	struct rank_score s, su;
	const struct rank_term *t;

	(void)state;
	f.has_change = 1;
	f.lead_min = 4;
	f.ev_change = 11;
	f.change_on_anomalous = 1;
	f.change_on_first = 1;
	f.risky = 1;
	f.ev_risky = 12;
	snprintf(f.risky_what, sizeof f.risky_what, "files of type timeout_retry");
	f.new_fp_after = 1;
	f.fp_minutes = 5;
	f.ev_fp = 13;
	rank_score(&f, &s);
	rank_score(&u, &su);
	assert_sums(&s);
	assert_true(s.score > 0.9);
	assert_true(s.confidence == 0.99);
	assert_true(rank_compare(&f, &s, &u, &su) < 0);
	t = find_term(&s, "4 min before onset");
	assert_non_null(t);
	assert_true(t->points == 0.45);
	assert_int_equal(t->role, RANK_SUPPORTS);
	assert_int_equal(t->evidence_id, 11);
	t = find_term(&s, "timeout_retry");
	assert_non_null(t);
	assert_int_equal(t->evidence_id, 12);
	t = find_term(&s, "new error fingerprint");
	assert_non_null(t);
	assert_int_equal(t->evidence_id, 13);

	/* A change 1 min after onset (known to within a step) still counts,
	 * and says so. */
	f.lead_min = -1;
	rank_score(&f, &s);
	t = find_term(&s, "1 min after onset");
	assert_non_null(t);
	assert_true(t->points == 0.45);
	f.lead_min = 4;
	/* Most of what failed with it does not call it: the change cannot
	 * explain them, in proportion; a few unrelated neighbours do not
	 * count. */
	rank_score(&f, &su);
	f.unexplained = 0.8;
	rank_score(&f, &s);
	assert_sums(&s);
	t = find_term(&s, "80% of the services that failed with checkout do "
	    "not call it");
	assert_non_null(t);
	assert_int_equal(t->role, RANK_CONTRADICTS);
	assert_true(fabs(s.score - su.score - 0.8 * -0.30) < 1e-9);
	f.unexplained = 0.3;
	rank_score(&f, &s);
	assert_null(find_term(&s, "do not call it"));
	f.unexplained = 0;

	/* The same deploy three hours earlier on an unaffected service. */
	f.lead_min = 170;
	f.change_on_anomalous = 0;
	f.change_on_first = 0;
	f.risky = 0;
	f.new_fp_after = 0;
	rank_score(&f, &s);
	assert_true(s.score < 0.1);
	t = find_term(&s, "shows no anomaly");
	assert_non_null(t);
	assert_int_equal(t->role, RANK_CONTRADICTS);
	t = find_term(&s, "no new error fingerprint");
	assert_non_null(t);
	assert_int_equal(t->role, RANK_MISSING);
	assert_string_equal(t->expected_kind, "error_fingerprint");
	assert_int_equal(t->evidence_id, 0);
	/* Who depends on a service that shows nothing says nothing. */
	f.share_dependents = 1;
	rank_score(&f, &s);
	assert_null(find_term(&s, "depend on checkout"));
	f.change_on_anomalous = 1;
	rank_score(&f, &s);
	assert_non_null(find_term(&s, "depend on checkout"));
}

/* A deploy on a caller whose dependency failed first, or on a service whose
 * anomaly came later, loses to the saturated dependency below it; a
 * docs-only change on the root does not beat it either. */
static void
test_trouble_from_below(void **state)
{
	struct rank_facts rel = facts(RANK_RELEASE, "route-api", "480032");
	struct rank_facts inf = facts(RANK_INFRA, "lookup", "");
	struct rank_facts doc = facts(RANK_CONFIG, "lookup", "CHG-1");
	struct rank_score sr, si, sd;
	const struct rank_term *t;

	(void)state;
	rel.has_change = 1;
	rel.lead_min = 12;
	rel.ev_change = 1;
	rel.change_on_anomalous = 1;
	rel.change_on_first = 0;	/* the stage withholds it when below */
	rel.below_first = 1;
	rel.ev_below = 7;
	snprintf(rel.below, sizeof rel.below, "lookup");
	inf.saturated = 1;
	inf.ev_saturation = 7;
	inf.onset_order = 1;
	inf.share_dependents = 0.5;
	inf.ev_anomaly = 7;
	doc.has_change = 1;
	doc.lead_min = 5;
	doc.ev_change = 3;
	doc.change_on_anomalous = 1;
	doc.change_on_first = 1;
	doc.harmless = 1;
	rank_score(&rel, &sr);
	rank_score(&inf, &si);
	rank_score(&doc, &sd);
	assert_sums(&sr);
	assert_sums(&si);
	t = find_term(&sr, "comes from below");
	assert_non_null(t);
	assert_int_equal(t->role, RANK_CONTRADICTS);
	assert_int_equal(t->evidence_id, 7);
	assert_true(t->points < 0);
	assert_true(rank_compare(&inf, &si, &rel, &sr) < 0);
	assert_true(rank_compare(&inf, &si, &doc, &sd) < 0);
	t = find_term(&si, "started with the others");
	assert_non_null(t);
	t = find_term(&si, "depend on lookup");
	assert_non_null(t);
	/* Callers' errors naming the saturated service support it too. */
	sd.score = si.score;
	inf.mentioned = 1;
	inf.ev_mention = 8;
	rank_score(&inf, &si);
	assert_true(si.score > sd.score);
	t = find_term(&si, "callers' errors name lookup");
	assert_non_null(t);
	assert_int_equal(t->evidence_id, 8);

	/* A new fingerprint after the deploy, while the trouble comes from
	 * below, speaks for the deploy no more than for the dependency. */
	rel.new_fp_after = 1;
	rel.fp_minutes = 12;
	rel.ev_fp = 4;
	rank_score(&rel, &sr);
	assert_sums(&sr);
	t = find_term(&sr, "dependencies explain it as well");
	assert_non_null(t);
	assert_true(t->points == 0);
	assert_null(find_term(&sr, "new error fingerprint 12 min"));
	rel.below_first = 0;
	rank_score(&rel, &sr);
	t = find_term(&sr, "new error fingerprint 12 min");
	assert_non_null(t);
	assert_true(t->points > 0);
	rel.below_first = 1;
	rel.new_fp_after = 0;

	/* A change whose service's anomaly came later than the first one. */
	rel.below_first = 0;
	rel.change_on_first = 0;
	rel.change_later_min = 6;
	rank_score(&rel, &sr);
	t = find_term(&sr, "6 min after the first one");
	assert_non_null(t);
	assert_int_equal(t->role, RANK_CONTRADICTS);
	/* Its own errors naming a dependency speak against it too. */
	rel.blames_other = 1;
	rel.ev_blames = 9;
	rank_score(&rel, &si);
	assert_true(si.score < sr.score);
	t = find_term(&si, "blame one of its dependencies");
	assert_non_null(t);
	assert_int_equal(t->evidence_id, 9);
}

static void
test_surge_beats_docs_deploy(void **state)
{
	struct rank_facts rel = facts(RANK_RELEASE, "frontend", "deploy-frontend-0359");
	struct rank_facts tr = facts(RANK_TRAFFIC, "frontend", "");
	struct rank_score sr, st;

	(void)state;
	rel.has_change = 1;
	rel.lead_min = 12;
	rel.ev_change = 1;
	rel.change_on_anomalous = 1;
	rel.change_on_first = 1;
	rel.harmless = 1;
	rel.new_fp_after = 1;
	rel.fp_explained_by_surge = 1;
	rel.surge_explains = 1;
	rel.ev_surge = 2;
	tr.onset_order = 1;
	tr.rate_ratio = 2.8;
	tr.ev_anomaly = 2;
	tr.saturated = 1;
	tr.ev_saturation = 3;
	rank_score(&rel, &sr);
	rank_score(&tr, &st);
	assert_sums(&sr);
	assert_sums(&st);
	assert_true(st.score > sr.score + 0.3);
	assert_true(rank_compare(&tr, &st, &rel, &sr) < 0);
	assert_non_null(find_term(&sr, "only changed docs/tests"));
	assert_non_null(find_term(&sr, "traffic surge on frontend explains"));
	assert_int_equal(find_term(&sr, "explains")->evidence_id, 2);
	assert_non_null(find_term(&st, "2.8x baseline"));
}

/* A surge at the edge outranks the same surge seen further down, and a drop
 * that a neighbour's anomaly precedes is a symptom. */
static void
test_surge_entry_and_drop(void **state)
{
	struct rank_facts edge = facts(RANK_TRAFFIC, "gateway", "");
	struct rank_facts down = facts(RANK_TRAFFIC, "search", "");
	struct rank_facts drop = facts(RANK_TRAFFIC, "billing", "");
	struct rank_facts drop2 = facts(RANK_TRAFFIC, "billing", "");
	struct rank_score se, sd, sp, sp2;

	(void)state;
	edge.onset_order = down.onset_order = 1;
	edge.rate_ratio = 2.1;
	down.rate_ratio = 2.6;
	edge.ev_anomaly = 1;
	down.ev_anomaly = 2;
	down.saturated = 1;
	down.ev_saturation = 3;
	edge.entry = 1;
	down.entry = -1;
	snprintf(down.upstream, sizeof down.upstream, "gateway");
	down.ev_upstream = 1;
	rank_score(&edge, &se);
	rank_score(&down, &sd);
	assert_sums(&se);
	assert_sums(&sd);
	assert_true(rank_compare(&edge, &se, &down, &sd) < 0);
	assert_non_null(find_term(&se, "gateway is where the surge enters"));
	assert_non_null(find_term(&sd, "its caller gateway surges too"));
	assert_int_equal(find_term(&sd, "surges too")->evidence_id, 1);
	assert_int_equal(find_term(&sd, "surges too")->role, RANK_CONTRADICTS);

	drop.onset_order = drop2.onset_order = 2;
	drop.rate_ratio = drop2.rate_ratio = 0.3;
	drop.ev_anomaly = drop2.ev_anomaly = 4;
	drop2.drop_explained = 1;
	snprintf(drop2.upstream, sizeof drop2.upstream, "payments-db");
	drop2.ev_upstream = 5;
	rank_score(&drop, &sp);
	rank_score(&drop2, &sp2);
	assert_sums(&sp2);
	assert_true(sp2.score < sp.score - 0.2);
	assert_non_null(find_term(&sp2, "anomaly on payments-db"));
}

static void
test_db_root_beats_callers(void **state)
{
	struct rank_facts db = facts(RANK_DB, "payments-db", "");
	struct rank_facts dep = facts(RANK_DEPENDENCY, "payments", "");
	struct rank_score sdb, sdep;

	(void)state;
	db.onset_order = 2;
	db.onset_lead_min = 6;
	db.share_dependents = 1;
	db.mentioned = 1;
	db.ev_mention = 5;
	db.saturated = 1;
	db.ev_saturation = 6;
	db.ev_anomaly = 7;
	dep.onset_order = 0;
	dep.share_dependents = 0.5;
	dep.mentioned = 1;
	dep.blames_other = 1;
	dep.ev_blames = 5;
	rank_score(&db, &sdb);
	rank_score(&dep, &sdep);
	assert_sums(&sdb);
	assert_true(sdb.score > 0.8);
	assert_true(sdep.score < 0.3);
	assert_true(rank_compare(&db, &sdb, &dep, &sdep) < 0);
	assert_non_null(find_term(&sdb, "came first (6 min ahead)"));
	assert_int_equal(find_term(&sdep, "came after")->role, RANK_CONTRADICTS);
	assert_non_null(find_term(&sdb, "no deploy or config change"));
	/* Silent (no data after onset), it stands on what its callers say,
	 * with no order of its own either way. */
	db.silent = 1;
	db.saturated = 0;
	rank_score(&db, &sdb);
	assert_sums(&sdb);
	assert_null(find_term(&sdb, "came first"));
	assert_null(find_term(&sdb, "came after"));
	assert_int_equal(find_term(&sdb, "no data around onset")->role,
	    RANK_MISSING);
	assert_true(sdb.score > 0.3);
	db.silent = 0;
	db.saturated = 1;

	/* A risky change right before onset speaks against the database. */
	db.any_change = 1;
	db.near_change = 1;
	db.near_change_lead = 4;
	db.ev_near_change = 9;
	rank_score(&db, &sdb);
	assert_int_equal(find_term(&sdb, "likelier cause")->evidence_id, 9);
	assert_null(find_term(&sdb, "no deploy or config change"));
}

static void
test_external_dependency(void **state)
{
	struct rank_facts ext = facts(RANK_DEPENDENCY, "psp-gateway", "");
	struct rank_facts caller = facts(RANK_DEPENDENCY, "payments", "");
	struct rank_score se, sc;

	(void)state;
	ext.external = 1;
	snprintf(ext.caller, sizeof ext.caller, "payments");
	ext.onset_order = 1;
	ext.mentioned = 1;
	ext.ev_mention = 3;
	ext.caller_deps_healthy = 1;
	caller.onset_order = 1;
	caller.share_dependents = 1;
	caller.blames_other = 1;
	caller.ev_blames = 3;
	rank_score(&ext, &se);
	rank_score(&caller, &sc);
	assert_sums(&se);
	assert_true(se.score > 0.7);
	assert_true(se.score > sc.score + 0.3);
	assert_non_null(find_term(&se, "errors of payments name psp-gateway"));
	assert_non_null(find_term(&se, "other dependencies are healthy"));
	assert_int_equal(find_term(&se, "no metrics")->role, RANK_MISSING);
	assert_string_equal(find_term(&se, "no metrics")->expected_kind,
	    "metric_anomaly");
	/* Without the error text naming it, it drops well below. */
	ext.mentioned = 0;
	rank_score(&ext, &sc);
	assert_true(sc.score < se.score - 0.3);
	assert_int_equal(find_term(&sc, "no error names")->role, RANK_MISSING);
	/* The more of the incident calls it, the likelier it is. */
	ext.share_dependents = 0.8;
	rank_score(&ext, &se);
	assert_true(se.score > sc.score + 0.1);
	assert_non_null(find_term(&se, "80% of the affected services call "
	    "psp-gateway"));
	/* The internal caller, calling nothing else that fails, is a level
	 * above it: an external failure would look the same. */
	caller.blames_other = 0;
	rank_score(&caller, &sc);
	se.score = sc.score;
	caller.below_external = 1;
	caller.ev_below = 5;
	snprintf(caller.below, sizeof caller.below, "psp-gateway");
	rank_score(&caller, &sc);
	assert_sums(&sc);
	assert_true(sc.score < se.score - 0.1);
	assert_int_equal(find_term(&sc, "calls psp-gateway, which has no metrics")->role,
	    RANK_CONTRADICTS);
	assert_int_equal(find_term(&sc, "calls psp-gateway, which has no metrics")->
	    evidence_id, 5);
}

static void
test_prior_and_no_release(void **state)
{
	struct rank_facts f = facts(RANK_INFRA, "search", "");
	struct rank_facts none = facts(RANK_RELEASE, "search", "");
	struct rank_score a, b, c;

	(void)state;
	f.saturated = 1;
	rank_score(&f, &a);
	f.prior_confirmed = 1;
	f.ev_prior = 4;
	rank_score(&f, &b);
	assert_true(fabs(b.score - a.score - 0.10) < 1e-9);
	assert_int_equal(find_term(&b, "past incident")->evidence_id, 4);
	f.prior_confirmed = 5;		/* capped at two cases */
	rank_score(&f, &c);
	assert_true(fabs(c.score - a.score - 0.20) < 1e-9);

	rank_score(&none, &a);
	assert_true(a.score < 0.1);
	assert_string_equal(find_term(&a, "no deploy")->expected_kind,
	    "deployment");
}

static void
test_names_and_order(void **state)
{
	struct rank_facts a = facts(RANK_RELEASE, "a", "x");
	struct rank_facts b = facts(RANK_CONFIG, "a", "x");
	struct rank_score s;
	int i;

	(void)state;
	for (i = 0; i < RANK_NTYPES; i++)
		assert_int_equal(rank_type_from_name(rank_type_name(i)), i);
	assert_int_equal(rank_type_from_name("nonsense"), -1);
	assert_string_equal(rank_type_name(RANK_DB), "db");
	/* Equal scores: the type order decides, deterministically. */
	memset(&s, 0, sizeof s);
	assert_true(rank_compare(&a, &s, &b, &s) < 0);
	assert_true(rank_compare(&b, &s, &a, &s) > 0);
	assert_int_equal(rank_compare(&a, &s, &a, &s), 0);
	/* The fallback always scores something and never the maximum. */
	rank_score(&(struct rank_facts){ .type = RANK_UNKNOWN }, &s);
	assert_true(s.score > 0 && s.score < 0.2);
}

/* name: "prefix" padded to MW_NAME_MAX bytes with "é", then 'x'. */
static void
long_name(char *out, const char *prefix)
{
	size_t n = strlen(prefix);

	memcpy(out, prefix, n);
	while (n + 2 <= MW_NAME_MAX - 7) {
		memcpy(out + n, "\xc3\xa9", 2);
		n += 2;
	}
	while (n < MW_NAME_MAX)
		out[n++] = 'x';
	out[n] = '\0';
}

static void
test_long_names(void **state)
{
	static char svc[MW_NAME_MAX + 1], ref[MW_NAME_MAX + 1],
	    dep[MW_NAME_MAX + 1], want[2 * MW_NAME_MAX + 64];
	struct rank_facts f, e;
	struct rank_score s;
	const struct rank_term *t;

	(void)state;
	long_name(svc, "svc-");
	long_name(ref, "deploy-");
	long_name(dep, "ext-");
	assert_int_equal(strlen(svc), MW_NAME_MAX);
	f = facts(RANK_RELEASE, svc, ref);
	assert_string_equal(f.subject, svc);
	assert_string_equal(f.change_ref, ref);
	f.has_change = 1;
	f.lead_min = 7;
	rank_score(&f, &s);
	snprintf(want, sizeof want, "deploy %s on %s 7 min before onset", ref,
	    svc);
	assert_non_null(t = find_term(&s, "min before onset"));
	assert_string_equal(t->why, want);
	/* An absurd number does not fit: the names still do, whole. */
	f.lead_min = 1e300;
	rank_score(&f, &s);
	assert_non_null(t = find_term(&s, svc));
	assert_true(strncmp(t->why + 7, ref, strlen(ref)) == 0);
	assert_true(strlen(t->why) < sizeof t->why);
	/* An external dependency and its caller, both long. */
	e = facts(RANK_DEPENDENCY, dep, "");
	e.external = 1;
	e.mentioned = 1;
	snprintf(e.caller, sizeof e.caller, "%s", svc);
	rank_score(&e, &s);
	snprintf(want, sizeof want, "errors of %s name %s", svc, dep);
	assert_non_null(t = find_term(&s, "errors of "));
	assert_string_equal(t->why, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_bad_deploy),
		cmocka_unit_test(test_surge_beats_docs_deploy),
		cmocka_unit_test(test_trouble_from_below),
		cmocka_unit_test(test_surge_entry_and_drop),
		cmocka_unit_test(test_db_root_beats_callers),
		cmocka_unit_test(test_external_dependency),
		cmocka_unit_test(test_prior_and_no_release),
		cmocka_unit_test(test_names_and_order),
		cmocka_unit_test(test_long_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
