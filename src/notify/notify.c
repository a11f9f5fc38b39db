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

/* Messages of an incident notified within its channel's group window wait
 * for the window's end.  (Not when an acknowledge or resolve of the incident
 * waits behind them.)  $1 project, $2 the default window. */
static const char notify_sql_hold[] =
    "UPDATE midwatch.outbound_messages m SET next_attempt_at = h.until"
    "  FROM (SELECT w.id, w.last + make_interval(secs => w.win) AS until"
    "          FROM (SELECT p.id,"
    "                       (SELECT max(x.sent_at)"
    "                          FROM midwatch.outbound_messages x"
    "                         WHERE x.project_id = p.project_id"
    "                           AND x.channel = p.channel"
    "                           AND x.incident_key = p.incident_key"
    "                           AND x.event = p.event AND x.status = 'sent')"
    "                           AS last,"
    "                       coalesce((c.settings->>'group-window')::integer,"
    "                                $2::integer) AS win"
    "                  FROM midwatch.outbound_messages p"
    "                  LEFT JOIN midwatch.channels c"
    "                    ON c.project_id = p.project_id AND c.name = p.channel"
    "                 WHERE p.project_id = $1 AND p.status = 'pending'"
    "                   AND p.attempts = 0 AND p.event = 'trigger'"
    "                   AND p.group_leader_id IS NULL"
    "                   AND p.next_attempt_at <= now()"
    "                   AND NOT EXISTS (SELECT 1"
    "                        FROM midwatch.outbound_messages a"
    "                       WHERE a.project_id = p.project_id"
    "                         AND a.channel = p.channel"
    "                         AND a.incident_key = p.incident_key"
    "                         AND a.id > p.id AND a.event <> 'trigger'"
    "                         AND a.status IN ('pending', 'sending',"
    "                                          'failed'))"
    "                   FOR UPDATE OF p SKIP LOCKED) w"
    "         WHERE w.last + make_interval(secs => w.win) > now()) h"
    " WHERE m.project_id = $1 AND m.id = h.id";

/* A trigger held for its group window is released when an acknowledge or
 * resolve of the same incident waits behind it: an ack is never late for a
 * grouping.  $1 project. */
static const char notify_sql_release[] =
    "UPDATE midwatch.outbound_messages m SET next_attempt_at = now()"
    " WHERE m.project_id = $1 AND m.status = 'pending' AND m.attempts = 0"
    "   AND m.event = 'trigger' AND m.group_leader_id IS NULL"
    "   AND m.next_attempt_at > now()"
    "   AND EXISTS (SELECT 1 FROM midwatch.outbound_messages a"
    "        WHERE a.project_id = m.project_id AND a.channel = m.channel"
    "          AND a.incident_key = m.incident_key AND a.id > m.id"
    "          AND a.event <> 'trigger'"
    "          AND a.status IN ('pending', 'sending', 'failed'))";

/* The next message to send.  $1 project, $2 channels to skip. */
static const char notify_sql_pick[] =
    "SELECT m.id, m.channel, m.event, m.incident_key, m.idempotency_key,"
    "       m.attempts, m.body IS NULL AS fresh, m.body::text AS body,"
    "       m.status"
    "  FROM midwatch.outbound_messages m"
    " WHERE m.project_id = $1 AND m.group_leader_id IS NULL"
    "   AND m.status IN ('pending', 'failed', 'sending')"
    "   AND m.next_attempt_at <= now()"
    "   AND NOT (m.channel = ANY ($2::text[]))"
    "   AND NOT EXISTS (SELECT 1 FROM midwatch.outbound_messages o"
    "        WHERE o.project_id = m.project_id AND o.channel = m.channel"
    "          AND o.incident_key = m.incident_key AND o.id < m.id"
    "          AND o.status IN ('pending', 'sending', 'failed'))"
    " ORDER BY m.next_attempt_at, m.id"
    " LIMIT 1 FOR UPDATE OF m SKIP LOCKED";

