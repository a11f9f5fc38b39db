/*
 * stage_alert.c - pipeline stage "alert": evaluates the enabled alert_rules
 * against the run's window and keeps one alert per problem.
 *
 * Each rule's config names a source (002_defaults.sql documents the shapes):
 *   incident  approved open incidents touched by the run whose severity
 *             compares (op, value) -> one alert per incident, with the
 *             incident's severity, fingerprint "incident:<dedupe_key>";
 *   metric    threshold: a series whose value compared (op, value) held for
 *             for_seconds; trend: a series that stayed min_change_ratio
 *             above (direction up) or below (down) its 5-minute average
 *             of window_seconds earlier for 3 minutes in a row (a single
 *             outlier does not count) -> "rule:<id>:metric|trend:<series>";
 *   health    health checks of a service in a status (== or !=) for
 *             for_seconds -> "rule:<id>:health:<service>";
 *   signal    active signals of signal_type -> "signal:<dedupe_key>".
 * A rule's candidates are merged into alerts in one statement:
 *   new fingerprint                      -> alert 'active', notifications;
 *   fired again no later than last time  -> nothing (re-running a window is
 *                                           a no-op);
 *   active/acknowledged                  -> refreshed, fire_count + 1;
 *   silenced, silence not over           -> refreshed, stays silenced;
 *   silenced, silence over               -> 'active' again, notifications;
 *   resolved, fired > cooldown after its last firing
 *                                        -> 'active' again, notifications;
 *   resolved within the cooldown         -> nothing (counted as cooldown).
 * Times compared are data time (the run's clock), except a silence, which
 * an operator sets in wall time.  The cooldown is per fingerprint rather
 * than per rule, so one service's alert never swallows another's; the
 * rule's last_triggered_at records the latest data time it alerted.
 * Each notification is a row in outbound_messages per channel of the rule
 * (delivered by the notify stage), keyed so a re-run queues nothing twice.
 * After the rules, an alert whose condition stayed clear for its rule's
 * hold-down is resolved, as a system feedback event (alert_resolve_clear).
 * Then the alerts are grouped by incident and only each group's head pages
 * (alert_group.c).  A run
 * whose window holds several separate breaches of one series records them
 * as one firing (first to last), linked to the incident around the first.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/severity.h"
#include "midwatch/xmalloc.h"
#include "alert_series.h"
#include "pipeline_int.h"

/*
 * Parameters common to every rule statement: $1 project, $2 run, $3 start,
 * $4 end, $5 rule id, $6 rule severity, $7 cooldown seconds, $8 channels,
 * $9 rule name.  Source parameters start at $10.  Every candidate query
 * defines `cand` (fingerprint, service_id, incident_id, title, message,
 * severity, score, fired_at, last_at, details).
 */
#define ALERT_NPARAMS_COMMON 9
#define ALERT_NPARAMS_MAX 14

/* Counts over all rules, for the run summary. */
struct alert_counts {
	long long rules, created, reactivated, refreshed, cooldown, messages;
	long long resolved;	/* alerts resolved: condition clear */
	json_t *skipped;	/* [{rule, reason}] */
};

/* One rule's evaluation: its candidate statement (pipeline/alert_cand_*),
 * the common parameters it takes (their numbers above, 0-terminated; they
 * come first, the source's after them) and all the parameters. */
struct alert_eval {
	const char *cand;
	int series;		/* metric rules: 1 threshold, 2 trend (in C) */
	const int *common;
	const char *params[ALERT_NPARAMS_MAX];
	int nparams;
	char bufs[4][64];	/* storage for formatted parameters */
};

/* The common parameters each candidate statement takes. */
static const int cand_incident[] = { 1, 2, 3, 4, 0 };
static const int cand_series[] = { 1, 3, 4, 5, 6, 0 };	/* health */
static const int cand_signal[] = { 1, 2, 3, 4, 6, 0 };

/* Chooses the candidate statement of a source and its common parameters. */
#define CAND(ev, name, map) ((ev)->cand = (name), \
	(ev)->common = (map))

