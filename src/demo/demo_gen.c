/*
 * demo_gen.c - demo_generate(): builds the demo day (normal behaviour with a
 * daily curve, noise and harmless single-point blips, then the planned faults
 * from demo_faults.c) and writes it as ingest JSON Lines in the order
 * services, dependencies, commits, deploys, config changes, maintenance,
 * then telemetry by time; plus the ground truth as one JSON array.
 *
 * Every random choice comes from one seeded stream consumed in a fixed
 * order, so a seed always yields the same bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/demo.h"
#include "midwatch/hash.h"
#include "demo_int.h"

/* Reals are rounded to 4 significant digits before they get here; 6 keeps
 * them short without bringing back binary noise. */
#define LINE_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))
#define TRUTH_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

#define CLUSTER "prod-eu1"
#define NAMESPACE "shop"
#define REVENUE_PER_CONVERSION 42.5

/* Sets *cause to a malloc'd copy of msg (if cause is given). */
static void
set_cause(char **cause, const char *msg)
{
	if (cause != NULL)
		*cause = strdup(msg);
}

/* Writes one object as a compact line and releases it; -1 on failure. */
static int
put_line(FILE *out, json_t *o)
{
	char *s;

	if (o == NULL)
		return -1;
	s = json_dumps(o, LINE_FLAGS);
	json_decref(o);
	if (s == NULL)
		return -1;
	fputs(s, out);
	fputc('\n', out);
	free(s);
	return 0;
}

