/*
 * notify.c - delivering outbound_messages.  Each message goes through
 *
 *   claim   (one transaction) pick the oldest due message of the project
 *           whose channel and incident key have nothing older undelivered
 *           (FOR UPDATE SKIP LOCKED, so deliverers share the work), mark it
 *           'sending' with a lease in next_attempt_at, count the attempt,
 *           close an attempt a killed deliverer left open, gather the
 *           same incident's due messages of the same event into it (first
 *           attempt only), render and store its body, open an attempt row;
 *   send    outside any transaction (net.h: one timeout policy);
 *   record  (one transaction) close the attempt with status/error and set
 *           the message and its group sent, failed with next_attempt_at
 *           from the backoff policy, or dead.
 *
 * Killed between claim and record, the message stays 'sending' until its
 * lease lapses and is then sent again with the same body and idempotency
 * key: nothing is lost, and only what was not confirmed is sent twice (and
 * the receiver can tell).  A message of an incident that was notified
 * within the channel's group window waits for the window's end, so what
 * the following runs add goes out as one message.  Each pass then delivers
 * the actions requested on recommendations that are due (notify_act.c).
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/net.h"
#include "midwatch/notify.h"
#include "midwatch/pgarray.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"
#include "notify_int.h"

/* Channels a pass skipped after a failure: at most this many. */
#define NOTIFY_MAX_SKIP 64

/* Frees a claimed message. */
static void
notify_msg_free(struct notify_msg *m)
{
	free(m->channel);
	free(m->event);
	free(m->idem);
	json_decref(m->body);
	if (m->have_ch)
		notify_channel_free(&m->ch);
	memset(m, 0, sizeof *m);
}


/*
 * Claims the next due message (see the file comment).  Returns 1 with *m
 * filled, 0 when nothing is due, -1 *cause.
 */
static int
notify_claim(struct db *db, const char *project, const char *skip,
    struct notify_msg *m, char **cause)
{
	struct db_res *r = NULL;
	struct net_retry pol;
	json_error_t jerr;
	char lease[24], maxa[24], win[24];
	int fresh;

	memset(m, 0, sizeof *m);
	if (db_begin(db, cause) != 0)
		return -1;
	r = DBQN(db, cause, "notify/pick", project, skip);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		db_rollback(db);
		return 0;
	}
	snprintf(m->id, sizeof m->id, "%s", db_val(r, 0, "id"));
	m->channel = xstrdup(db_val(r, 0, "channel"));
	m->event = xstrdup(db_val(r, 0, "event"));
	m->idem = xstrdup(db_val(r, 0, "idempotency_key"));
	fresh = strcmp(db_val(r, 0, "fresh"), "t") == 0;
	if (!fresh)
		m->body = json_loads(db_val(r, 0, "body"), 0, &jerr);
	db_res_free(r);
	r = NULL;

	if (notify_channel_lease(db, project, m->channel, &m->ch, &m->have_ch,
	    &pol, lease, sizeof lease, cause) != 0)
		goto fail;
	snprintf(maxa, sizeof maxa, "%d", pol.max_attempts);
	r = DBQN(db, cause, "notify/claim", project, m->id, lease, maxa);
	if (r == NULL)
		goto fail;
	m->attempts = (int)db_val_ll(r, 0, "attempts");
	db_res_free(r);
	r = NULL;
	if (DBXN(db, cause, "notify/interrupted", project, m->id) != 0)
		goto fail;
	m->grouped = 1;
	if (fresh && m->have_ch) {
		snprintf(win, sizeof win, "%ld", notify_setting_get(
		    m->ch.settings, "group-window"));
		r = DBQN(db, cause, "notify/group", project, m->id, win);
		if (r == NULL)
			goto fail;
		m->grouped += db_res_rows(r);
		db_res_free(r);
		r = NULL;
		if (notify_render(db, project, m, cause) != 0)
			goto fail;
	}
	r = DBQN(db, cause, "notify/attempt_open", project, m->id);
	if (r == NULL)
		goto fail;
	snprintf(m->attempt_id, sizeof m->attempt_id, "%s",
	    db_val(r, 0, "id"));
	db_res_free(r);
	r = NULL;
	if (db_commit(db, cause) != 0)
		goto fail;
	return 1;
