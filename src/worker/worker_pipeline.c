/*
 * worker_pipeline.c - the console's pipeline thread: runs pipeline_run on a
 * timer and when the operator presses R, on its own connection, and posts
 * progress to the UI.  pipeline_run takes the advisory lock, so with several
 * consoles on one database only one runs at a time; the others report who
 * holds it.  Before each run the due pulled sources are pulled (Prometheus,
 * Alertmanager) and the due Alertmanager silences pushed (under the lock
 * the silence thread holds for its pushes); after it the notifications
 * that are due are delivered
 * (as `midwatch run` does; a failure is logged, the run stands) and the data
 * thread is asked to reload (the NOTIFY from pipeline_runs would do it too;
 * this also covers a broken listener).
 *
 * The console's `:investigate TS [SERVICE]` runs here too, on the same
 * connection and under the same lock (investigate_run), so it never blocks
 * the UI; its result comes back as WMSG_INVESTIGATE and a reload follows.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/db.h"
#include "midwatch/investigate.h"
#include "midwatch/log.h"
#include "midwatch/notify.h"
#include "midwatch/sources.h"
#include "midwatch/pipeline.h"
#include "midwatch/timefmt.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

/* Posts a pipeline state message. */
static void
worker_pipeline_post(struct worker *w, enum pipe_state st, const char *text,
    long long run_id)
{
	struct wmsg *m = worker_msg_new(WMSG_PIPELINE);

	m->pipe = st;
	m->text = text != NULL ? xstrdup(text) : NULL;
	m->id = run_id;
	worker_send(w, m);
}

static void worker_pipeline_progress(void *, const char *, int, int);

/* Pulls the due sources first (as `midwatch run` does; a failing source
 * is recorded on its row, which the status bar shows), and creates or
 * expires the Alertmanager silences acknowledgements queued. */