/* Claims it: $1 project, $2 id, $3 lease seconds, $4 max attempts. */
static const char notify_sql_claim[] =
    "UPDATE midwatch.outbound_messages SET status = 'sending',"
    "       attempts = attempts + 1, max_attempts = $4::integer,"
    "       next_attempt_at = now() + make_interval(secs => $3::integer)"
    " WHERE project_id = $1 AND id = $2 RETURNING attempts";

/* Closes attempts a killed deliverer left open: $1 project, $2 message. */
static const char notify_sql_interrupted[] =
    "UPDATE midwatch.outbound_attempts SET finished_at = now(),"
    "       error = 'interrupted: midwatch stopped before the outcome was"
    " recorded'"
    " WHERE project_id = $1 AND message_id = $2 AND finished_at IS NULL";

/*
 * Gathers the due, never-tried messages of the same channel, incident key
 * and event created within the group window of the leader, with no message
 * of another event between (order per incident is kept).  $1 project, $2
 * leader, $3 group window seconds.
 */
static const char notify_sql_group[] =
    "WITH l AS (SELECT * FROM midwatch.outbound_messages"
    "            WHERE project_id = $1 AND id = $2)"
    " UPDATE midwatch.outbound_messages x"
    "    SET group_leader_id = $2, status = 'sending'"
    "  WHERE x.project_id = $1 AND x.id IN ("
    "	SELECT f.id FROM midwatch.outbound_messages f, l"
    "	 WHERE f.project_id = $1 AND f.id > l.id AND f.group_leader_id IS NULL"
    "	   AND f.status = 'pending' AND f.attempts = 0 AND f.body IS NULL"
    "	   AND f.channel = l.channel AND f.incident_key = l.incident_key"
    "	   AND f.event = l.event AND f.next_attempt_at <= now()"
    "	   AND f.created_at <= l.created_at + make_interval(secs => $3::integer)"
    "	   AND NOT EXISTS (SELECT 1 FROM midwatch.outbound_messages o"
    "	        WHERE o.project_id = $1 AND o.channel = l.channel"
    "	          AND o.incident_key = l.incident_key AND o.event <> l.event"
    "	          AND o.id > l.id AND o.id < f.id"
    "	          AND o.status IN ('pending', 'sending', 'failed'))"
    "	 FOR UPDATE OF f SKIP LOCKED)"
    " RETURNING x.id";

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
	int fresh, timeout_ms, rc;

	memset(m, 0, sizeof *m);
	if (db_begin(db, cause) != 0)
		return -1;
	r = DBQ(db, cause, notify_sql_pick, project, skip);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		db_rollback(db);
		return 0;
	}
	snprintf(m->id, sizeof m->id, "%s", db_res_get(r, 0, 0));
	m->channel = xstrdup(db_res_get(r, 0, 1));
	m->event = xstrdup(db_res_get(r, 0, 2));
	m->idem = xstrdup(db_res_get(r, 0, 4));
	fresh = strcmp(db_res_get(r, 0, 6), "t") == 0;
	if (!fresh)
		m->body = json_loads(db_res_get(r, 0, 7), 0, &jerr);
	db_res_free(r);
	r = NULL;

	rc = notify_channel_load(db, project, m->channel, &m->ch, cause);
	if (rc < 0)
		goto fail;
	m->have_ch = rc == 0;
	notify_channel_policy(m->have_ch ? &m->ch : NULL, &pol, &timeout_ms);
	snprintf(lease, sizeof lease, "%d", timeout_ms / 1000 +
	    NOTIFY_LEASE_MARGIN_S);
	snprintf(maxa, sizeof maxa, "%d", pol.max_attempts);
	r = DBQ(db, cause, notify_sql_claim, project, m->id, lease, maxa);
	if (r == NULL)
		goto fail;
	m->attempts = (int)db_res_ll(r, 0, 0);
	db_res_free(r);
	r = NULL;
	if (DBX(db, cause, notify_sql_interrupted, project, m->id) != 0)
		goto fail;
	m->grouped = 1;
	if (fresh && m->have_ch) {
		snprintf(win, sizeof win, "%ld", notify_setting_get(
		    m->ch.settings, "group-window"));
		r = DBQ(db, cause, notify_sql_group, project, m->id, win);
		if (r == NULL)
			goto fail;
		m->grouped += db_res_rows(r);
		db_res_free(r);
		r = NULL;
		if (notify_render(db, project, m, cause) != 0)
			goto fail;
	}
	r = DBQ(db, cause, "INSERT INTO midwatch.outbound_attempts"
	    " (project_id, message_id) VALUES ($1, $2) RETURNING id",
	    project, m->id);
	if (r == NULL)
		goto fail;
	snprintf(m->attempt_id, sizeof m->attempt_id, "%s", db_res_get(r, 0, 0));
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
	struct db_res *r;
	char st[24], dur[24], delay[32], n[24];
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
	snprintf(n, sizeof n, "%d", m->attempts);
	if (db_begin(db, cause) != 0)
		return -1;
	if (DBX(db, cause, "UPDATE midwatch.outbound_attempts"
	    "   SET http_status = nullif($3::integer, 0), error = $4,"
	    "       duration_ms = $5::integer, finished_at = now()"
	    " WHERE project_id = $1 AND id = $2",
	    project, m->attempt_id, st, err, dur) != 0)
		goto fail;
	/* Still ours?  (A lapsed lease lets another deliverer take it.) */
	r = DBQ(db, cause, "SELECT status = 'sending' AND attempts = $3::integer"
	    "  FROM midwatch.outbound_messages"
	    " WHERE project_id = $1 AND id = $2 FOR UPDATE", project, m->id, n);
	if (r == NULL)
		goto fail;
	owned = db_res_rows(r) == 1 && strcmp(db_res_get(r, 0, 0), "t") == 0;
	db_res_free(r);
	if (owned && DBX(db, cause,
	    "UPDATE midwatch.outbound_messages SET status = $3, last_error = $4,"
	    "       sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END,"
	    "       next_attempt_at = CASE WHEN $3 = 'failed'"
	    "           THEN now() + make_interval(secs => $5::double precision)"
	    "           ELSE next_attempt_at END"
	    " WHERE project_id = $1 AND (id = $2 OR group_leader_id = $2)",
	    project, m->id, *state, err, delay) != 0)
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