fail:
	db_res_free(r);
	db_rollback(db);
	notify_msg_free(m);
	return -1;
}

/* Delivers a log-channel message: the summary into midwatch's log. */
static void
notify_log(const struct notify_msg *m, int quiet)
{
	char *s = sanitize_text(jsonx_str(m->body, "summary", 0, NULL), 0);

	log_msg(quiet ? LOG_LVL_DEBUG : LOG_LVL_INFO, "notification %s [%s] %s",
	    m->event, jsonx_str(m->body, "severity", 0, NULL) ?
	    jsonx_str(m->body, "severity", 0, NULL) : "?", s);
	free(s);
}

/*
 * Records the outcome of an attempt.  status: HTTP status or 0; err: NULL
 * on success.  *state gets sent, failed or dead.
 */
static int
notify_record(struct db *db, const char *project, const struct notify_msg *m,
    long status, const char *err, long ms, double retry_after,
    const char **state, char **cause)
{
	struct net_retry pol;
	char st[24], dur[24], delay[32];
	double d = 0;
	int timeout_ms, owned;

	notify_channel_policy(m->have_ch ? &m->ch : NULL, &pol, &timeout_ms);
	if (err == NULL)
		*state = "sent";
	else if (status != 0 && !net_retryable(status))
		*state = "dead";	/* the target refused it for good */
	else if (net_retry_next(&pol, m->attempts, net_jitter(), retry_after,
	    &d))
		*state = "failed";
	else
		*state = "dead";
	snprintf(st, sizeof st, "%ld", status);
	snprintf(dur, sizeof dur, "%ld", ms);
	snprintf(delay, sizeof delay, "%.3f", d);
	if (db_begin(db, cause) != 0)
		return -1;
	if (DBXN(db, cause, "notify/attempt_close", project, m->attempt_id,
	    st, err, dur) != 0)
		goto fail;
	/* Still ours?  (A lapsed lease lets another deliverer take it.) */
	if ((owned = notify_still_ours(db, "notify/owned", project, m->id,
	    m->attempts, cause)) < 0)
		goto fail;
	if (owned && DBXN(db, cause, "notify/outcome", project, m->id, *state,
	    err, delay) != 0)
		goto fail;
	if (!owned)
		*state = "lost";
	return db_commit(db, cause);
fail:
	db_rollback(db);
	return -1;
}

/* Sends a claimed message and records it; *state as notify_record. */
static int
notify_one(struct db *db, const char *project, const struct notify_opts *o,
    struct notify_msg *m, const char **state, char **cause)
{
	struct net_response resp;
	char *err;
	int rc;

	memset(&resp, 0, sizeof resp);
	resp.retry_after = -1;
	if (!m->have_ch)
		err = xasprintf("no channel named %s (midwatch channels add)",
		    m->channel);
	else if (m->body == NULL)
		err = xstrdup("the message has no body to send");
	else if (strcmp(m->ch.kind, "log") == 0) {
		notify_log(m, o->quiet_log);
		err = NULL;
	} else {
		notify_send(&m->ch, m->body, m->idem, &resp);
		err = notify_outcome(&resp);
	}
	rc = notify_record(db, project, m, resp.status, err,
	    resp.elapsed_ms, resp.retry_after, state, cause);
	if (err != NULL)
		log_debug("notification %s to %s: attempt %d: %s", m->id,
		    m->channel, m->attempts, err);
	free(err);
	net_response_free(&resp);
	return rc;
}

/* Seconds until the next item is due (see notify_int.h). */
double
notify_due_in(struct db *db, const char *query, const char *project,
    char **cause)
{
	struct db_res *r;
	double d;

	r = db_run(db, cause, query, 1, &project);
	if (r == NULL)
		return -2;
	/* NULL: nothing waits; a message already due counts as 0. */
	d = db_val_null(r, 0, "seconds") ? -1 : db_val_f(r, 0, "seconds");
	if (d < 0 && !db_val_null(r, 0, "seconds"))
		d = 0;
	db_res_free(r);
	return d;
}

