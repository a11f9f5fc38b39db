/*
 * notify_act.c - delivering the actions requested on recommendations
 * (recommendation_action_runs, sql/021_action_runs.sql) with the same
 * channels, sender and retry policy as notifications (notify_send.c,
 * net.h):
 *
 *   claim   (one transaction) the oldest due run of the project (FOR
 *           UPDATE SKIP LOCKED; a tracker task's runs of one incident and
 *           channel go in order), 'running' with a lease in next_retry_at,
 *           the attempt counted, max_retries taken from the channel's
 *           max-attempts on the first attempt, and what the body needs;
 *   send    outside any transaction: send_message and set_reminder as a
 *           notification of event "message" / "reminder" in the channel's
 *           shape (the log channel writes midwatch's log);
 *           create_or_update_task as a JSON webhook carrying the
 *           incident's task key (in the body and the Midwatch-Task-Key
 *           header) and the tracker's task id once known;
 *   record  (one transaction) succeeded with its result (the tracker's
 *           task id kept for the next update), or the error ("channel X:
 *           HTTP 500: ...") and a retry after the channel's backoff, or
 *           failed once max_retries retries are spent or the target
 *           refused for good (4xx).
 *
 * A runner killed mid-send leaves the run 'running' until its lease
 * lapses; it is then sent again with the same Idempotency-Key.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/net.h"
#include "midwatch/notify.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"
#include "notify_int.h"

/* A claimed run. */
struct act_run {
	char id[24];
	char incident_id[24];
	char *action;
	char *channel;
	char *key;		/* the run's idempotency key (Idempotency-Key) */
	char *requested_by;
	json_t *params;		/* owned */
	json_t *reco;		/* {id, type, title, status}, owned */
	json_t *incident;	/* {id, title, service, severity, status}, owned */
	char *task_key;		/* the incident's task on the channel, or NULL */
	char *task_id;		/* the tracker's id, or NULL */
	int task_created;	/* an earlier run created the task */
	int attempts;		/* including this one */
	int max_retries;
	struct notify_channel ch;
	int have_ch;
};

/* Frees a claimed run. */
static void
act_run_free(struct act_run *a)
{
	free(a->action);
	free(a->channel);
	free(a->key);
	free(a->requested_by);
	free(a->task_key);
	free(a->task_id);
	json_decref(a->params);
	json_decref(a->reco);
	json_decref(a->incident);
	if (a->have_ch)
		notify_channel_free(&a->ch);
	memset(a, 0, sizeof *a);
}

/* A JSON column, or an empty object. */
static json_t *
act_json(const char *s)
{
	json_error_t jerr;
	json_t *j = s != NULL ? json_loads(s, 0, &jerr) : NULL;

	return j != NULL ? j : json_object();
}

/* A text column, malloc'd, or NULL. */
static char *
act_col(const struct db_res *r, const char *col)
{
	return db_val_null(r, 0, col) ? NULL : xstrdup(db_val(r, 0, col));
}

/* Claims the next due run; 1 with *a, 0 none due, -1 *cause. */
static int
act_claim(struct db *db, const char *project, struct act_run *a,
    char **cause)
{
	struct db_res *r = NULL;
	struct net_retry pol;
	char lease[24], retries[24], reco[24];

	memset(a, 0, sizeof *a);
	if (db_begin(db, cause) != 0)
		return -1;
	if ((r = DBQN(db, cause, "notify/act_pick", project)) == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		db_rollback(db);
		return 0;
	}
	snprintf(a->id, sizeof a->id, "%s", db_val(r, 0, "id"));
	a->action = xstrdup(db_val(r, 0, "action"));
	a->channel = xstrdup(db_val(r, 0, "channel"));
	a->params = act_json(db_val(r, 0, "params"));
	a->key = xstrdup(db_val(r, 0, "idempotency_key"));
	snprintf(reco, sizeof reco, "%s", db_val(r, 0, "recommendation_id"));
	a->requested_by = xstrdup(db_val(r, 0, "requested_by"));
	snprintf(a->incident_id, sizeof a->incident_id, "%s",
	    db_val(r, 0, "incident_id"));
	db_res_free(r);
	r = NULL;

	if (notify_channel_lease(db, project, a->channel, &a->ch, &a->have_ch,
	    &pol, lease, sizeof lease, cause) != 0)
		goto fail;
	snprintf(retries, sizeof retries, "%d", pol.max_attempts - 1);
	if ((r = DBQN(db, cause, "notify/act_claim", project, a->id, lease,
	    retries)) == NULL)
		goto fail;
	a->attempts = (int)db_val_ll(r, 0, "attempts");
	a->max_retries = (int)db_val_ll(r, 0, "max_retries");
	db_res_free(r);
	if ((r = DBQN(db, cause, "notify/act_context", project, reco,
	    a->channel)) == NULL)
		goto fail;
	if (db_res_rows(r) == 1) {
		a->reco = act_json(db_val(r, 0, "recommendation"));
		a->incident = act_json(db_val(r, 0, "incident"));
		a->task_key = act_col(r, "task_key");
		a->task_id = act_col(r, "task_id");
		a->task_created = strcmp(db_val(r, 0, "task_created"),
		    "t") == 0;
	}
	db_res_free(r);
	r = NULL;
	if (db_commit(db, cause) != 0)
		goto fail;
	return 1;
fail:
	db_res_free(r);
	db_rollback(db);
	act_run_free(a);
	return -1;
}

