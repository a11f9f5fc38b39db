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
 * hold-down is resolved, as a system feedback event (alert_sql_resolve).
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
#include "midwatch/sqltext.h"
#include "midwatch/xmalloc.h"
#include "alert_int.h"
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

/* One rule's evaluation: the candidate query and its parameters. */
struct alert_eval {
	const char *cand_sql;
	const char *params[ALERT_NPARAMS_MAX];
	int nparams;
	char bufs[4][64];	/* storage for formatted parameters */
};

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
		ev->cand_sql = alert_sql_incident;
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
		ev->cand_sql = alert_sql_trend;
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
		ev->cand_sql = alert_sql_metric;
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
		ev->cand_sql = alert_sql_health;
		ev->params[n++] = op;
		ev->params[n++] = val;
		ev->params[n++] = ev->bufs[0];
	} else if (strcmp(source, "signal") == 0) {
		val = jsonx_str(cfg, "signal_type", 0, NULL);
		if (val == NULL) {
			*why = "signal rules need signal_type";
			return -1;
		}
		ev->cand_sql = alert_sql_signal;
		ev->params[n++] = val;
	} else {
		*why = "unknown source (incident, metric, health or signal)";
		return -1;
	}
	ev->nparams = n;
	return 0;
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
	const char *name = db_res_get(rules, i, 1), *why = NULL;
	json_t *cfg;
	struct db_res *r;
	char *sql;
	int rc = -1;

	memset(&ev, 0, sizeof ev);
	cfg = json_loads(db_res_get(rules, i, 3), 0, NULL);
	if (!json_is_object(cfg)) {
		alert_skip(c, name, "config is not a JSON object");
		json_decref(cfg);
		return 0;
	}
	if (alert_prepare(&ev, db_res_get(rules, i, 2), cfg, &why) != 0) {
		alert_skip(c, name, why);
		json_decref(cfg);
		return 0;
	}
	ev.params[0] = ctx->project;
	ev.params[1] = ctx->run;
	ev.params[2] = ctx->start_ts;
	ev.params[3] = ctx->end_ts;
	ev.params[4] = db_res_get(rules, i, 0);
	ev.params[5] = db_res_get(rules, i, 4);
	ev.params[6] = db_res_get(rules, i, 6);
	ev.params[7] = db_res_get(rules, i, 5);
	ev.params[8] = name;
	/* Both parts are constant text of this file: no input in the SQL. */
	sql = xasprintf("%s%s", ev.cand_sql, alert_sql_merge);
	r = db_query(ctx->db, cause, sql, ev.nparams, ev.params);
	if (r != NULL) {
		c->rules++;
		c->created += db_res_ll(r, 0, 0);
		c->reactivated += db_res_ll(r, 0, 1);
		c->refreshed += db_res_ll(r, 0, 2);
		c->cooldown += db_res_ll(r, 0, 3);
		c->messages += db_res_ll(r, 0, 4);
		db_res_free(r);
		rc = 0;
	} else {
		char *why2 = xasprintf("alert rule \"%s\": %s", name, *cause);

		free(*cause);
		*cause = why2;
	}
	free(sql);
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
 * source's to resolve.  $1 project, $2 window end, $3 default hold-down,
 * $4 run.
 */
