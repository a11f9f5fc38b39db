/*
 * demo_faults.c - the demo's injected faults: which service gets which fault
 * (rotated by the seed), when each happens (separate slots at least 2.5 h
 * apart inside 02:00-23:00), the alerts they raise, and what they do to the
 * metric series and the error log.  Their deploys and config changes are
 * made in demo_changes.c.
 *
 * The placement rules the ground truth relies on are checked here, not hoped
 * for: a change never lands in the 3 h before a fault on a service that
 * fault's hypothesis would look at (anywhere at all before the external
 * outage), except the fault's own cause.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_int.h"

#define DAY_FIRST	120	/* 02:00: no fault starts earlier */
#define DAY_LAST	1380	/* 23:00: every fault is over by then */
#define SLOT_GAP	150	/* 2.5 h between one fault's end and the next */
#define QUIET_BEFORE	180	/* 3 h without unrelated changes before onset */
#define QUIET_AFTER	30	/* and half an hour after the end */

static const char *const fault_names[FAULT_COUNT] = {
	"bad_deploy", "config_timeout", "db_degradation", "traffic_surge",
	"external_outage", "flapping", "maintenance"
};

/* The new error the bad deploy causes, per risky file variant. */
static const struct demo_template msg_bad[2] = {
	{ "retryClient.Do: panic: nil pointer dereference (request %x, attempt %i)",
	  "error", "Panic" },
	{ "pq: canceling statement due to lock timeout on relation \"events\" (txn %d)",
	  "error", "DatabaseError" },
};

static const struct demo_template msg_config = {
	"context deadline exceeded calling upstream after 200ms (request %x)",
	"error", "Timeout"
};
static const struct demo_template msg_pool = {
	"timeout acquiring connection from pool payments-db after 3000ms (waiters=%i)",
	"error", "PoolTimeout"
};
static const struct demo_template msg_checkout_payments = {
	"payments call failed with 503 after %mms (order %o)",
	"error", "UpstreamError"
};
static const struct demo_template msg_psp = {
	"upstream psp-gateway: connection timed out after 5000ms (payment pay_%x)",
	"error", "UpstreamTimeout"
};
static const struct demo_template msg_checkout_psp = {
	"payment authorization failed for order %o: upstream unavailable",
	"error", "UpstreamError"
};
static const struct demo_template msg_shed = {
	"load shedding: %d requests queued, rejecting request %x",
	"warning", "Overloaded"
};
static const struct demo_template msg_maint = {
	"maintenance mode: query %x deferred by %mms",
	"warning", "Maintenance"
};

/* Returns the truth name of fault kind k. */
const char *
demo_faults_name(int k)
{
	return fault_names[k];
}

/* Fills out with the services that show a fault's symptoms; returns count. */
int
demo_faults_symptoms(const struct demo_fault *f, int *out)
{
	switch (f->kind) {
	case FAULT_DB:
		out[0] = SVC_PAYMENTS_DB;
		out[1] = SVC_PAYMENTS;
		out[2] = SVC_CHECKOUT;
		return 3;
	case FAULT_EXTERNAL:
		out[0] = SVC_PAYMENTS;
		out[1] = SVC_CHECKOUT;
		return 2;
	default:
		out[0] = f->svc;
		return 1;
	}
}

/* Picks one of n service indexes, skipping the one equal to avoid. */
static int
pick_svc(struct demo_rng *r, const int *v, int n, int avoid)
{
	int i;

	do
		i = v[demo_rng_int(r, 0, n - 1)];
	while (i == avoid);
	return i;
}