/* Formats minute m (plus sec seconds) into a caller's buffer. */
static const char *
ts_at(char *buf, size_t len, int m, int sec)
{
	demo_fmt_ts(buf, len, (long)m * 60 + sec);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Normal behaviour                                                    */

/* Fills the series with the daily curve, noise and memory growth. */
static void
gen_baseline(struct demo_scenario *sc)
{
	struct demo_rng *r = &sc->rng;
	const struct demo_service *p;
	double (*s)[DEMO_MINUTES], f, v;
	int svc, m, i, started;

	for (svc = 0; svc < SVC_METRIC_COUNT; svc++) {
		p = demo_topo_service(svc);
		s = sc->series[svc];
		started = -demo_rng_int(r, 200, 2000);
		for (m = 0; m < DEMO_MINUTES; m++) {
			/* A finished deploy replaces the pods: memory starts over. */
			for (i = 0; i < sc->nchanges; i++)
				if (sc->changes[i].kind == CHG_DEPLOY &&
				    sc->changes[i].svc == svc &&
				    sc->changes[i].at + sc->changes[i].minutes == m)
					started = m;
			f = demo_diurnal(m);
			s[MET_RATE][m] = p->peak_rate * f * (1 + 0.025 * demo_rng_gauss(r));
			v = p->err * (0.85 + 0.3 * f) * (1 + 0.15 * demo_rng_gauss(r));
			s[MET_ERR][m] = v < 0.1 * p->err ? 0.1 * p->err : v;
			s[MET_LAT][m] = p->lat * (0.9 + 0.2 * f) *
			    (1 + 0.04 * demo_rng_gauss(r));
			v = p->cpu_idle + (p->cpu_peak - p->cpu_idle) * f +
			    0.012 * demo_rng_gauss(r);
			s[MET_CPU][m] = v < 0.01 ? 0.01 : v;
			v = 0.00012 * (m - started);
			s[MET_MEM][m] = p->mem + (v > 0.12 ? 0.12 : v) +
			    0.004 * demo_rng_gauss(r);
		}
		for (i = 0; i < DEMO_MINUTES / 5; i++)
			if (!sc->busy[svc][i * 5] && demo_rng_unit(r) < 0.0025)
				sc->restarts[svc][i] = 1;
	}
	for (m = 0; m < DEMO_MINUTES; m++)
		sc->queue_depth[m] = (8 + 22 * demo_diurnal(m)) *
		    (1 + 0.1 * demo_rng_gauss(r));
}

/* Adds a few single-minute spikes per service away from every fault; a
 * detector must not open an incident for them. */
static void
gen_blips(struct demo_scenario *sc)
{
	struct demo_rng *r = &sc->rng;
	int svc, n, m, k, tries;

	for (svc = 0; svc < SVC_METRIC_COUNT; svc++) {
		for (n = demo_rng_int(r, 2, 5); n > 0; n--) {
			for (tries = 0; tries < 50; tries++) {
				m = demo_rng_int(r, 30, DEMO_MINUTES - 30);
				/* Off the 5-minute marks: health stays a steady signal. */
				if (!sc->busy[svc][m] && m % 5 != 0)
					break;
			}
			if (tries == 50)
				continue;
			switch (demo_rng_int(r, 0, 2)) {
			case 0:
				sc->series[svc][MET_LAT][m] *= demo_rng_real(r, 2.5, 4.0);
				break;
			case 1:
				sc->series[svc][MET_ERR][m] *= demo_rng_real(r, 4.0, 8.0);
				break;
			default:
				sc->series[svc][MET_RATE][m] *= demo_rng_real(r, 1.5, 2.0);
				break;
			}
			for (k = m - 3; k <= m + 3; k++)
				sc->busy[svc][k] = 2;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Static lines                                                        */

/* Writes the service and dependency lines. */
static int
put_topology(FILE *out)
{
	const struct demo_service *p;
	const struct demo_dep *d;
	size_t i, n;
	int svc;

	for (svc = 0; svc < SVC_COUNT; svc++) {
		p = demo_topo_service(svc);
		if (put_line(out, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "kind", "service", "service", p->name, "cluster", CLUSTER,
		    "namespace", NAMESPACE, "tier", p->tier)) != 0)
			return -1;
	}
	n = demo_topo_deps(&d);
	for (i = 0; i < n; i++)
		if (put_line(out, json_pack("{s:s, s:s, s:s, s:s}",
		    "kind", "dependency", "from", demo_topo_service(d[i].from)->name,
		    "to", demo_topo_service(d[i].to)->name, "dep_kind",
		    d[i].kind)) != 0)
			return -1;
	return 0;
}

struct commit_ref {
	long authored;
	int idx;
};

/* Orders commits by authoring time, then creation order. */
static int
cmp_commit_time(const void *a, const void *b)
{
	const struct commit_ref *x = a, *y = b;

	if (x->authored != y->authored)
		return x->authored < y->authored ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Writes the commit lines, oldest first. */
static int
put_commits(FILE *out, const struct demo_scenario *sc)
{
	struct commit_ref order[DEMO_MAX_COMMITS];
	const struct demo_commit *k;
	json_t *files;
	char ts[32];
	int i, j;

	for (i = 0; i < sc->ncommits; i++) {
		order[i].authored = sc->commits[i].authored;
		order[i].idx = i;
	}
	qsort(order, (size_t)sc->ncommits, sizeof order[0], cmp_commit_time);
	for (i = 0; i < sc->ncommits; i++) {
		k = &sc->commits[order[i].idx];
		files = json_array();
		for (j = 0; j < k->nfiles; j++)
			json_array_append_new(files, json_pack("{s:s, s:i, s:i, s:s}",
			    "path", k->files[j].path, "lines_added", k->files[j].added,
			    "lines_removed", k->files[j].removed, "change_type",
			    k->files[j].change_type));
		demo_fmt_ts(ts, sizeof ts, k->authored);
		if (put_line(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
		    "kind", "commit", "sha", k->sha, "repo", "shop", "message",
		    k->message, "authored_at", ts, "author", k->author, "files",
		    files)) != 0)
			return -1;
	}
	return 0;
}

/* Writes one deploy line. */
static int
put_deploy(FILE *out, const struct demo_scenario *sc, const struct demo_change *c)
{
	const char *name = demo_topo_service(c->svc)->name;
	char start[32], end[32], image[96];
	json_t *shas = json_array();
	int j;

	for (j = 0; j < c->ncommits; j++)
		json_array_append_new(shas,
		    json_string(sc->commits[c->first_commit + j].sha));
	snprintf(image, sizeof image, "registry.shop.example/shop/%s:%s", name,
	    c->revision);
	return put_line(out, json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}",
	    "kind", "deploy", "id", c->id, "service", name,
	    "started_at", ts_at(start, sizeof start, c->at, 0),
	    "finished_at", ts_at(end, sizeof end, c->at + c->minutes, 0),
	    "deploy_type", "rolling", "image_ref", image,
	    "revision", c->revision, "previous_revision", c->prev_revision,
	    "commits", shas, "is_rollback", c->undo));
}

/* Writes one config_change line. */
static int
put_config(FILE *out, const struct demo_change *c)
{
	char ts[32];

	return put_line(out, json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s}], s:s, s:s}",
	    "kind", "config_change", "id", c->id,
	    "service", demo_topo_service(c->svc)->name,
	    "detected_at", ts_at(ts, sizeof ts, c->at, 0),
	    "change_kind", c->change_kind, "resource_name", c->resource,
	    "diff", "field", c->field, "old_value", c->old_value,
	    "new_value", c->new_value, "source", c->source, "actor", c->actor));
}