/* Seconds until the next undelivered message is due (< 0: none). */
static double
notify_next_due(struct db *db, const char *project, char **cause)
{
	struct db_res *r;
	double d;

	r = DBQ(db, cause, "SELECT extract(epoch FROM min(next_attempt_at) - now())"
	    "  FROM midwatch.outbound_messages m"
	    " WHERE project_id = $1 AND group_leader_id IS NULL"
	    "   AND status IN ('pending', 'sending', 'failed')"
	    "   AND NOT EXISTS (SELECT 1 FROM midwatch.outbound_messages o"
	    "        WHERE o.project_id = m.project_id AND o.channel = m.channel"
	    "          AND o.incident_key = m.incident_key AND o.id < m.id"
	    "          AND o.status IN ('pending', 'sending', 'failed'))", project);
	if (r == NULL)
		return -2;
	/* NULL: nothing waits; a message already due counts as 0. */
	d = db_res_isnull(r, 0, 0) ? -1 : db_res_f(r, 0, 0);
	if (d < 0 && !db_res_isnull(r, 0, 0))
		d = 0;
	db_res_free(r);
	return d;
}

/* Messages still waiting. */
static long long
notify_waiting(struct db *db, const char *project, char **cause)
{
	struct db_res *r;
	long long n;

	r = DBQ(db, cause, "SELECT count(*) FROM midwatch.outbound_messages"
	    " WHERE project_id = $1 AND status IN ('pending', 'sending', 'failed')",
	    project);
	if (r == NULL)
		return -1;
	n = db_res_ll(r, 0, 0);
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
	if (DBX(db, cause, notify_sql_release, project) != 0 ||
	    DBX(db, cause, notify_sql_hold, project, win) != 0)
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
		if ((next = notify_next_due(db, project, cause)) < -1 ||
		    (act = notify_act_next_due(db, project, cause)) < -1)
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