/* Chooses services, leads and magnitudes; durations go to dur[]. */
static void
pick_faults(struct demo_scenario *sc, int *dur)
{
	static const int bad_svcs[] = { SVC_CHECKOUT, SVC_CART, SVC_CATALOG,
	    SVC_SEARCH, SVC_AUTH };
	static const int cfg_svcs[] = { SVC_CHECKOUT, SVC_CART, SVC_CATALOG,
	    SVC_SEARCH, SVC_RECOMMENDATIONS, SVC_AUTH };
	static const int surge_svcs[] = { SVC_EDGE, SVC_FRONTEND, SVC_SEARCH };
	static const int flap_svcs[] = { SVC_RECOMMENDATIONS, SVC_INVENTORY,
	    SVC_ORDERS };
	static const int maint_svcs[] = { SVC_INVENTORY, SVC_RECOMMENDATIONS,
	    SVC_NOTIFICATIONS };
	struct demo_rng *r = &sc->rng;
	struct demo_fault *f = sc->faults;
	int k, sum;

	for (k = 0; k < FAULT_COUNT; k++) {
		memset(&f[k], 0, sizeof f[k]);
		f[k].kind = k;
		f[k].change = -1;
	}

	f[FAULT_BAD_DEPLOY].svc = pick_svc(r, bad_svcs, 5, -1);
	f[FAULT_BAD_DEPLOY].variant = demo_rng_int(r, 0, 1);
	f[FAULT_BAD_DEPLOY].lead = demo_rng_int(r, 3, 8);
	f[FAULT_BAD_DEPLOY].mag[0] = demo_rng_real(r, 0.05, 0.25);	/* error_ratio */
	f[FAULT_BAD_DEPLOY].mag[1] = demo_rng_real(r, 1.3, 1.8);	/* latency x */

	f[FAULT_CONFIG].svc = pick_svc(r, cfg_svcs, 6, f[FAULT_BAD_DEPLOY].svc);
	f[FAULT_CONFIG].lead = demo_rng_int(r, 2, 6);
	f[FAULT_CONFIG].mag[0] = demo_rng_real(r, 2.5, 5.0);	/* latency x */
	f[FAULT_CONFIG].mag[1] = demo_rng_real(r, 0.02, 0.06);	/* error_ratio */

	f[FAULT_DB].svc = SVC_PAYMENTS_DB;
	f[FAULT_DB].lag = demo_rng_int(r, 5, 10);
	f[FAULT_DB].ramp = demo_rng_int(r, 8, 15);
	f[FAULT_DB].mag[0] = demo_rng_real(r, 6.0, 15.0);	/* db latency x */
	f[FAULT_DB].mag[1] = demo_rng_real(r, 0.85, 0.95);	/* db cpu */
	f[FAULT_DB].mag[2] = demo_rng_real(r, 0.04, 0.12);	/* payments err */
	f[FAULT_DB].mag[3] = demo_rng_real(r, 2.5, 4.0);	/* payments lat x */

	f[FAULT_TRAFFIC].svc = pick_svc(r, surge_svcs, 3, -1);
	f[FAULT_TRAFFIC].lead = demo_rng_int(r, 10, 25);
	f[FAULT_TRAFFIC].mag[0] = demo_rng_real(r, 2.5, 4.0);	/* rate x */
	f[FAULT_TRAFFIC].mag[1] = demo_rng_real(r, 0.85, 0.98);	/* cpu */
	f[FAULT_TRAFFIC].mag[2] = demo_rng_real(r, 1.8, 2.5);	/* latency x */
	f[FAULT_TRAFFIC].mag[3] = demo_rng_real(r, 0.3, 0.8);	/* err +x */

	f[FAULT_EXTERNAL].svc = SVC_PSP;
	f[FAULT_EXTERNAL].mag[0] = demo_rng_real(r, 0.15, 0.40);	/* payments err */
	f[FAULT_EXTERNAL].mag[1] = demo_rng_real(r, 4900, 5300);	/* payments p99 */

	f[FAULT_FLAPPING].variant = demo_rng_int(r, 0, 1);
	if (f[FAULT_FLAPPING].variant == 0) {
		f[FAULT_FLAPPING].svc = SVC_NOTIFICATIONS;	/* queue_depth */
		f[FAULT_FLAPPING].mag[0] = demo_rng_real(r, 2.2, 3.0);
	} else {
		f[FAULT_FLAPPING].svc = pick_svc(r, flap_svcs, 3, -1);
		f[FAULT_FLAPPING].mag[0] = demo_rng_real(r, 0.012, 0.02);
	}

	f[FAULT_MAINTENANCE].svc = pick_svc(r, maint_svcs, 3,
	    f[FAULT_FLAPPING].svc);
	f[FAULT_MAINTENANCE].mag[0] = demo_rng_real(r, 3.0, 5.0);	/* latency x */
	f[FAULT_MAINTENANCE].mag[1] = demo_rng_real(r, 0.03, 0.08);	/* err */

	/* Seven slots, six 2.5 h gaps: the durations must leave some slack. */
	do {
		sum = 0;
		for (k = 0; k < FAULT_COUNT; k++) {
			if (k == FAULT_FLAPPING)
				dur[k] = demo_rng_int(r, 50, 60);
			else if (k == FAULT_MAINTENANCE)
				dur[k] = demo_rng_int(r, 25, 45);
			else if (k == FAULT_DB)
				dur[k] = demo_rng_int(r, 30, 60);
			else
				dur[k] = demo_rng_int(r, 25, 60);
			sum += dur[k];
		}
	} while (sum > DAY_LAST - DAY_FIRST - 6 * SLOT_GAP - 15);
}