static void
worker_pull_sources(struct worker *w)
{
	struct sources_counts sc;
	struct sources_silence_counts ss;
	struct timespec ts;
	char *why = NULL;
	int rc;

	worker_pipeline_progress(w, "sources", 0, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (sources_pull(w->pdb, w->project_id, (double)ts.tv_sec +
	    ts.tv_nsec / 1e9, 0, &sc, &why) != 0) {
		log_warn("pulling sources: %s", why);
		free(why);
		return;
	}
	if (sc.first_error != NULL)
		log_warn("source %s", sc.first_error);
	sources_counts_free(&sc);
	pthread_mutex_lock(&w->push_lock);	/* not with the silence thread */
	rc = sources_push_silences(w->pdb, w->project_id, &ss, &why);
	pthread_mutex_unlock(&w->push_lock);
	if (rc != 0) {
		log_warn("alertmanager silences: %s", why);
		free(why);
		return;
	}
	if (ss.first_error != NULL)
		log_warn("alertmanager silence: %s", ss.first_error);
	free(ss.first_error);
}

/* pipeline_run's progress callback: one message per stage. */
static void
worker_pipeline_progress(void *arg, const char *stage, int done, int total)
{
	struct worker *w = arg;
	struct wmsg *m = worker_msg_new(WMSG_PIPELINE);

	m->pipe = PIPE_RUNNING;
	m->stage = xstrdup(stage != NULL ? stage : "");
	m->done = done;
	m->total = total;
	worker_send(w, m);
}

/* One run, start to end. */
static void
worker_pipeline_once(struct worker *w, const char *requested_by)
{
	struct pipeline_opts opts;
	struct intent *in;
	long long run_id = 0;
	char *cause = NULL;
	int rc;

	/* never reached in a read-only console (the thread does not start);
	 * checked again because a run writes and so does its delivery */
	if (w->readonly) {
		worker_pipeline_post(w, PIPE_DISABLED, "read-only console", 0);
		return;
	}
	if (w->pdb == NULL)
		w->pdb = db_open(w->conninfo, &cause);
	else if (!db_alive(w->pdb))
		db_reconnect(w->pdb, &cause);
	if (cause != NULL) {
		char *t = xasprintf("database unavailable: %s", cause);

		worker_pipeline_post(w, PIPE_FAILED, t, 0);
		free(t);
		free(cause);
		return;
	}
	worker_pipeline_post(w, PIPE_RUNNING, NULL, 0);
	worker_pull_sources(w);
	memset(&opts, 0, sizeof opts);
	opts.requested_by = requested_by;
	opts.progress = worker_pipeline_progress;
	opts.progress_arg = w;
	rc = pipeline_run(w->pdb, w->project_id, &opts, &run_id, &cause);
	if (rc == 0) {
		struct notify_opts no = { 0, 1 };
		struct notify_counts nc;
		char *why = NULL;

		if (notify_deliver(w->pdb, w->project_id, &no, &nc, &why) != 0) {
			log_warn("delivering notifications: %s", why);
			free(why);
		}
		worker_pipeline_post(w, PIPE_DONE, run_id == 0 ?
		    PIPELINE_NOTHING_NEW : NULL, run_id);
	}
	else if (rc == 1)
		worker_pipeline_post(w, PIPE_HELD, cause, 0);
	else {
		log_warn("pipeline run failed: %s", cause ? cause : "?");
		worker_pipeline_post(w, PIPE_FAILED, cause, run_id);
	}
	free(cause);
	in = xcalloc(1, sizeof *in);
	in->type = INTENT_REFRESH;
	worker_post(w, in);
}

/* One investigation (an INVESTIGATE intent), start to end. */
static void
worker_investigate_once(struct worker *w, const struct intent *in,
    const char *requested_by)
{
	struct investigate_opts opts;
	struct investigate_result res;
	struct intent *refresh;
	struct wmsg *m = worker_msg_new(WMSG_INVESTIGATE);
	char *cause = NULL, when[32];
	int rc;

	m->seq = in->seq;
	timefmt_format(in->at, when, sizeof when);
	if (w->readonly) {	/* an investigation writes: never here */
		m->rc = WRC_FAILED;
		m->text = xstrdup("read-only console: nothing investigated");
		worker_send(w, m);
		return;
	}
	if (w->pdb == NULL)
		w->pdb = db_open(w->conninfo, &cause);
	else if (!db_alive(w->pdb))
		db_reconnect(w->pdb, &cause);
	if (cause != NULL) {
		m->rc = WRC_FAILED;
		m->text = xasprintf("investigate %s: database unavailable: %s",
		    when, cause);
		free(cause);
		worker_send(w, m);
		return;
	}
	memset(&opts, 0, sizeof opts);
	opts.requested_by = requested_by;
	opts.actor = w->actor;
	opts.at = in->at;
	opts.service = in->service;
	rc = investigate_run(w->pdb, w->project_id, &opts, &res, &cause);
	if (rc != 0) {
		m->rc = WRC_FAILED;
		m->text = xasprintf("investigate %s: %s", when,
		    cause != NULL ? cause : "failed");
		if (rc < 0)
			log_warn("investigation failed: %s", cause ? cause : "?");
	} else if (res.reused) {
		m->rc = WRC_ALREADY;
		m->id = res.incident_id;
		m->text = xasprintf("incident #%lld already covers %s%s%s",
		    res.incident_id, when, in->service != NULL ? " on " : "",
		    in->service != NULL ? in->service : "");
	} else {
		m->rc = WRC_OK;
		m->id = res.incident_id;
		m->text = xasprintf("investigation of %s%s%s opened incident #%lld "
		    "(%d abnormal series on %d service%s)", when,
		    in->service != NULL ? " on " : "",
		    in->service != NULL ? in->service : "", res.incident_id,
		    res.signals, res.services, res.services == 1 ? "" : "s");
	}
	free(cause);
	worker_send(w, m);
	refresh = xcalloc(1, sizeof *refresh);
	refresh->type = INTENT_REFRESH;
	worker_post(w, refresh);
}

/* Takes what waits in the queue: runs the investigations (in order) and
 * says whether a pipeline run was asked for. */
static int
worker_pipeline_take(struct worker *w, const char *requested_by)
{
	struct intent *in;
	int requested = 0;

	queue_drain(w->to_pipe);
	while ((in = queue_pop(w->to_pipe)) != NULL) {
		if (in->type == INTENT_INVESTIGATE && !worker_stopping(w))
			worker_investigate_once(w, in, requested_by);
		else if (in->type != INTENT_INVESTIGATE)
			requested = 1;
		intent_free(in);
	}
	return requested;
}

/* The pipeline thread: waits for the timer or a request. */
static void *
worker_pipeline_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd;
	double now, next;
	int requested, timeout;
	char *by_timer, *by_hand;

	by_timer = xasprintf("timer:%s", w->actor);
	by_hand = xasprintf("console:%s", w->actor);
	/* The first timed run comes right after start (data may be waiting),
	 * then one every interval. */
	next = w->pipeline_interval > 0 ? worker_now() +
	    (w->pipeline_interval < 2 ? w->pipeline_interval : 2) : 0;
	while (!worker_stopping(w)) {
		now = worker_now();
		timeout = 1000;
		if (next > 0)
			timeout = next > now ? (int)((next - now) * 1000) + 1 : 0;
		if (timeout > 1000)
			timeout = 1000;
		pfd.fd = queue_fd(w->to_pipe);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			break;
		requested = worker_pipeline_take(w, by_hand);
		if (worker_stopping(w))
			break;
		now = worker_now();
		if (requested || (next > 0 && now >= next)) {
			worker_pipeline_once(w, requested ? by_hand : by_timer);
			if (w->pipeline_interval > 0)
				next = worker_now() + w->pipeline_interval;
			/* Presses during the run asked for this same run
			 * (investigations asked meanwhile still run). */
			(void)worker_pipeline_take(w, by_hand);
		}
	}
	free(by_timer);
	free(by_hand);
	db_close(w->pdb);
	w->pdb = NULL;
	return NULL;
}

/* Starts the pipeline thread (not in a read-only console). */
int
worker_pipeline_start(struct worker *w, char **cause)
{
	int rc;

	if (w->readonly || w->no_runs) {
		worker_pipeline_post(w, PIPE_DISABLED, w->readonly ?
		    "read-only console" : "runs need the admin role", 0);
		return 0;
	}
	worker_pipeline_post(w, PIPE_IDLE, NULL, 0);
	if ((rc = worker_spawn(&w->pipe_thread, worker_pipeline_main, w)) != 0) {
		*cause = xasprintf("cannot start the pipeline thread: %s",
		    strerror(rc));
		return -1;
	}
	w->pipe_started = 1;
	return 0;
}

/* Hands a run request to the pipeline thread. */
void
worker_pipeline_request(struct worker *w, struct intent *in)
{
	if (!w->pipe_started) {
		if (in->type == INTENT_INVESTIGATE) {
			struct wmsg *m = worker_msg_new(WMSG_INVESTIGATE);

			m->seq = in->seq;
			m->rc = WRC_FAILED;
			m->text = xstrdup(w->readonly ? "read-only console: "
			    "nothing investigated" : w->no_runs ? "investigations "
			    "need the admin role" : "investigations do not run "
			    "in this console");
			worker_send(w, m);
		} else
			worker_pipeline_post(w, PIPE_DISABLED, w->readonly ?
			    "read-only console: the pipeline is not run from here" :
			    w->no_runs ? "runs need the admin role" :
			    "the pipeline does not run in this console", 0);
		intent_free(in);
		return;
	}
	queue_push(w->to_pipe, in);
}