/* The line a message or reminder says. */
static char *
act_summary(const struct act_run *a)
{
	const char *text = jsonx_str(a->params, "text", 0, NULL);
	const char *title = jsonx_str(a->reco, "title", 0, NULL);
	long long id = (long long)json_integer_value(json_object_get(a->reco,
	    "id"));

	if (strcmp(a->action, "set_reminder") == 0)
		return xasprintf("Reminder: %s (recommendation %lld)",
		    text != NULL ? text : title != NULL ? title : "", id);
	if (text != NULL)
		return xstrdup(text);
	return xasprintf("Recommendation %lld: %s", id, title != NULL ? title :
	    "");
}

/*
 * The body to send (a new reference): a notification of event "message" or
 * "reminder" in the channel's shape, or the tracker's task webhook
 * (doc/integrations.md, "Acting on a recommendation").  NULL for the log
 * channel.
 */
static json_t *
act_body(const struct act_run *a)
{
	json_t *note, *body;
	char *summary;
	long long inc = (long long)json_integer_value(json_object_get(
	    a->incident, "id"));
	char key[48];

	snprintf(key, sizeof key, "midwatch-incident-%lld", inc);
	if (strcmp(a->action, "create_or_update_task") == 0) {
		body = json_pack("{s:i, s:s, s:s, s:s, s:{s:s?, s:s?}, s:O, s:O,"
		    " s:s?, s:s, s:s}", "version", 1, "source", "midwatch",
		    "type", "task", "operation", a->task_created ||
		    a->task_id != NULL ? "update" : "create", "task", "key",
		    a->task_key, "id", a->task_id, "incident", a->incident,
		    "recommendation", a->reco, "text", jsonx_str(a->params,
		    "text", 0, NULL), "requested_by", a->requested_by,
		    "idempotency_key", a->key);
		return body;
	}
	summary = act_summary(a);
	note = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:[], s:s}",
	    "event", strcmp(a->action, "set_reminder") == 0 ? "reminder" :
	    "message", "key", key, "idempotency_key", a->key, "summary",
	    summary, "severity", "info", "incident", a->incident,
	    "recommendation", a->reco, "alerts", "requested_by",
	    a->requested_by);
	free(summary);
	body = notify_body(a->ch.kind, note);
	json_decref(note);
	return body;
}

/* The tracker's task id in its answer (see notify.h). */
char *
notify_act_task_id(const char *answer)
{
	static const char *const names[] = { "id", "task_id", "key" };
	json_error_t jerr;
	json_t *j = json_loads(answer != NULL ? answer : "", 0, &jerr), *v;
	char *id = NULL;
	size_t i;

	for (i = 0; json_is_object(j) && id == NULL && i < MW_ARRAY_LEN(names);
	    i++) {
		v = json_object_get(j, names[i]);
		if (json_is_string(v) && *json_string_value(v) != '\0')
			id = sanitize_text(json_string_value(v), 0);
		else if (json_is_integer(v))
			id = xasprintf("%lld", (long long)json_integer_value(v));
		if (id != NULL && *id == '\0') {	/* only an escape sequence */
			free(id);
			id = NULL;
		}
	}
	json_decref(j);
	return id;
}

/* Records an attempt's outcome (err NULL: delivered); *state gets
 * succeeded, pending (a retry is due later), failed or lost. */