/* Writes commits, deploys, config changes and the maintenance window. */
static int
put_changes(FILE *out, const struct demo_scenario *sc)
{
	static const char *const reasons[SVC_METRIC_COUNT] = {
		[SVC_INVENTORY] = "planned db vacuum",
		[SVC_RECOMMENDATIONS] = "planned model index rebuild",
		[SVC_NOTIFICATIONS] = "planned message broker upgrade",
	};
	const struct demo_fault *f = &sc->faults[FAULT_MAINTENANCE];
	char a[32], b[32];
	int i;

	if (put_commits(out, sc) != 0)
		return -1;
	for (i = 0; i < sc->nchanges; i++)
		if (sc->changes[i].kind == CHG_DEPLOY &&
		    put_deploy(out, sc, &sc->changes[i]) != 0)
			return -1;
	for (i = 0; i < sc->nchanges; i++)
		if (sc->changes[i].kind == CHG_CONFIG &&
		    put_config(out, &sc->changes[i]) != 0)
			return -1;
	return put_line(out, json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "kind", "maintenance", "service", demo_topo_service(f->svc)->name,
	    "starts_at", ts_at(a, sizeof a, f->maint_start, 0),
	    "ends_at", ts_at(b, sizeof b, f->maint_end, 0),
	    "reason", reasons[f->svc] ? reasons[f->svc] : "planned maintenance"));
}

/* ------------------------------------------------------------------ */
/* Telemetry                                                           */

/* Writes one metric point. */
static int
put_metric(FILE *out, const char *ts, const char *svc, const char *metric,
    json_t *value)
{
	return put_line(out, json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind",
	    "metric", "ts", ts, "service", svc, "metric", metric, "value", value));
}

/* Writes the health check of every service with metrics at minute m. */
static int
put_health(FILE *out, const struct demo_scenario *sc, int m, const char *ts)
{
	const struct demo_service *p;
	double err, lat, expect;
	int svc;

	for (svc = 0; svc < SVC_METRIC_COUNT; svc++) {
		p = demo_topo_service(svc);
		err = sc->series[svc][MET_ERR][m];
		lat = sc->series[svc][MET_LAT][m];
		expect = p->lat * (0.9 + 0.2 * demo_diurnal(m));
		if (put_line(out, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}",
		    "kind", "health", "ts", ts, "service", p->name, "status",
		    err >= 0.05 || lat >= 3 * expect ? "degraded" : "healthy",
		    "response_time_ms", demo_round4(0.1 * lat),
		    "error_rate", demo_round4(err))) != 0)
			return -1;
	}
	return 0;
}

/* Returns a count near mean with binomial-like noise, never negative. */
static long
noisy_count(struct demo_rng *r, double mean, double rel)
{
	double v = mean * (1 + rel * demo_rng_gauss(r));

	return v < 0 ? 0 : (long)(v + 0.5);
}

/* Writes the checkout funnel for the 5 minutes starting at m. */
static int
put_funnel(FILE *out, struct demo_scenario *sc, int m, const char *ts)
{
	struct demo_rng *r = &sc->rng;
	double ex_p = sc->series[SVC_PAYMENTS][MET_ERR][m] -
	    1.5 * demo_topo_service(SVC_PAYMENTS)->err;
	double ex_c = sc->series[SVC_CHECKOUT][MET_ERR][m] -
	    1.5 * demo_topo_service(SVC_CHECKOUT)->err;
	double pay, conf;
	long view, started, submitted, confirmed;

	ex_p = ex_p > 0 ? ex_p : 0;
	/* Checkout errors that merely echo payments' happen after submit. */
	ex_c = ex_c - 0.5 * ex_p > 0 ? ex_c - 0.5 * ex_p : 0;
	pay = 0.72 * (1 - (1.5 * ex_c > 0.9 ? 0.9 : 1.5 * ex_c));
	conf = 0.962 * (1 - (2.5 * ex_p > 0.95 ? 0.95 : 2.5 * ex_p));
	view = noisy_count(r, 1800 * demo_diurnal(m), 0.03);
	started = noisy_count(r, 0.46 * (double)view, 0.02);
	submitted = noisy_count(r, pay * (double)started, 0.015);
	confirmed = noisy_count(r, conf * (double)submitted, 0.01);
	if (submitted > started)
		submitted = started;
	if (confirmed > submitted)
		confirmed = submitted;
	return put_line(out, json_pack(
	    "{s:s, s:s, s:s, s:[{s:s, s:I}, {s:s, s:I}, {s:s, s:I}, {s:s, s:I}], s:f}",
	    "kind", "funnel", "ts", ts, "funnel", "checkout", "steps",
	    "name", "view_cart", "count", (json_int_t)view,
	    "name", "checkout_started", "count", (json_int_t)started,
	    "name", "payment_submitted", "count", (json_int_t)submitted,
	    "name", "order_confirmed", "count", (json_int_t)confirmed,
	    "revenue_per_conversion", REVENUE_PER_CONVERSION));
}