static const char alert_sql_resolve[] =
    "WITH due AS ("
    "	SELECT a.id, a.incident_id, r.name AS rule, a.fingerprint,"
    "	       coalesce((r.config ->> 'hold_down_seconds')::integer,"
    "	           $3::integer) AS hold"
    "	  FROM midwatch.alerts a"
    "	  JOIN midwatch.alert_rules r"
    "	    ON r.project_id = a.project_id AND r.id = a.rule_id"
    "	 WHERE a.project_id = $1"
    "	   AND a.status IN ('active', 'acknowledged', 'silenced')"
    "	   AND a.fingerprint NOT LIKE 'external:%'),"
    " clear AS ("
    "	SELECT d.*, CASE"
    "	  WHEN d.fingerprint LIKE 'incident:%' THEN 'incident ' || d.incident_id"
    "	       || ' resolved'"
    "	  WHEN d.fingerprint LIKE 'signal:%' THEN 'its signal ended ' || d.hold"
    "	       || ' s ago or more (hold-down of rule ' || d.rule || ')'"
    "	  ELSE 'condition clear for ' || d.hold || ' s (hold-down of rule '"
    "	       || d.rule || ')' END AS reason"
    "	  FROM due d JOIN midwatch.alerts a"
    "	    ON a.project_id = $1 AND a.id = d.id"
    "	 WHERE CASE"
    "	  WHEN d.fingerprint LIKE 'incident:%' THEN EXISTS ("
    "	       SELECT 1 FROM midwatch.incidents i WHERE i.project_id = $1"
    "	          AND i.id = a.incident_id AND i.status = 'resolved')"
    "	  WHEN d.fingerprint LIKE 'signal:%' THEN NOT EXISTS ("
    "	       SELECT 1 FROM midwatch.signals g WHERE g.project_id = $1"
    "	          AND g.id::text = a.details ->> 'signal_id'"
    "	          AND coalesce(g.ended_at, 'infinity') > $2::timestamptz"
    "	              - make_interval(secs => d.hold))"
    "	  ELSE a.last_fired_at < $2::timestamptz - make_interval(secs => d.hold)"
    "	  END),"
    " upd AS ("
    "	UPDATE midwatch.alerts a SET status = 'resolved',"
    "	       status_source = 'pipeline', resolved_at = now(),"
    "	       resolved_by = 'midwatch', silenced_until = NULL"
    "	  FROM clear c WHERE a.project_id = $1 AND a.id = c.id"
    "	RETURNING a.id, a.incident_id, c.reason),"
    " ev AS ("
    "	INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,"
    "	       event_type, target_kind, target_id, incident_id, payload,"
    "	       idempotency_key)"
    "	SELECT $1, 'system', 'midwatch', 'alert_resolved', 'alert', u.id,"
    "	       u.incident_id, jsonb_build_object('reason', u.reason,"
    "	           'run_id', $4::bigint, 'automatic', true),"
    "	       'system:alert_resolved:' || u.id || ':' || $4"
    "	  FROM upd u ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM ev)";

/* Runs the resolution pass; *n gets how many alerts it resolved. */
static int
alert_resolve_clear(struct pipeline_ctx *ctx, long long *n, char **cause)
{
	struct db_res *r;
	char hold[32];

	r = DBQ(ctx->db, cause, alert_sql_resolve, ctx->project, ctx->end_ts,
	    policy_param(hold, sizeof hold, POL_ALERT_HOLD_DOWN), ctx->run);
	if (r == NULL)
		return -1;
	*n = db_res_ll(r, 0, 0);
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
	static const char tail[] =
	    " SELECT c.fingerprint, c.title, c.severity, s.name,"
	    "        c.incident_id, " ALERT_TS("c.fired_at") ","
	    "        " ALERT_TS("c.last_at")
	    "   FROM cand c"
	    "   LEFT JOIN midwatch.services s"
	    "     ON s.project_id = $1 AND s.id = c.service_id"
	    "  CROSS JOIN (SELECT $2::bigint, $5::bigint, $6::text, $7::integer,"
	    "       $8::jsonb, $9::text) AS unused"
	    "  ORDER BY c.fired_at, c.fingerprint LIMIT 1000";
	struct alert_eval ev;
	char project[24], id[24], *sql;
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
	if (DBX(db, cause, "SET TRANSACTION READ ONLY") != 0) {
		db_rollback(db);
		return NULL;
	}
	sql = xasprintf("%s%s", ev.cand_sql, tail);
	r = db_query(db, cause, sql, ev.nparams, ev.params);
	free(sql);
	db_rollback(db);
	if (r == NULL)
		return NULL;
	out = json_array();
	for (i = 0; i < db_res_rows(r); i++)
		json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:s?, s:o,"
		    " s:s?, s:s?}", "fingerprint", db_res_get(r, i, 0), "title",
		    db_res_get(r, i, 1), "severity", db_res_get(r, i, 2), "service",
		    db_res_get(r, i, 3), "incident_id", db_res_isnull(r, i, 4) ?
		    json_null() : json_integer(db_res_ll(r, i, 4)), "fired_at",
		    db_res_get(r, i, 5), "last_at", db_res_get(r, i, 6)));
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
	rules = DBQ(ctx->db, cause,
	    "SELECT id, name, kind, config::text, severity, channels::text,"
	    "       cooldown_seconds"
	    "  FROM midwatch.alert_rules"
	    " WHERE project_id = $1 AND enabled"
	    " ORDER BY midwatch.severity_rank(severity) DESC, id",
	    ctx->project);
	if (rules == NULL)
		return -1;
	c.skipped = json_array();
	n = db_res_rows(rules);
	for (i = 0; i < n && rc == 0; i++) {
		const char *name = db_res_get(rules, i, 1);
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