/* Whether a claimed item is still ours (see notify_int.h). */
int
notify_still_ours(struct db *db, const char *query, const char *project,
    const char *id, int attempts, char **cause)
{
	struct db_res *r;
	char n[24];
	int owned;

	snprintf(n, sizeof n, "%d", attempts);
	r = DBQN(db, cause, query, project, id, n);
	if (r == NULL)
		return -1;
	owned = db_res_rows(r) == 1 && strcmp(db_val(r, 0, "owned"), "t") == 0;
	db_res_free(r);
	return owned;
}

/* Messages still waiting. */
static long long
notify_waiting(struct db *db, const char *project, char **cause)
{
	struct db_res *r;
	long long n;

	r = DBQN(db, cause, "notify/waiting", project);
	if (r == NULL)
		return -1;
	n = db_val_ll(r, 0, "count");
	db_res_free(r);
	return n;
}

/* One pass over what is due; 0 or -1. */
static int
notify_pass(struct db *db, const char *project, const struct notify_opts *o,
    struct notify_counts *c, char **cause)
{
	struct notify_msg m;
	struct buf skip;
	const char *state;
	char *list, win[24];
	int rc = 0, nskip = 0;

	snprintf(win, sizeof win, "%ld", notify_setting_get(NULL,
	    "group-window"));
	if (DBXN(db, cause, "notify/release", project) != 0 ||
	    DBXN(db, cause, "notify/hold", project, win) != 0)
		return -1;
	buf_init(&skip);		/* a text[] literal, closed per claim */
	pgarray_begin(&skip);
	for (;;) {
		list = xasprintf("%s}", buf_str(&skip));
		rc = notify_claim(db, project, list, &m, cause);
		free(list);
		if (rc <= 0)
			break;
		rc = notify_one(db, project, o, &m, &state, cause);
		c->attempts++;
		if (rc == 0 && strcmp(state, "sent") == 0)
			c->sent += m.grouped;
		else if (rc == 0 && strcmp(state, "dead") == 0)
			c->dead += m.grouped;
		else if (rc == 0 && strcmp(state, "failed") == 0) {
			c->retrying += m.grouped;
			/* A failing target is not tried again in this pass:
			 * the rest of its messages wait for the next. */
			if (nskip++ < NOTIFY_MAX_SKIP)
				pgarray_add_text(&skip, m.channel);
		}
		notify_msg_free(&m);
		if (rc != 0)
			break;
	}
	buf_free(&skip);
	return rc < 0 ? -1 : 0;
}

/* Delivers what is due (see notify.h). */
int
notify_deliver(struct db *db, long long project_id,
    const struct notify_opts *o, struct notify_counts *c, char **cause)
{
	struct notify_opts dflt = { 0, 0 };
	char project[24];
	struct timespec ts;
	double start, now, next, act;

	memset(c, 0, sizeof *c);
	if (o == NULL)
		o = &dflt;
	if (net_init(cause) != 0)
		return -1;
	snprintf(project, sizeof project, "%lld", project_id);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	for (;;) {
		if (notify_pass(db, project, o, c, cause) != 0 ||
		    notify_act_pass(db, project, c, cause) != 0)
			return -1;
		if (o->wait_s <= 0)
			break;
		if ((next = notify_due_in(db, "notify/next_due", project,
		    cause)) < -1 || (act = notify_due_in(db,
		    "notify/act_next_due", project, cause)) < -1)
			return -1;
		if (act >= 0 && (next < 0 || act < next))
			next = act;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
		if (next < 0 || now + next > start + o->wait_s)
			break;
		/* At least a moment, so a pass that skipped a failing channel
		 * does not spin. */
		if (next < 0.2)
			next = 0.2;
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - floor(next)) * 1e9);
		nanosleep(&ts, NULL);
	}
	if ((c->pending = notify_waiting(db, project, cause)) < 0)
		return -1;
	return 0;
}