/* Writes one Alertmanager-style alert transition. */
static int
put_alert(FILE *out, const struct demo_alert *a, const char *ts)
{
	const char *svc = demo_topo_service(a->svc)->name;
	uint64_t h;
	char fp[17];

	/* Alertmanager fingerprints hash the label set; FNV-1a stands in
	 * (the two labels apart by a NUL byte). */
	h = fnv1a64(MW_FNV1A64_INIT, a->alertname, strlen(a->alertname) + 1);
	fnv1a64_hex(fnv1a64_str(h, svc), fp);
	return put_line(out, json_pack(
	    "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s}, s:s}",
	    "kind", "alert", "ts", ts, "fingerprint", fp,
	    "status", a->firing ? "firing" : "resolved",
	    "labels", "alertname", a->alertname, "service", svc,
	    "severity", a->severity, "annotations", "summary", a->summary,
	    "source", "alertmanager"));
}

/* Orders error lines within a minute by second, then generation order. */
static int
cmp_err(const void *a, const void *b)
{
	const struct demo_errline *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Generates and writes the error lines of minute m in time order. */
static int
put_errors(FILE *out, struct demo_scenario *sc, int m)
{
	struct demo_rng *r = &sc->rng;
	const struct demo_service *p;
	const struct demo_errline *e;
	double lambda;
	char ts[32];
	int svc, n, ntmpl, i;

	sc->nerrs = 0;
	for (svc = 0; svc < SVC_METRIC_COUNT; svc++) {
		p = demo_topo_service(svc);
		for (ntmpl = 0; p->errors[ntmpl].fmt != NULL; ntmpl++)
			;
		lambda = p->err_lambda * (0.3 + 0.7 * demo_diurnal(m));
		for (n = demo_rng_binomial(r, 3, lambda / 3); n > 0; n--)
			demo_faults_add_error(sc, svc,
			    &p->errors[demo_rng_int(r, 0, ntmpl - 1)]);
	}
	demo_faults_errors(sc, m);
	qsort(sc->errs, (size_t)sc->nerrs, sizeof sc->errs[0], cmp_err);
	for (i = 0; i < sc->nerrs; i++) {
		e = &sc->errs[i];
		if (put_line(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		    "kind", "error", "ts", ts_at(ts, sizeof ts, m, e->sec),
		    "service", demo_topo_service(e->svc)->name, "message", e->msg,
		    "severity", e->t->severity, "error_type",
		    e->t->error_type)) != 0)
			return -1;
	}
	return 0;
}