/* 1 if op is a comparison operator rules may use. */
static int
alert_valid_op(const char *op)
{
	static const char *ops[] = { ">", ">=", "<", "<=", "==", "=", "!=" };
	size_t i;

	for (i = 0; op != NULL && i < MW_ARRAY_LEN(ops); i++)
		if (strcmp(op, ops[i]) == 0)
			return 1;
	return 0;
}

/* 1 if s is a severity name. */
static int
alert_valid_severity(const char *s)
{
	return severity_rank(s) >= 0;
}

/* A non-negative whole number of seconds from config key (default def) as
 * an interval text into buf; -1 when present but not a number >= 0. */
static int
alert_seconds(json_t *cfg, const char *key, long long def, long long min,
    char *buf, size_t len)
{
	double v = (double)def;

	if (jsonx_num(cfg, key, &v, NULL) < 0 || v < (double)min || v > 86400 * 30)
		return -1;
	snprintf(buf, len, "%lld seconds", (long long)v);
	return 0;
}

/*
 * Chooses the candidate query for a rule and fills its source parameters.
 * Returns 0, or -1 with *why (a static string) when the rule's config is not
 * one this stage understands; such a rule is skipped, never fatal.
 */
static int
alert_prepare(struct alert_eval *ev, const char *kind, json_t *cfg,
    const char **why)
{
	const char *source, *op, *metric, *val, *dir;
	double num = 0, ratio = 0.5;
	int n = ALERT_NPARAMS_COMMON;

	source = jsonx_str(cfg, "source", 0, NULL);
	if (source == NULL)
		source = strcmp(kind, "pattern") == 0 ? "signal" : "metric";
	if (strcmp(source, "incident") == 0) {
		op = jsonx_str(cfg, "op", 0, NULL);
		val = jsonx_str(cfg, "value", 0, NULL);
		if (op == NULL)
			op = ">=";
		if (!alert_valid_op(op) || !alert_valid_severity(val)) {
			*why = "incident rules need op and a severity value";
			return -1;
		}
		CAND(ev, "pipeline/alert_cand_incident", cand_incident);
		ev->params[n++] = op;
		ev->params[n++] = val;
	} else if (strcmp(source, "metric") == 0 && strcmp(kind, "trend") == 0) {
		metric = jsonx_str(cfg, "metric", 0, NULL);
		dir = jsonx_str(cfg, "direction", 0, NULL);
		if (dir == NULL)
			dir = "up";
		if (metric == NULL || (strcmp(dir, "up") != 0 &&
		    strcmp(dir, "down") != 0) ||
		    alert_seconds(cfg, "window_seconds", 1800, 300, ev->bufs[0],
		    sizeof ev->bufs[0]) != 0 ||
		    jsonx_num(cfg, "min_change_ratio", &ratio, NULL) < 0 ||
		    ratio <= 0) {
			*why = "trend rules need metric, direction up|down, "
			    "window_seconds >= 300 and min_change_ratio > 0";
			return -1;
		}
		snprintf(ev->bufs[1], sizeof ev->bufs[1], "%.17g", ratio);
		CAND(ev, NULL, NULL);	/* alert_series.c */
		ev->series = 2;
		ev->params[n++] = metric;
		ev->params[n++] = dir;
		ev->params[n++] = ev->bufs[0];
		ev->params[n++] = ev->bufs[1];
	} else if (strcmp(source, "metric") == 0) {
		metric = jsonx_str(cfg, "metric", 0, NULL);
		op = jsonx_str(cfg, "op", 0, NULL);
		if (metric == NULL || !alert_valid_op(op) ||
		    jsonx_num(cfg, "value", &num, NULL) != 0 ||
		    alert_seconds(cfg, "for_seconds", 0, 0, ev->bufs[0],
		    sizeof ev->bufs[0]) != 0) {
			*why = "metric threshold rules need metric, op, a numeric "
			    "value and for_seconds >= 0";
			return -1;
		}
		snprintf(ev->bufs[1], sizeof ev->bufs[1], "%.17g", num);
		CAND(ev, NULL, NULL);	/* alert_series.c */
		ev->series = 1;
		ev->params[n++] = metric;
		ev->params[n++] = op;
		ev->params[n++] = ev->bufs[1];
		ev->params[n++] = ev->bufs[0];
	} else if (strcmp(source, "health") == 0) {
		op = jsonx_str(cfg, "op", 0, NULL);
		val = jsonx_str(cfg, "value", 0, NULL);
		if (op == NULL)
			op = "==";
		if ((strcmp(op, "==") != 0 && strcmp(op, "=") != 0 &&
		    strcmp(op, "!=") != 0) || val == NULL ||
		    (strcmp(val, "healthy") != 0 && strcmp(val, "degraded") != 0 &&
		    strcmp(val, "down") != 0) ||
		    alert_seconds(cfg, "for_seconds", 0, 0, ev->bufs[0],
		    sizeof ev->bufs[0]) != 0) {
			*why = "health rules need op == or !=, a status value and "
			    "for_seconds >= 0";
			return -1;
		}
		CAND(ev, "pipeline/alert_cand_health", cand_series);
		ev->params[n++] = op;
		ev->params[n++] = val;
		ev->params[n++] = ev->bufs[0];
	} else if (strcmp(source, "signal") == 0) {
		val = jsonx_str(cfg, "signal_type", 0, NULL);
		if (val == NULL) {
			*why = "signal rules need signal_type";
			return -1;
		}
		CAND(ev, "pipeline/alert_cand_signal", cand_signal);
		ev->params[n++] = val;
	} else {
		*why = "unknown source (incident, metric, health or signal)";
		return -1;
	}
	ev->nparams = n;
	return 0;
}