/* Returns whether fault g forbids a foreign change on svc at minute. */
static int
fault_forbids(const struct demo_fault *g, int svc, int minute)
{
	int start = g->onset - QUIET_BEFORE, end = g->end + QUIET_AFTER;

	if (g->kind == FAULT_MAINTENANCE && g->maint_end > g->end)
		end = g->maint_end + QUIET_AFTER;
	if (minute < start || minute >= end)
		return 0;
	switch (g->kind) {
	case FAULT_EXTERNAL:
		return 1;
	case FAULT_DB:
		return svc == SVC_PAYMENTS_DB || svc == SVC_PAYMENTS ||
		    svc == SVC_CHECKOUT;
	default:
		return svc == g->svc;
	}
}

/* Returns whether any fault other than owner forbids a change on svc at
 * minute (owner -1: a background change, foreign to every fault). */
int
demo_faults_forbids(const struct demo_scenario *sc, int svc, int minute, int owner)
{
	int k;

	for (k = 0; k < FAULT_COUNT; k++)
		if (k != owner && fault_forbids(&sc->faults[k], svc, minute))
			return 1;
	return 0;
}

/* Returns the minutes of a fault's own changes (cause, undo) in at[]. */
static int
own_changes(const struct demo_fault *f, int *at)
{
	switch (f->kind) {
	case FAULT_BAD_DEPLOY:
		at[0] = f->onset - f->lead;
		at[1] = f->end - 3;		/* the rollback */
		return 2;
	case FAULT_CONFIG:
		at[0] = f->onset - f->lead;
		at[1] = f->end - 1;		/* the revert */
		return 2;
	case FAULT_TRAFFIC:
		at[0] = f->onset - f->lead;
		return 1;
	default:
		return 0;
	}
}

/* Returns whether the current slot layout keeps every fault's changes clear. */
static int
layout_valid(const struct demo_scenario *sc)
{
	int k, i, n, at[2];

	for (k = 0; k < FAULT_COUNT; k++) {
		n = own_changes(&sc->faults[k], at);
		for (i = 0; i < n; i++)
			if (demo_faults_forbids(sc, sc->faults[k].svc, at[i], k))
				return 0;
	}
	return 1;
}