/* Writes all telemetry minute by minute. */
static int
put_telemetry(FILE *out, struct demo_scenario *sc)
{
	const char *name;
	char ts[32];
	int m, svc, met, alert = 0;

	for (m = 0; m < DEMO_MINUTES; m++) {
		ts_at(ts, sizeof ts, m, 0);
		for (svc = 0; svc < SVC_METRIC_COUNT; svc++) {
			name = demo_topo_service(svc)->name;
			for (met = 0; met < MET_COUNT; met++)
				if (put_metric(out, ts, name, demo_topo_metric(met),
				    json_real(demo_round4(sc->series[svc][met][m]))) != 0)
					return -1;
			if (m % 5 == 0 && put_metric(out, ts, name, "restarts",
			    json_integer(sc->restarts[svc][m / 5])) != 0)
				return -1;
			if (svc == SVC_NOTIFICATIONS && put_metric(out, ts, name,
			    "queue_depth", json_real(demo_round4(sc->queue_depth[m]))) != 0)
				return -1;
		}
		if (m % 5 == 0 && (put_health(out, sc, m, ts) != 0 ||
		    put_funnel(out, sc, m, ts) != 0))
			return -1;
		for (; alert < sc->nalerts && sc->alerts[alert].minute == m; alert++)
			if (put_alert(out, &sc->alerts[alert], ts) != 0)
				return -1;
		if (put_errors(out, sc, m) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Ground truth                                                        */

/* Builds the truth object of one fault. */
static json_t *
truth_entry(const struct demo_scenario *sc, const struct demo_fault *f)
{
	static const char *const types[FAULT_COUNT] = {
		"release", "config", "db", "traffic", "dependency", "none", "none"
	};
	static const char *const details[FAULT_COUNT] = {
		"approved", "approved", "approved", "approved", "approved",
		"no approved incident (flapping)", "suppressed (maintenance)"
	};
	static const char *const metrics[FAULT_COUNT][3] = {
		{ "error_ratio", "latency_p99_ms", NULL },
		{ "latency_p99_ms", "error_ratio", NULL },
		{ "latency_p99_ms", "cpu_utilization", NULL },
		{ "request_rate", "cpu_utilization", "latency_p99_ms" },
		{ "error_ratio", "latency_p99_ms", NULL },
		{ NULL, NULL, NULL },
		{ "latency_p99_ms", "error_ratio", NULL },
	};
	json_t *syms = json_array(), *mets = json_array(), *ref = json_null();
	char onset[32], end[32];
	int svcs[4], n, i;

	n = demo_faults_symptoms(f, svcs);
	for (i = 0; i < n; i++)
		json_array_append_new(syms,
		    json_string(demo_topo_service(svcs[i])->name));
	if (f->kind == FAULT_FLAPPING)
		json_array_append_new(mets, json_string(f->variant == 0 ?
		    "queue_depth" : "error_ratio"));
	for (i = 0; i < 3 && metrics[f->kind][i] != NULL; i++)
		json_array_append_new(mets, json_string(metrics[f->kind][i]));
	if (f->change >= 0) {
		json_decref(ref);
		ref = json_string(sc->changes[f->change].id);
	} else if (f->kind == FAULT_EXTERNAL) {
		json_decref(ref);
		ref = json_string(demo_topo_service(SVC_PSP)->name);
	}
	if (f->kind == FAULT_TRAFFIC) {		/* its deploy is a red herring */
		json_decref(ref);
		ref = json_null();
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:o}",
	    "fault", demo_faults_name(f->kind),
	    "expect", f->kind >= FAULT_FLAPPING ? "none" : "incident",
	    "hypothesis_type", types[f->kind],
	    "service", demo_topo_service(f->svc)->name, "ref", ref,
	    "onset", ts_at(onset, sizeof onset, f->onset, 0),
	    "end", ts_at(end, sizeof end, f->end, 0),
	    "symptom_services", syms, "expect_detail", details[f->kind],
	    "signal_metrics", mets);
}

/* Writes the truth array, pretty-printed, one entry per fault kind. */
static int
put_truth(FILE *truth, const struct demo_scenario *sc)
{
	json_t *arr = json_array();
	char *s;
	int k;

	for (k = 0; k < FAULT_COUNT; k++)
		json_array_append_new(arr, truth_entry(sc, &sc->faults[k]));
	s = json_dumps(arr, TRUTH_FLAGS);
	json_decref(arr);
	if (s == NULL)
		return -1;
	fputs(s, truth);
	fputc('\n', truth);
	free(s);
	return 0;
}

/* ------------------------------------------------------------------ */

/* Writes the demo scenario for seed to out and its truth to truth. */
int
demo_generate(FILE *out, FILE *truth, unsigned long seed, char **cause)
{
	struct demo_scenario *sc;
	char msg[256];
	int rc = -1;

	if (out == NULL) {
		set_cause(cause, "demo: no output stream");
		return -1;
	}
	sc = calloc(1, sizeof *sc);
	if (sc == NULL) {
		set_cause(cause, "demo: out of memory");
		return -1;
	}
	demo_rng_seed(&sc->rng, seed);
	if (demo_faults_plan(sc, cause) != 0)
		goto out;
	gen_baseline(sc);
	demo_faults_apply(sc);
	gen_blips(sc);

	if (put_topology(out) != 0 || put_changes(out, sc) != 0 ||
	    put_telemetry(out, sc) != 0) {
		set_cause(cause, "demo: cannot encode a JSON line");
		goto out;
	}
	if (truth != NULL && put_truth(truth, sc) != 0) {
		set_cause(cause, "demo: cannot encode the ground truth");
		goto out;
	}
	if (fflush(out) != 0 || ferror(out) ||
	    (truth != NULL && (fflush(truth) != 0 || ferror(truth)))) {
		snprintf(msg, sizeof msg, "demo: write failed: %s",
		    strerror(errno));
		set_cause(cause, msg);
		goto out;
	}
	rc = 0;
out:
	free(sc);
	return rc;
}