/* Runs a rule's candidate statement: the common parameters it takes, then
 * the source's; a metric rule's series are judged in C (alert_series.c). */
static struct db_res *
cand_run(struct db *db, const struct alert_eval *ev, char **cause)
{
	const char *p[ALERT_NPARAMS_MAX];
	const char *const *s = ev->params + ALERT_NPARAMS_COMMON;
	int n = 0, i;

	if (ev->series != 0) {
		struct alert_series_rule r = { ev->series == 2, ev->params[0],
		    ev->params[2], ev->params[3], ev->params[4], ev->params[5],
		    s[0], s[1], s[2], s[3] };

		return alert_series_cands(db, &r, cause);
	}
	for (i = 0; ev->common[i] != 0; i++)
		p[n++] = ev->params[ev->common[i] - 1];
	for (i = ALERT_NPARAMS_COMMON; i < ev->nparams; i++)
		p[n++] = ev->params[i];
	return db_run(db, cause, ev->cand, n, p);
}

/* A rule's candidates as pipeline/alert_merge and pipeline/alert_preview
 * take them: a JSON array of objects, every column's text (or null), so
 * each value reaches them exactly as it left (malloc'd). */
static char *
cand_json(const struct db_res *r)
{
	static const char *const cols[] = { "fingerprint", "service_id",
	    "incident_id", "title", "message", "severity", "score",
	    "fired_at", "last_at", "details" };
	json_t *a = json_array(), *o;
	const char *v;
	char *out;
	size_t k;
	int i;

	for (i = 0; i < db_res_rows(r); i++) {
		o = json_object();
		for (k = 0; k < MW_ARRAY_LEN(cols); k++) {
			v = db_val(r, i, cols[k]);
			json_object_set_new(o, cols[k], v != NULL ?
			    json_string(v) : json_null());
		}
		json_array_append_new(a, o);
	}
	out = jsonx_dump(a);
	json_decref(a);
	return out;
}

/* Notes a skipped rule in the summary and the log. */
static void
alert_skip(struct alert_counts *c, const char *rule, const char *why)
{
	log_warn("alert rule \"%s\" skipped: %s", rule, why);
	json_array_append_new(c->skipped, json_pack("{ssss}", "rule", rule,
	    "reason", why));
}