/* Places the faults in shuffled, separated slots; -1 if none is valid. */
static int
layout(struct demo_scenario *sc, const int *dur)
{
	struct demo_rng *r = &sc->rng;
	struct demo_fault *f;
	int perm[FAULT_COUNT], gaps[FAULT_COUNT + 1];
	int attempt, i, j, t, tmp, sum = 0, slack;

	for (i = 0; i < FAULT_COUNT; i++)
		sum += dur[i];
	slack = DAY_LAST - DAY_FIRST - (FAULT_COUNT - 1) * SLOT_GAP - sum;
	for (attempt = 0; attempt < 5000; attempt++) {
		for (i = 0; i < FAULT_COUNT; i++)
			perm[i] = i;
		for (i = FAULT_COUNT - 1; i > 0; i--) {
			j = demo_rng_int(r, 0, i);
			tmp = perm[i];
			perm[i] = perm[j];
			perm[j] = tmp;
		}
		memset(gaps, 0, sizeof gaps);
		for (i = 0; i < slack; i++)
			gaps[demo_rng_int(r, 0, FAULT_COUNT)]++;
		t = DAY_FIRST + gaps[0];
		for (i = 0; i < FAULT_COUNT; i++) {
			f = &sc->faults[perm[i]];
			f->onset = t;
			f->end = t + dur[perm[i]];
			t = f->end + SLOT_GAP + gaps[i + 1];
		}
		f = &sc->faults[FAULT_MAINTENANCE];
		f->maint_start = f->onset - demo_rng_int(r, 5, 10);
		f->maint_end = f->end + demo_rng_int(r, 5, 10);
		if (f->maint_end - f->maint_start < 60)
			f->maint_end = f->maint_start + 60;
		if (layout_valid(sc))
			return 0;
	}
	return -1;
}

/* Appends an alert transition. */
static void
add_alert(struct demo_scenario *sc, int minute, int firing, int svc,
    const char *name, const char *severity, const char *summary)
{
	struct demo_alert *a;

	if (sc->nalerts == DEMO_MAX_ALERTS || minute >= DEMO_MINUTES)
		return;
	a = &sc->alerts[sc->nalerts];
	a->minute = minute;
	a->firing = firing;
	a->svc = svc;
	a->alertname = name;
	a->severity = severity;
	a->summary = summary;
	a->seq = sc->nalerts++;
}

/* Adds a firing and a resolved transition. */
static void
add_alert_pair(struct demo_scenario *sc, int from, int to, int svc,
    const char *name, const char *severity, const char *summary)
{
	add_alert(sc, from, 1, svc, name, severity, summary);
	add_alert(sc, to, 0, svc, name, severity, summary);
}

