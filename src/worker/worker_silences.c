/*
 * worker_silences.c - the console's silence thread: acknowledgement goes
 * back to Alertmanager from the console as promptly as from the command
 * line.  Recording an ack, silence, resolution or unsilence queues an
 * Alertmanager silence to create or expire (sql/014_silences.sql); once the
 * data thread recorded such feedback (or replayed it from the journal) it
 * asks this thread, which pushes what is due with sources_push_silences
 * (the CLI's function) on its own connection, so neither the keyboard nor
 * the data thread waits for an HTTP call.  What it did, and any failure,
 * goes to the UI's message line (WMSG_SILENCES); a created or expired
 * silence reloads the data, so the Alerts pane shows it.  A failed silence
 * keeps its backoff (source_silence.c): the thread wakes again when the
 * next one is due.  Not started in a read-only console; the console writes
 * only feedback, the push is the worker's job, like the runner's delivery.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/feedback.h"
#include "midwatch/log.h"
#include "midwatch/sources.h"
#include "midwatch/timefmt.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

/* Seconds before trying again when the database failed the push. */
#define WORKER_SILENCES_DB_RETRY 10.0
/* The shortest wait between two pushes the backoff schedules. */
#define WORKER_SILENCES_MIN_WAIT 1.0

/* Posts a message for the UI's message line. */
static void
worker_silences_post(struct worker *w, int failed, char *text)
{
	struct wmsg *m = worker_msg_new(WMSG_SILENCES);

	m->rc = failed ? WRC_FAILED : WRC_OK;
	m->text = text;
	worker_send(w, m);
}

/* Seconds until the next silence is due (as sources/silences_due picks
 * them), or -1 when none waits or it cannot be told. */
static double
worker_silences_next(struct worker *w)
{
	struct db_res *r;
	char project[24], *cause = NULL;
	double wait = -1;

	snprintf(project, sizeof project, "%lld", w->project_id);
	r = DBQN(w->sdb, &cause, "worker/silences_next", project);
	if (r == NULL) {
		log_warn("alertmanager silences: %s", cause);
		free(cause);
		return WORKER_SILENCES_DB_RETRY;
	}
	/* due now (more than one push takes, or made due meanwhile): soon,
	 * never in a loop */
	if (!db_val_null(r, 0, "wait")) {
		wait = db_val_f(r, 0, "wait");
		if (wait < WORKER_SILENCES_MIN_WAIT)
			wait = WORKER_SILENCES_MIN_WAIT;
	}
	db_res_free(r);
	return wait;
}

/* "Alertmanager: 1 silence created, 1 expired; 1 failed, retried in 30s:
 * why" (malloc'd), or NULL when nothing happened; wait: seconds until the
 * retry, -1 none. */
static char *
worker_silences_text(const struct sources_silence_counts *c, double wait)
{
	struct buf b;
	char age[32];

	if (c->created + c->expired + c->retrying + c->dead == 0)
		return NULL;
	buf_init(&b);
	buf_adds(&b, "Alertmanager:");
	if (c->created > 0)
		buf_printf(&b, " %d silence%s created", c->created,
		    c->created == 1 ? "" : "s");
	if (c->expired > 0)
		buf_printf(&b, "%s %d silence%s expired", c->created > 0 ? "," :
		    "", c->expired, c->expired == 1 ? "" : "s");
	if (c->created + c->expired > 0 && c->retrying + c->dead > 0)
		buf_addc(&b, ';');
	if (c->retrying > 0) {
		buf_printf(&b, " %d failed", c->retrying);
		if (wait >= 0) {
			timefmt_age(wait, age, sizeof age);
			buf_printf(&b, ", retried in %s", age);
		} else
			buf_adds(&b, ", to retry");
	}
	if (c->dead > 0)
		buf_printf(&b, "%s %d given up", c->retrying > 0 ? "," : "",
		    c->dead);
	if (c->first_error != NULL)
		buf_printf(&b, ": %s", c->first_error);
	return buf_steal(&b);
}