static int
act_record(struct db *db, const char *project, const struct act_run *a,
    const struct net_response *resp, const char *err, const char **state,
    char **cause)
{
	struct net_retry pol;
	char delay[32], *result = NULL, *task_id = NULL;
	const char *op = NULL;
	double d = 0;
	int timeout_ms, owned, rc = -1;
	json_t *res;

	notify_channel_policy(a->have_ch ? &a->ch : NULL, &pol, &timeout_ms);
	pol.max_attempts = a->max_retries + 1;
	if (err == NULL)
		*state = "succeeded";
	else if (resp->status != 0 && !net_retryable(resp->status))
		*state = "failed";	/* the target refused it for good */
	else if (a->have_ch && net_retry_next(&pol, a->attempts, net_jitter(),
	    resp->retry_after, &d))
		*state = "pending";
	else
		*state = "failed";
	snprintf(delay, sizeof delay, "%.3f", d);
	res = json_pack("{s:i, s:i}", "attempts", a->attempts, "http_status",
	    (int)resp->status);
	if (strcmp(a->action, "create_or_update_task") == 0 && err == NULL) {
		op = a->task_created || a->task_id != NULL ? "update" : "create";
		task_id = notify_act_task_id(resp->body);
		json_object_set_new(res, "operation", json_string(op));
		json_object_set_new(res, "task_key", json_string(a->task_key));
		if (task_id != NULL || a->task_id != NULL)
			json_object_set_new(res, "task_id", json_string(
			    task_id != NULL ? task_id : a->task_id));
	}
	if (strcmp(a->action, "set_reminder") == 0 && err == NULL)
		json_object_set_new(res, "reminded",
		    json_string(jsonx_str(a->params, "at", 0, NULL)));
	result = jsonx_dump(res);
	json_decref(res);
	if (db_begin(db, cause) != 0)
		goto out;
	/* Still ours?  (A lapsed lease lets another runner take it.) */
	if ((owned = notify_still_ours(db, "notify/act_owned", project, a->id,
	    a->attempts, cause)) < 0)
		goto fail;
	if (!owned) {
		*state = "lost";
		db_rollback(db);
		rc = 0;
		goto out;
	}
	if (DBXN(db, cause, "notify/act_outcome", project, a->id, *state,
	    err, result, delay) != 0)
		goto fail;
	if (op != NULL && DBXN(db, cause, "notify/act_task", project,
	    a->incident_id, a->channel, task_id, a->id, op) != 0)
		goto fail;
	rc = db_commit(db, cause);
	goto out;
fail:
	db_rollback(db);
out:
	free(task_id);
	free(result);
	return rc;
}

/* Sends a claimed run and records it; *state as act_record. */
static int
act_one(struct db *db, const char *project, struct act_run *a,
    const char **state, char **cause)
{
	struct net_response resp;
	json_t *body = NULL;
	char *err = NULL, *why, *s, *hdr;
	int rc;

	memset(&resp, 0, sizeof resp);
	resp.retry_after = -1;
	if (!a->have_ch)
		err = xasprintf("channel %s: no such channel (midwatch channels "
		    "add)", a->channel);
	else if (a->reco == NULL)
		err = xstrdup("the recommendation is gone");
	else if (strcmp(a->ch.kind, "log") == 0) {
		s = act_summary(a);
		why = sanitize_text(s, 0);
		log_info("%s (requested by %s)", why, a->requested_by);
		free(why);
		free(s);
	} else {
		body = act_body(a);
		/* the incident's task key, in a header too: the tracker's
		 * idempotency key for the task, as Idempotency-Key is for
		 * the request */
		hdr = a->task_key != NULL && strcmp(a->action,
		    "create_or_update_task") == 0 ? xasprintf(
		    "Midwatch-Task-Key: %s", a->task_key) : NULL;
		notify_send_with(&a->ch, body, a->key, hdr, &resp);
		free(hdr);
		if ((why = notify_outcome(&resp)) != NULL) {
			err = xasprintf("channel %s: %s", a->channel, why);
			free(why);
		}
	}
	if (resp.body == NULL)
		resp.body = xstrdup("");
	rc = act_record(db, project, a, &resp, err, state, cause);
	if (err != NULL)
		log_debug("action run %s (%s): attempt %d: %s", a->id, a->action,
		    a->attempts, err);
	free(err);
	json_decref(body);
	net_response_free(&resp);
	return rc;
}

/* Delivers the project's due action runs (see notify_int.h). */
int
notify_act_pass(struct db *db, const char *project, struct notify_counts *c,
    char **cause)
{
	struct act_run a;
	const char *state;
	int rc;

	for (;;) {
		if ((rc = act_claim(db, project, &a, cause)) <= 0)
			return rc;
		rc = act_one(db, project, &a, &state, cause);
		act_run_free(&a);
		if (rc != 0)
			return -1;
		c->act_attempts++;
		if (strcmp(state, "succeeded") == 0)
			c->act_succeeded++;
		else if (strcmp(state, "pending") == 0)
			c->act_retrying++;
		else if (strcmp(state, "failed") == 0)
			c->act_failed++;
	}
}
