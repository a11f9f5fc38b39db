/*
 * worker_fake.c - a development hook: a made-up snapshot, so the console can
 * be driven without a database (MIDWATCH_DEV_FAKE=1).  Every string and
 * array is malloc'd the way model_load's are, so model_free releases it.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "midwatch/model.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"

/* Fills an alert. */
static void
worker_fake_alert(struct mw_alert *a, long long id, long long inc,
    const char *title, const char *msg, const char *sev, const char *status,
    double at)
{
	a->id = id;
	a->incident_id = inc;
	a->title = xstrdup(title);
	a->message = xstrdup(msg);
	a->severity = xstrdup(sev);
	a->status = xstrdup(status);
	a->created_at = at;
}

/* Fills an evidence item. */
static void
worker_fake_ev(struct mw_evidence *e, long long id, const char *kind,
    const char *role, const char *summary, const char *ref)
{
	e->id = id;
	e->kind = xstrdup(kind);
	e->role = xstrdup(role);
	e->summary = xstrdup(summary);
	e->source = xstrdup("demo");
	e->ref = xstrdup(ref);
	e->weight = 1;
	e->confidence = 0.8;
}

/* A snapshot with three incidents; caller frees with model_free. */
struct mw_snapshot *
worker_fake_snapshot(void)
{
	struct mw_snapshot *s = xcalloc(1, sizeof *s);
	struct mw_incident *inc;
	struct mw_hypothesis *h;
	time_t t_now = time(NULL);
	double now = (double)t_now;
	size_t i;

	s->taken_at = now;
	s->last_run_id = 7;
	s->last_run_status = xstrdup("completed");
	s->last_run_finished = now - 120;
	s->n_incidents = 3;
	s->incidents = xcalloc(3, sizeof *s->incidents);
	for (i = 0; i < 3; i++) {
		inc = &s->incidents[i];
		inc->id = (long long)i + 1;
		inc->service = xstrdup(i == 0 ? "checkout-api" : i == 1 ? "payments-db" : "search");
		inc->status = xstrdup(i == 2 ? "resolved" : "open");
		inc->severity = xstrdup(i == 0 ? "critical" : "high");
		inc->trigger_type = xstrdup(i == 0 ? "error_rate_spike" : "latency_regression");
		inc->title = xstrdup(i == 0 ? "Error rate spike on checkout-api after deploy v2.3" :
		    i == 1 ? "p99 latency regression on payments-db" : "Traffic drop on search");
		inc->window_start = now - 3600 * (double)(i + 1);
		inc->window_end = inc->window_start + 1500;
		inc->created_at = inc->window_start;
		inc->decision = xstrdup("approved");
		inc->rationale = xstrdup("severity above threshold, not flapping");
		inc->policy_version = xstrdup("v1");
		inc->confidence = 0.8;
	}
	inc = &s->incidents[0];
	inc->n_hypotheses = 2;
	inc->hypotheses = xcalloc(2, sizeof *inc->hypotheses);
	h = &inc->hypotheses[0];
	h->id = 11; h->rank = 1; h->type = xstrdup("release");
	h->service = xstrdup("checkout-api"); h->title = xstrdup("Deploy v2.3 of checkout-api broke the error rate");
	h->ref = xstrdup("deploy-23"); h->status = xstrdup("proposed");
	h->why = xstrdup("The deploy finished 2 minutes before the onset and changed the HTTP client; "
	    "no other change is that close.\nSimilar past incident #3 was a release.");
	h->confidence = 0.82;
	h->n_evidence = 3;
	h->evidence = xcalloc(3, sizeof *h->evidence);
	worker_fake_ev(&h->evidence[0], 101, "deployment", "supports", "deploy v2.3 finished 13:58, 2m before onset", "deploy-23");
	worker_fake_ev(&h->evidence[1], 102, "commit_file", "supports", "src/http/client.go changed: timeout 30s -> 3s", "abc123");
	worker_fake_ev(&h->evidence[2], 0, "config_change", "missing", "", "");
	h = &inc->hypotheses[1];
	h->id = 12; h->rank = 2; h->type = xstrdup("dependency");
	h->service = xstrdup("payments-db"); h->title = xstrdup("payments-db latency");
	h->status = xstrdup("proposed"); h->why = xstrdup("Downstream latency rose too.");
	h->confidence = 0.41;
	h->n_evidence = 1;
	h->evidence = xcalloc(1, sizeof *h->evidence);
	worker_fake_ev(&h->evidence[0], 103, "dependency_anomaly", "contradicts", "payments-db latency rose after the onset", "payments-db");
	inc->n_recommendations = 2;
	inc->recommendations = xcalloc(2, sizeof *inc->recommendations);
	inc->recommendations[0].id = 21; inc->recommendations[0].hypothesis_id = 11;
	inc->recommendations[0].type = xstrdup("rollback");
	inc->recommendations[0].title = xstrdup("Roll back checkout-api to v2.2");
	inc->recommendations[0].status = xstrdup("new");
	inc->recommendations[0].publishable = 1;
	inc->recommendations[1].id = 22;
	inc->recommendations[1].type = xstrdup("scale_out");
	inc->recommendations[1].title = xstrdup("Scale out payments-db");
	inc->recommendations[1].status = xstrdup("new");
	inc->recommendations[1].gate_reason = xstrdup("no evidence");
	inc->n_alerts = 2;
	inc->alerts = xcalloc(2, sizeof *inc->alerts);
	worker_fake_alert(&inc->alerts[0], 31, 1, "High error rate on checkout-api",
	    "error ratio 0.25 > 0.05 for 5m", "critical", "active", now - 1800);
	worker_fake_alert(&inc->alerts[1], 32, 1, "Bad \x1b]0;pwned\x07title \x1b[31mred",
	    "message with \x1b]0;pwned\x07 escape \x1b[31m sequences", "high", "acknowledged",
	    now - 900);
	inc->alerts[1].acked_by = xstrdup("bob");
	inc->alerts[1].acked_at = now - 3000;
	s->n_alerts = 2;
	s->alerts = xcalloc(2, sizeof *s->alerts);
	worker_fake_alert(&s->alerts[0], 31, 1, "High error rate on checkout-api",
	    "error ratio 0.25 > 0.05 for 5m", "critical", "active", now - 1800);
	worker_fake_alert(&s->alerts[1], 32, 1, "Bad \x1b]0;pwned\x07title \x1b[31mred",
	    "message with \x1b]0;pwned\x07 escape \x1b[31m sequences", "high", "acknowledged",
	    now - 900);
	s->alerts[1].acked_by = xstrdup("bob");
	s->alerts[1].acked_at = now - 3000;
	/* What model_load_detail would add. */
	inc->n_timeline = 4;
	inc->timeline = xcalloc(4, sizeof *inc->timeline);
	inc->timeline[0].ts = inc->window_start - 120;
	inc->timeline[0].kind = xstrdup("deploy");
	inc->timeline[0].label = xstrdup("checkout-api v2.3 (deploy-23)");
	inc->timeline[1].ts = inc->window_start - 600;
	inc->timeline[1].kind = xstrdup("config_change");
	inc->timeline[1].label = xstrdup("feature flag fast-checkout on");
	inc->timeline[2].ts = inc->window_start;
	inc->timeline[2].kind = xstrdup("onset");
	inc->timeline[2].label = xstrdup("error_ratio rises");
	inc->timeline[3].ts = inc->window_start + 300;
	inc->timeline[3].kind = xstrdup("alert");
	inc->timeline[3].label = xstrdup("High error rate on checkout-api");
	inc->n_series = 1;
	inc->series = xcalloc(1, sizeof *inc->series);
	inc->series[0].service = xstrdup("checkout-api");
	inc->series[0].metric = xstrdup("error_ratio");
	inc->series[0].onset = inc->window_start;
	inc->series[0].n = 60;
	inc->series[0].ts = xcalloc(60, sizeof(double));
	inc->series[0].value = xcalloc(60, sizeof(double));
	inc->series[0].baseline = xcalloc(60, sizeof(double));
	for (i = 0; i < 60; i++) {
		inc->series[0].ts[i] = inc->window_start - 1800 + 60 * (double)i;
		inc->series[0].value[i] = i < 30 ? 0.01 + 0.002 * (double)(i % 3) :
		    0.25 - 0.002 * (double)(i - 30);
		inc->series[0].baseline[i] = 0.012;
	}
	model_count_lists(s);	/* no database counts them */
	return s;
}