/* Pushes what is due; returns the monotonic time of the next push, 0
 * when nothing waits. */
static double
worker_silences_push(struct worker *w)
{
	struct sources_silence_counts c;
	struct intent *in;
	char *cause = NULL;
	double wait;
	int rc;

	if (w->sdb == NULL)
		w->sdb = db_open(w->conninfo, &cause);
	else if (!db_alive(w->sdb))
		db_reconnect(w->sdb, &cause);
	if (cause != NULL) {
		log_warn("alertmanager silences: database unavailable: %s", cause);
		free(cause);
		return worker_now() + WORKER_SILENCES_DB_RETRY;
	}
	pthread_mutex_lock(&w->push_lock);
	rc = sources_push_silences(w->sdb, w->project_id, &c, &cause);
	pthread_mutex_unlock(&w->push_lock);
	if (rc != 0) {
		log_warn("alertmanager silences: %s", cause);
		worker_silences_post(w, 1, xasprintf("Alertmanager silences not "
		    "pushed: %s", cause));
		free(cause);
		return worker_now() + WORKER_SILENCES_DB_RETRY;
	}
	wait = worker_silences_next(w);
	if (c.first_error != NULL)
		log_warn("alertmanager silence: %s", c.first_error);
	if (c.created + c.expired + c.retrying + c.dead > 0)
		worker_silences_post(w, c.retrying + c.dead > 0,
		    worker_silences_text(&c, wait));
	free(c.first_error);
	/* the Alerts pane shows the silence: reload (no NOTIFY says so) */
	if (c.created + c.expired + c.dead > 0) {
		in = xcalloc(1, sizeof *in);
		in->type = INTENT_REFRESH;
		worker_post(w, in);
	}
	return wait >= 0 ? worker_now() + wait : 0;
}

/* Takes the requests that wait; non-zero when there was one. */
static int
worker_silences_take(struct worker *w)
{
	struct intent *in;
	int asked = 0;

	queue_drain(w->to_push);
	while ((in = queue_pop(w->to_push)) != NULL) {
		asked = 1;
		intent_free(in);
	}
	return asked;
}

/* The silence thread: waits for a request or the next retry. */
static void *
worker_silences_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd;
	double next = 0, now;
	int asked, timeout;

	while (!worker_stopping(w)) {
		now = worker_now();
		timeout = 1000;
		if (next > 0 && next - now < 1.0)
			timeout = next > now ? (int)((next - now) * 1000) + 1 : 0;
		pfd.fd = queue_fd(w->to_push);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			break;
		asked = worker_silences_take(w);
		if (worker_stopping(w))
			break;
		if (asked || (next > 0 && worker_now() >= next))
			next = worker_silences_push(w);
	}
	db_close(w->sdb);
	w->sdb = NULL;
	return NULL;
}

/* Starts the silence thread (not in a read-only console). */
int
worker_silences_start(struct worker *w, char **cause)
{
	int rc;

	if (w->readonly)
		return 0;
	if ((rc = worker_spawn(&w->push_thread, worker_silences_main, w)) != 0) {
		*cause = xasprintf("cannot start the silence thread: %s",
		    strerror(rc));
		return -1;
	}
	w->push_started = 1;
	return 0;
}

/* Asks the silence thread to push what is due after feedback of action a
 * was recorded (data thread): an alert's or an incident's may have queued
 * a silence or made one expire. */
void
worker_silences_request(struct worker *w, enum feedback_action a)
{
	const char *kind = feedback_target_kind(a);
	struct intent *in;

	if (!w->push_started || kind == NULL || (strcmp(kind, "alert") != 0 &&
	    strcmp(kind, "incident") != 0))
		return;
	in = xcalloc(1, sizeof *in);
	in->type = INTENT_REFRESH;	/* any intent: a wake-up */
	queue_push(w->to_push, in);
}