/* Evaluates one rule (row i of the rules result); 0 or -1 with *cause. */
static int
alert_rule_run(struct pipeline_ctx *ctx, const struct db_res *rules, int i,
    struct alert_counts *c, char **cause)
{
	struct alert_eval ev;
	const char *name = db_val(rules, i, "name"), *why = NULL;
	json_t *cfg;
	struct db_res *r;
	char *cands;
	int rc = -1;

	memset(&ev, 0, sizeof ev);
	cfg = json_loads(db_val(rules, i, "config"), 0, NULL);
	if (!json_is_object(cfg)) {
		alert_skip(c, name, "config is not a JSON object");
		json_decref(cfg);
		return 0;
	}
	if (alert_prepare(&ev, db_val(rules, i, "kind"), cfg, &why) != 0) {
		alert_skip(c, name, why);
		json_decref(cfg);
		return 0;
	}
	ev.params[0] = ctx->project;
	ev.params[1] = ctx->run;
	ev.params[2] = ctx->start_ts;
	ev.params[3] = ctx->end_ts;
	ev.params[4] = db_val(rules, i, "id");
	ev.params[5] = db_val(rules, i, "severity");
	ev.params[6] = db_val(rules, i, "cooldown_seconds");
	ev.params[7] = db_val(rules, i, "channels");
	ev.params[8] = name;
	/* the candidates, then their merge into alerts */
	r = cand_run(ctx->db, &ev, cause);
	if (r != NULL) {
		cands = cand_json(r);
		db_res_free(r);
		ev.params[ALERT_NPARAMS_COMMON] = cands;
		r = db_run(ctx->db, cause, "pipeline/alert_merge",
		    ALERT_NPARAMS_COMMON + 1, ev.params);
		free(cands);
	}
	if (r != NULL) {
		c->rules++;
		c->created += db_val_ll(r, 0, "created");
		c->reactivated += db_val_ll(r, 0, "reactivated");
		c->refreshed += db_val_ll(r, 0, "refreshed");
		c->cooldown += db_val_ll(r, 0, "cooldown");
		c->messages += db_val_ll(r, 0, "messages");
		db_res_free(r);
		rc = 0;
	} else {
		char *why2 = xasprintf("alert rule \"%s\": %s", name, *cause);

		free(*cause);
		*cause = why2;
	}
	json_decref(cfg);
	return rc;
}

/*
 * Resolves the alerts whose condition stayed clear for their rule's
 * hold-down (config.hold_down_seconds, else the policy's), in data time:
 * an incident rule's alert when its incident is resolved; a signal rule's
 * when its signal ended (or is gone) a hold-down before the window's end; a
 * metric or health rule's when it last fired a hold-down before it.  Each
 * is a system feedback event saying why (which also queues PagerDuty's
 * resolve and expires an Alertmanager silence).  External alerts are the
 * source's to resolve (pipeline/alert_resolve).  *n gets how many alerts it
 * resolved.
 */
static int
alert_resolve_clear(struct pipeline_ctx *ctx, long long *n, char **cause)
{
	struct db_res *r;
	char hold[32];

	r = DBQN(ctx->db, cause, "pipeline/alert_resolve", ctx->project,
	    ctx->end_ts,
	    policy_param(hold, sizeof hold, POL_ALERT_HOLD_DOWN), ctx->run);
	if (r == NULL)
		return -1;
	*n = db_val_ll(r, 0, "resolved");
	db_res_free(r);
	return 0;
}

/* Validates a rule as this stage reads it (see pipeline.h). */
int
alert_rule_check(const char *kind, json_t *cfg, const char **why)
{
	struct alert_eval ev;

	memset(&ev, 0, sizeof ev);
	if (kind == NULL || (strcmp(kind, "threshold") != 0 &&
	    strcmp(kind, "trend") != 0 && strcmp(kind, "pattern") != 0)) {
		*why = "kind must be threshold, trend or pattern";
		return -1;
	}
	if (!json_is_object(cfg)) {
		*why = "config must be a JSON object";
		return -1;
	}
	return alert_prepare(&ev, kind, cfg, why);
}