/* Orders alert transitions by minute, then creation order. */
static int
cmp_alert(const void *a, const void *b)
{
	const struct demo_alert *x = a, *y = b;

	if (x->minute != y->minute)
		return x->minute < y->minute ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Adds the Alertmanager notifications the faults would raise. */
static void
add_alerts(struct demo_scenario *sc)
{
	struct demo_rng *r = &sc->rng;
	const struct demo_fault *f = sc->faults;
	const struct demo_fault *fl = &f[FAULT_FLAPPING];
	const char *flap_name = fl->variant == 0 ? "QueueBacklog" : "ErrorRateElevated";
	int i, fire, clear;

	/* One draw per statement: argument evaluation order is unspecified,
	 * and the bytes must not depend on the compiler. */
	fire = f[FAULT_BAD_DEPLOY].onset + demo_rng_int(r, 3, 5);
	clear = f[FAULT_BAD_DEPLOY].end + demo_rng_int(r, 2, 4);
	add_alert_pair(sc, fire, clear, f[FAULT_BAD_DEPLOY].svc, "HighErrorRate",
	    "critical", "error ratio above 5% for 3 minutes");
	fire = f[FAULT_CONFIG].onset + demo_rng_int(r, 4, 6);
	clear = f[FAULT_CONFIG].end + demo_rng_int(r, 2, 4);
	add_alert_pair(sc, fire, clear, f[FAULT_CONFIG].svc, "HighLatency",
	    "warning", "p99 latency above 2x baseline for 3 minutes");
	add_alert_pair(sc, f[FAULT_DB].onset + f[FAULT_DB].ramp,
	    f[FAULT_DB].end + 3, SVC_PAYMENTS_DB, "PostgresSlowQueries", "warning",
	    "p99 query latency above 40ms");
	add_alert_pair(sc, f[FAULT_DB].onset + f[FAULT_DB].lag + 4,
	    f[FAULT_DB].end + 2, SVC_PAYMENTS, "HighErrorRate", "critical",
	    "error ratio above 3% for 3 minutes");
	add_alert_pair(sc, f[FAULT_TRAFFIC].onset + 5, f[FAULT_TRAFFIC].end + 3,
	    f[FAULT_TRAFFIC].svc, "HighCPU", "warning",
	    "cpu utilization above 85% for 5 minutes");
	add_alert_pair(sc, f[FAULT_EXTERNAL].onset + 3, f[FAULT_EXTERNAL].end + 3,
	    SVC_PAYMENTS, "HighErrorRate", "critical",
	    "error ratio above 5% for 3 minutes");
	for (i = 0; i < 3; i++)
		add_alert_pair(sc, fl->onset + 2 + 17 * i, fl->onset + 6 + 17 * i,
		    fl->svc, flap_name, "warning", "elevated for 1 minute");
	add_alert_pair(sc, f[FAULT_MAINTENANCE].onset + 4,
	    f[FAULT_MAINTENANCE].end + 3, f[FAULT_MAINTENANCE].svc, "HighLatency",
	    "warning", "p99 latency above 2x baseline for 3 minutes");
	qsort(sc->alerts, (size_t)sc->nalerts, sizeof sc->alerts[0], cmp_alert);
}

/* Marks the minutes around each fault on its symptom services as busy. */
static void
mark_busy(struct demo_scenario *sc)
{
	const struct demo_fault *f;
	int k, i, n, m, lo, hi, svcs[4];

	for (k = 0; k < FAULT_COUNT; k++) {
		f = &sc->faults[k];
		n = demo_faults_symptoms(f, svcs);
		lo = f->onset - 10;
		hi = f->end + 10;
		if (k == FAULT_MAINTENANCE) {
			lo = f->maint_start - 10;
			hi = f->maint_end + 10;
		}
		for (i = 0; i < n; i++)
			for (m = lo < 0 ? 0 : lo; m < hi && m < DEMO_MINUTES; m++)
				sc->busy[svcs[i]][m] = 1;
	}
}

/* Plans faults, changes, commits and alerts; -1 with *cause on failure. */
int
demo_faults_plan(struct demo_scenario *sc, char **cause)
{
	int dur[FAULT_COUNT];

	pick_faults(sc, dur);
	if (layout(sc, dur) != 0) {
		*cause = strdup("demo: no valid fault layout for this seed");
		return -1;
	}
	demo_changes_plan(sc);
	add_alerts(sc);
	mark_busy(sc);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Effects on the series                                               */

/* Returns the 0..1 strength of an effect at minute m: linear ramps of up
 * minutes in and down minutes out of [on, end), flat in between. */
static double
ramp(int m, int on, int end, int up, int down)
{
	double a, b;

	if (m < on || m >= end)
		return 0.0;
	a = (m - on + 1) / (double)up;
	b = (end - m) / (double)down;
	if (b < a)
		a = b;
	return a > 1.0 ? 1.0 : a;
}

/* Moves v towards target by strength a. */
static double
toward(double v, double target, double a)
{
	return v + a * (target - v);
}

/* Applies every fault's effect to the baseline series. */
void
demo_faults_apply(struct demo_scenario *sc)
{
	struct demo_rng *r = &sc->rng;
	const struct demo_fault *f;
	double (*s)[DEMO_MINUTES], (*p)[DEMO_MINUTES], (*c)[DEMO_MINUTES];
	double a, old_lat, old_err;
	int m, run, up;

	f = &sc->faults[FAULT_BAD_DEPLOY];
	s = sc->series[f->svc];
	for (m = f->onset; m < f->end; m++) {
		a = ramp(m, f->onset, f->end, 2, 3);
		s[MET_ERR][m] = toward(s[MET_ERR][m],
		    f->mag[0] * (1 + 0.06 * demo_rng_gauss(r)), a);
		s[MET_LAT][m] *= 1 + a * (f->mag[1] - 1);
		s[MET_CPU][m] += a * 0.05;
	}

	f = &sc->faults[FAULT_CONFIG];
	s = sc->series[f->svc];
	for (m = f->onset; m < f->end; m++) {
		a = ramp(m, f->onset, f->end, 2, 2);
		s[MET_LAT][m] *= 1 + a * (f->mag[0] - 1);
		s[MET_ERR][m] = toward(s[MET_ERR][m],
		    f->mag[1] * (1 + 0.08 * demo_rng_gauss(r)), a);
	}

	/* db: the database first, then its callers lag minutes later. */
	f = &sc->faults[FAULT_DB];
	s = sc->series[SVC_PAYMENTS_DB];
	p = sc->series[SVC_PAYMENTS];
	c = sc->series[SVC_CHECKOUT];
	for (m = f->onset; m < f->end; m++) {
		a = ramp(m, f->onset, f->end, f->ramp, 4);
		s[MET_LAT][m] *= 1 + a * (f->mag[0] - 1);
		s[MET_CPU][m] = toward(s[MET_CPU][m],
		    f->mag[1] + 0.01 * demo_rng_gauss(r), a);
		s[MET_ERR][m] += a * 0.001;
		a = ramp(m, f->onset + f->lag, f->end, 2, 3);
		if (a <= 0.0)
			continue;
		old_lat = p[MET_LAT][m];
		old_err = p[MET_ERR][m];
		p[MET_LAT][m] *= 1 + a * (f->mag[3] - 1);
		p[MET_ERR][m] = toward(old_err,
		    f->mag[2] * (1 + 0.06 * demo_rng_gauss(r)), a);
		c[MET_LAT][m] += 0.85 * (p[MET_LAT][m] - old_lat);
		c[MET_ERR][m] += 0.5 * (p[MET_ERR][m] - old_err);
	}

	f = &sc->faults[FAULT_TRAFFIC];
	s = sc->series[f->svc];
	for (m = f->onset; m < f->end; m++) {
		a = ramp(m, f->onset, f->end, 4, 5);
		s[MET_RATE][m] *= 1 + a * (f->mag[0] - 1);
		s[MET_CPU][m] = toward(s[MET_CPU][m],
		    f->mag[1] + 0.01 * demo_rng_gauss(r), a);
		if (s[MET_CPU][m] > 0.99)
			s[MET_CPU][m] = 0.99;
		s[MET_LAT][m] *= 1 + a * (f->mag[2] - 1);
		s[MET_ERR][m] *= 1 + a * f->mag[3];
	}

	f = &sc->faults[FAULT_EXTERNAL];
	p = sc->series[SVC_PAYMENTS];
	c = sc->series[SVC_CHECKOUT];
	for (m = f->onset; m < f->end; m++) {
		a = ramp(m, f->onset, f->end, 1, 2);
		old_lat = p[MET_LAT][m];
		old_err = p[MET_ERR][m];
		p[MET_LAT][m] = toward(old_lat,
		    f->mag[1] * (1 + 0.01 * demo_rng_gauss(r)), a);
		p[MET_ERR][m] = toward(old_err,
		    f->mag[0] * (1 + 0.05 * demo_rng_gauss(r)), a);
		c[MET_LAT][m] += 0.9 * (p[MET_LAT][m] - old_lat);
		c[MET_ERR][m] += 0.5 * (p[MET_ERR][m] - old_err);
	}

	/* Flapping: alternate runs of 1-3 minutes, starting elevated. */
	f = &sc->faults[FAULT_FLAPPING];
	up = 1;
	for (m = f->onset; m < f->end; up = !up) {
		for (run = demo_rng_int(r, 1, 3); run > 0 && m < f->end; run--, m++) {
			if (!up)
				continue;
			if (f->variant == 0)
				sc->queue_depth[m] *= f->mag[0];
			else
				sc->series[f->svc][MET_ERR][m] += f->mag[0];
		}
	}

	f = &sc->faults[FAULT_MAINTENANCE];
	s = sc->series[f->svc];
	for (m = f->onset; m < f->end; m++) {
		a = ramp(m, f->onset, f->end, 2, 2);
		s[MET_LAT][m] *= 1 + a * (f->mag[0] - 1);
		s[MET_ERR][m] = toward(s[MET_ERR][m],
		    f->mag[1] * (1 + 0.08 * demo_rng_gauss(r)), a);
	}
}

/* ------------------------------------------------------------------ */
/* Error lines                                                         */

/* Appends one error line for svc at a random second of the minute. */
void
demo_faults_add_error(struct demo_scenario *sc, int svc,
    const struct demo_template *t)
{
	struct demo_errline *e;

	if (sc->nerrs == DEMO_MAX_ERRLINES)
		return;
	e = &sc->errs[sc->nerrs];
	e->sec = demo_rng_int(&sc->rng, 1, 59);
	e->seq = sc->nerrs++;
	e->svc = svc;
	e->t = t;
	demo_topo_expand(&sc->rng, t->fmt, e->msg, sizeof e->msg);
}

/* Adds about base + gain * excess error ratio lines (at most 16) of t. */
static void
burst(struct demo_scenario *sc, int svc, int m, const struct demo_template *t,
    double base, double gain)
{
	double excess = sc->series[svc][MET_ERR][m] -
	    1.5 * demo_topo_service(svc)->err;
	double lambda = base + gain * (excess > 0 ? excess : 0);
	int n;

	if (lambda > 16)
		lambda = 16;
	for (n = demo_rng_binomial(&sc->rng, 20, lambda / 20); n > 0; n--)
		demo_faults_add_error(sc, svc, t);
}

/* Returns whether minute m lies in [on, end). */
static int
within(int m, int on, int end)
{
	return m >= on && m < end;
}

/* Adds the error lines the faults cause during minute m. */
void
demo_faults_errors(struct demo_scenario *sc, int m)
{
	const struct demo_fault *f = sc->faults;
	const struct demo_fault *db = &f[FAULT_DB];

	if (within(m, f[FAULT_BAD_DEPLOY].onset, f[FAULT_BAD_DEPLOY].end))
		burst(sc, f[FAULT_BAD_DEPLOY].svc, m,
		    &msg_bad[f[FAULT_BAD_DEPLOY].variant], 2, 60);
	if (within(m, f[FAULT_CONFIG].onset, f[FAULT_CONFIG].end))
		burst(sc, f[FAULT_CONFIG].svc, m, &msg_config, 1, 80);
	if (within(m, db->onset, db->end))
		burst(sc, SVC_PAYMENTS_DB, m,
		    &demo_topo_service(SVC_PAYMENTS_DB)->errors[0], 0.5, 200);
	if (within(m, db->onset + db->lag, db->end)) {
		burst(sc, SVC_PAYMENTS, m, &msg_pool, 1, 60);
		burst(sc, SVC_CHECKOUT, m, &msg_checkout_payments, 0.5, 30);
	}
	if (within(m, f[FAULT_TRAFFIC].onset, f[FAULT_TRAFFIC].end))
		burst(sc, f[FAULT_TRAFFIC].svc, m, &msg_shed, 0.5, 40);
	if (within(m, f[FAULT_EXTERNAL].onset, f[FAULT_EXTERNAL].end)) {
		burst(sc, SVC_PAYMENTS, m, &msg_psp, 2, 40);
		burst(sc, SVC_CHECKOUT, m, &msg_checkout_psp, 1, 20);
	}
	if (within(m, f[FAULT_MAINTENANCE].onset, f[FAULT_MAINTENANCE].end))
		burst(sc, f[FAULT_MAINTENANCE].svc, m, &msg_maint, 1, 30);
}