/* What a rule would fire over a window, read-only (see pipeline.h). */
json_t *
alert_rule_preview(struct db *db, long long project_id, long long rule_id,
    const char *kind, json_t *cfg, const char *severity, const char *since,
    const char *until, char **cause)
{
	struct alert_eval ev;
	char project[24], id[24], *cands;
	const char *why = NULL;
	struct db_res *r;
	json_t *out;
	int i;

	memset(&ev, 0, sizeof ev);
	if (alert_prepare(&ev, kind, cfg, &why) != 0) {
		*cause = xstrdup(why);
		return NULL;
	}
	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(id, sizeof id, "%lld", rule_id);
	ev.params[0] = project;
	ev.params[1] = "0";		/* no run: nothing of a run matches */
	ev.params[2] = since;
	ev.params[3] = until;
	ev.params[4] = id;
	ev.params[5] = severity;
	ev.params[6] = "0";
	ev.params[7] = "[]";
	ev.params[8] = "preview";
	/* a read-only transaction: a preview can write nothing */
	if (db_begin(db, cause) != 0)
		return NULL;
	if (db_set_readonly(db, cause) != 0) {
		db_rollback(db);
		return NULL;
	}
	r = cand_run(db, &ev, cause);
	if (r != NULL) {
		cands = cand_json(r);
		db_res_free(r);
		r = DBQN(db, cause, "pipeline/alert_preview", project, cands);
		free(cands);
	}
	db_rollback(db);
	if (r == NULL)
		return NULL;
	out = json_array();
	for (i = 0; i < db_res_rows(r); i++)
		json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:s?, s:o,"
		    " s:s?, s:s?}", "fingerprint", db_val(r, i, "fingerprint"),
		    "title", db_val(r, i, "title"), "severity",
		    db_val(r, i, "severity"), "service", db_val(r, i, "service"),
		    "incident_id", db_val_null(r, i, "incident_id") ?
		    json_null() : json_integer(db_val_ll(r, i, "incident_id")),
		    "fired_at", db_val(r, i, "fired_at"), "last_at",
		    db_val(r, i, "last_at")));
	db_res_free(r);
	return out;
}

/* Runs the stage (see pipeline.h). */
int
stage_alert_run(struct pipeline_ctx *ctx, char **cause)
{
	struct alert_counts c;
	struct db_res *rules;
	json_t *sum;
	int i, n, rc = 0;

	memset(&c, 0, sizeof c);
	/* Most severe rules first: when two rules describe one problem (an
	 * incident), the more severe one creates the alert. */
	rules = DBQN(ctx->db, cause, "pipeline/alert_rules", ctx->project);
	if (rules == NULL)
		return -1;
	c.skipped = json_array();
	n = db_res_rows(rules);
	for (i = 0; i < n && rc == 0; i++) {
		const char *name = db_val(rules, i, "name");
		char *ucause = NULL;

		rc = pipeline_unit_begin(ctx, "alert", "rule", name, &ucause);
		if (rc == 0)
			rc = alert_rule_run(ctx, rules, i, &c, &ucause);
		rc = pipeline_unit_end(ctx, rc, "alert", "rule", name, &ucause,
		    cause);
	}
	db_res_free(rules);
	if (rc == 0)
		rc = alert_resolve_clear(ctx, &c.resolved, cause);
	sum = json_pack("{sIsIsIsIsIsIsIsO}", "rules", (json_int_t)c.rules,
	    "resolved", (json_int_t)c.resolved,
	    "created", (json_int_t)c.created,
	    "reactivated", (json_int_t)c.reactivated,
	    "refreshed", (json_int_t)c.refreshed,
	    "cooldown", (json_int_t)c.cooldown,
	    "messages", (json_int_t)c.messages, "skipped", c.skipped);
	/* Last: the groups see every alert this run raised or resolved. */
	if (rc == 0)
		rc = alert_group_apply(ctx, sum, cause);
	if (rc == 0 && ctx->summary != NULL)
		json_object_set(ctx->summary, "alert", sum);
	json_decref(sum);
	json_decref(c.skipped);
	return rc;
}
