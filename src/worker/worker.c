/*
 * worker.c - the console's data worker: one thread that owns the data
 * connection (snapshots, details, feedback) and the LISTEN connection, and
 * posts results to the UI.  The pipeline thread lives in worker_pipeline.c,
 * the thread that pushes Alertmanager silences after feedback in
 * worker_silences.c.
 *
 * Why a thread and not non-blocking libpq in the UI loop: model_load runs a
 * few aggregate queries and feedback_record a transaction; over a slow link
 * either can take a while, and the keyboard must never wait for them.
 *
 * Connection loss: the worker says so (WMSG_DB), keeps the intents it could
 * not run, and reconnects with exponential backoff (1 s .. 30 s).  A
 * feedback intent is retried with the same idempotency key, so an action
 * whose commit reached the server before the link dropped records once.
 *
 * Feedback is journaled (journal.c) before the data thread sees it, held in
 * arrival order while the database is away (any number of intents), and
 * replayed in that order once it is back; an intent leaves the journal when
 * the database answered.  At start the worker reads back what an earlier
 * console left in the journal for this database and project, tells the UI
 * (WMSG_PENDING) and replays it first.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/model.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

#define WORKER_BACKOFF_MIN 1.0
#define WORKER_BACKOFF_MAX 30.0
#define WORKER_NOTIFY_DELAY 0.05	/* coalesce a burst of notifications */
/* The first snapshot's bound when the UI gives none (worker_first). */
#define WORKER_FIRST_ROWS 100

/* Monotonic seconds. */
double
worker_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall-clock seconds. */
static double
worker_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Frees an intent. */
void
intent_free(struct intent *in)
{
	if (in == NULL)
		return;
	free(in->target_kind);
	free(in->payload);
	free(in->key);
	free(in->label);
	free(in->after);
	free(in->expect);
	free(in->actor);
	free(in->service);
	free(in->ids);
	free(in->window);
	free(in);
}

/* Frees a message and what it still owns. */
void
wmsg_free(struct wmsg *m)
{
	if (m == NULL)
		return;
	free(m->text);
	free(m->stage);
	free(m->kind);
	free(m->status);
	free(m->who);
	if (m->snap != NULL)
		model_free(m->snap);
	model_item_detail_free(m->item);
	free(m);
}

/* queue_free callback for intents. */
static void
worker_free_intent(void *p)
{
	intent_free(p);
}

/* queue_free callback for messages. */
static void
worker_free_msg(void *p)
{
	wmsg_free(p);
}

/* A zeroed message of type t. */
struct wmsg *
worker_msg_new(enum wmsg_type t)
{
	struct wmsg *m = xcalloc(1, sizeof *m);

	m->type = t;
	return m;
}

/* Posts m to the UI. */
void
worker_send(struct worker *w, struct wmsg *m)
{
	queue_push(w->to_ui, m);
}

/* Non-zero once worker_stop has been called. */
int
worker_stopping(struct worker *w)
{
	return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE);
}

/* ---- connection ------------------------------------------------------------ */

/* Tells the UI the database is down and schedules the next attempt. */
static void
worker_down(struct worker *w, const char *why)
{
	struct wmsg *m;
	double now = worker_now();

	if (w->connected || w->backoff == 0)
		w->backoff = WORKER_BACKOFF_MIN;
	else if ((w->backoff *= 2) > WORKER_BACKOFF_MAX)
		w->backoff = WORKER_BACKOFF_MAX;
	w->connected = 0;
	w->retry_at = now + w->backoff;
	log_warn("database unavailable: %s (retry in %.0fs)", why, w->backoff);
	m = worker_msg_new(WMSG_DB);
	m->db = WDB_DOWN;
	m->text = xstrdup(why);
	m->retry_at = worker_wall() + w->backoff;
	worker_send(w, m);
}

/* (Re)connects both connections and subscribes; 0 when connected. */
static int
worker_connect(struct worker *w)
{
	char *cause = NULL;
	struct wmsg *m;

	if (w->db == NULL)
		w->db = db_open(w->conninfo, &cause);
	else if (!db_alive(w->db))
		db_reconnect(w->db, &cause);	/* sets cause on failure */
	if (cause == NULL && w->db != NULL) {
		if (w->listen == NULL)
			w->listen = db_open(w->conninfo, &cause);
		else
			db_reconnect(w->listen, &cause);
		if (cause == NULL)
			db_listen(w->listen, "midwatch", &cause);
	}
	if (cause != NULL) {
		worker_down(w, cause);
		free(cause);
		return -1;
	}
	w->connected = 1;
	w->backoff = 0;
	w->reload_at = worker_now();	/* we may have missed notifications */
	m = worker_msg_new(WMSG_DB);
	m->db = WDB_UP;
	m->text = xstrdup(db_describe(w->db));
	worker_send(w, m);
	return 0;
}

/* After a failed statement: is the connection gone?  Then go down. */
static int
worker_check_lost(struct worker *w, const char *cause)
{
	if (w->db != NULL && db_alive(w->db))
		return 0;
	worker_down(w, cause != NULL ? cause : "connection lost");
	return 1;
}

/* ---- snapshots ---------------------------------------------------------------- */

/* Loads a full snapshot, half of it on the LISTEN connection (idle but
 * for notifications, which libpq keeps for worker_notifications); NULL
 * with *cause. */
static struct mw_snapshot *
worker_load(struct worker *w, char **cause)
{
	return model_load_two(w->db, w->listen, w->project_id, 1, 1, cause);
}

/*
 * The console's first frame, before anything else: the first rows of the
 * snapshot (model_load_first: as many incidents as the terminal has rows,
 * with what hangs off them, and of the newest as many alerts those of no
 * loaded incident), posted at once on the connection cli_connect opened.
 * The LISTEN connection is opened after it and the full snapshot follows
 * it (worker_connect schedules a reload), so nothing that changed in
 * between is missed.  Skipped when the journal gave back intents: they are
 * replayed first, as before.  A failure here is left to the full load.
 */
static void
worker_first(struct worker *w)
{
	struct mw_snapshot *s;
	struct wmsg *m;
	char *cause = NULL;

	if (!queue_empty(w->held))
		return;
	/* the status bar names the database from the first frame on */
	m = worker_msg_new(WMSG_DB);
	m->db = WDB_UP;
	m->text = xstrdup(db_describe(w->db));
	worker_send(w, m);
	s = model_load_first(w->db, w->project_id, w->first_rows, w->first_rows,
	    &cause);
	if (s == NULL) {
		free(cause);
		return;
	}
	m = worker_msg_new(WMSG_SNAPSHOT);
	m->snap = s;
	worker_send(w, m);
}

/* Reloads and posts a snapshot (as the reply to seq when seq is set). */
static void
worker_reload(struct worker *w)
{
	struct mw_snapshot *s;
	struct wmsg *m;
	char *cause = NULL;

	w->reload_at = 0;
	w->next_periodic = worker_now() + w->refresh_interval;
	s = worker_load(w, &cause);
	if (s == NULL) {
		if (!worker_check_lost(w, cause)) {
			m = worker_msg_new(WMSG_DB);
			m->db = WDB_NO_DATA;
			m->text = xasprintf("cannot load data: %s", cause);
			worker_send(w, m);
		}
		free(cause);
		return;
	}
	m = worker_msg_new(WMSG_SNAPSHOT);
	m->snap = s;
	worker_send(w, m);
}

/* Loads what the detail view of an item shows besides the snapshot: its
 * feedback history; an incident's timeline and series (in a snapshot of
 * that incident); an evidence item's metric series. */
static void
worker_detail(struct worker *w, struct intent *in)
{
	struct mw_snapshot *s = NULL;
	struct wmsg *m = worker_msg_new(WMSG_DETAIL);
	const char *kind = in->target_kind != NULL ? in->target_kind : "incident";
	char *cause = NULL;
	size_t i;

	m->id = in->id;
	m->seq = in->seq;
	m->kind = xstrdup(kind);
	m->item_id = in->target_kind != NULL ? in->target_id : in->id;
	m->item = xcalloc(1, sizeof *m->item);
	if (model_history_load(w->db, w->project_id, kind, m->item_id, m->item,
	    &cause) != 0)
		goto fail;
	if (strcmp(kind, "evidence") == 0 && m->item_id > 0 &&
	    model_series_load(w->db, w->project_id, in->id, m->item_id,
	    &m->item->series, &m->item->n_series, &cause) != 0)
		goto fail;
	if (strcmp(kind, "incident") == 0) {
		s = model_load_shown(w->db, w->project_id, &in->id, 1, 1, &cause);
		if (s == NULL)
			goto fail;
		for (i = 0; i < s->n_incidents; i++)
			if (s->incidents[i].id == in->id)
				break;
		if (i == s->n_incidents) {
			cause = xasprintf("incident %lld is gone", in->id);
			goto fail;
		}
		if (model_load_detail(w->db, w->project_id, &s->incidents[i],
		    &cause) != 0)
			goto fail;
		m->snap = s;
	}
	worker_send(w, m);
	return;
fail:
	if (s != NULL)
		model_free(s);
	model_item_detail_free(m->item);
	m->item = NULL;
	m->text = cause;
	worker_check_lost(w, m->text);
	worker_send(w, m);
}

/* ---- feedback ------------------------------------------------------------------ */

/* Records one feedback intent; returns 1 when it must wait for a reconnect
 * (the intent is kept), 0 when it is finished (freed). */
static int
worker_feedback(struct worker *w, struct intent *in)
{
	struct feedback fb;
	struct feedback_result res;
	struct wmsg *m;
	json_t *payload = NULL;
	json_error_t jerr;
	const char *effect;
	char *cause = NULL;
	int rc;

	m = worker_msg_new(WMSG_DONE);
	m->seq = in->seq;
	if (w->readonly) {
		m->rc = WRC_FAILED;
		m->text = xstrdup("read-only console: nothing recorded");
		goto out;
	}
	if (in->payload != NULL) {
		payload = json_loads(in->payload, 0, &jerr);
		if (payload == NULL) {
			m->rc = WRC_FAILED;
			m->text = xasprintf("bad payload: %s", jerr.text);
			goto out;
		}
	}
	memset(&fb, 0, sizeof fb);
	fb.action = in->action;
	fb.project_id = w->project_id;
	fb.actor = in->actor != NULL ? in->actor : w->actor;
	fb.actor_type = "user";
	fb.target_kind = in->target_kind;
	fb.target_id = in->target_id;
	fb.payload = payload;
	fb.idempotency_key = in->key;
	in->attempts++;
	rc = feedback_record(w->db, &fb, &res, &cause);
	json_decref(payload);
	if (rc < 0 && worker_check_lost(w, cause)) {
		/* Unknown whether it committed: retry with the same key once
		 * the database is back, however long that takes. */
		free(cause);
		m->rc = WRC_WAITING;
		m->text = xasprintf("%s: waiting for the database", in->label);
		worker_send(w, m);
		return 1;
	}
	/* what happened, side effects included (the rules of feedback.c) */
	m->rc = rc < 0 ? WRC_FAILED : rc == 1 ? WRC_ALREADY : WRC_OK;
	m->id = rc >= 0 ? res.event_id : 0;
	effect = rc == 0 ? feedback_effect(in->action, res.was) : NULL;
	if (rc == 0)
		m->text = xasprintf("%s: recorded%s%s%s%s", in->label,
		    effect != NULL ? "; " : "", effect != NULL ? effect : "",
		    in->after != NULL ? " " : "", in->after != NULL ?
		    in->after : "");
	else if (rc == 2)
		m->text = xasprintf("%s: recorded (it was %s already)", in->label,
		    res.was);
	else if (rc == 1)
		m->text = xasprintf("%s: already recorded", in->label);
	else
		m->text = xasprintf("%s failed: %s", in->label, cause);
	free(cause);
	cause = NULL;	/* reused below */
	/*
	 * Reply with fresh data, so the UI swaps state in one step.  When more
	 * intents are waiting (a bulk action: one intent per marked item),
	 * reload once after them instead of once per item; the UI keeps
	 * showing the expected state of an item confirmed without data until
	 * the next snapshot arrives.
	 */
	if (w->connected && (!queue_empty(w->to_data) ||
	    !queue_empty(w->held))) {
		w->reload_at = worker_now();
	} else if (w->connected) {
		m->snap = worker_load(w, &cause);
		if (m->snap == NULL) {
			worker_check_lost(w, cause);
			free(cause);
		} else {
			w->reload_at = 0;
			w->next_periodic = worker_now() + w->refresh_interval;
		}
	}
out:
	/* The database answered (or never will: read-only). */
	worker_journal_done(w, in);
	rc = m->rc != WRC_FAILED;	/* m is the UI's once sent */
	worker_send(w, m);
	/* an ack, silence or resolution of an Alertmanager alert goes back
	 * there now (as the CLI pushes at once), said after "recorded" */
	if (rc)
		worker_silences_request(w, in->action);
	intent_free(in);
	return 0;
}

/* ---- the data thread ------------------------------------------------------------ */

static void worker_run_held(struct worker *w);

/* Runs (or keeps) the intents that arrived. */
static void
worker_intents(struct worker *w)
{
	struct intent *in;

	queue_drain(w->to_data);
	while ((in = queue_pop(w->to_data)) != NULL) {
		switch (in->type) {
		case INTENT_REFRESH:
			w->reload_at = worker_now();
			intent_free(in);
			break;
		case INTENT_RUN_PIPELINE:
		case INTENT_INVESTIGATE:
			worker_pipeline_request(w, in);
			break;
		case INTENT_DETAIL:
			if (!w->connected) {
				struct wmsg *m = worker_msg_new(WMSG_DETAIL);

				m->id = in->id;
				m->kind = xstrdup(in->target_kind != NULL ?
				    in->target_kind : "incident");
				m->item_id = in->target_kind != NULL ?
				    in->target_id : in->id;
				m->text = xstrdup("the database is unavailable");
				worker_send(w, m);
				intent_free(in);
				break;
			}
			worker_detail(w, in);
			intent_free(in);
			break;
		case INTENT_SHOWN:
			worker_shown_add(w, in);
			intent_free(in);
			break;
		case INTENT_VIEW: {
			struct wmsg *m = worker_view_load(w, in);

			if (m->rc == WRC_FAILED && w->connected)
				worker_check_lost(w, m->text);
			worker_send(w, m);
			intent_free(in);
			break;
		}
		case INTENT_FEEDBACK:
			if (!w->connected) {
				struct wmsg *m = worker_msg_new(WMSG_DONE);

				m->seq = in->seq;
				m->rc = WRC_WAITING;
				m->text = xasprintf("%s: queued until the database is back",
				    in->label);
				worker_send(w, m);
			}
			/* Behind whatever waits already: in order. */
			queue_push(w->held, in);
			worker_run_held(w);
			break;
		}
		if (worker_stopping(w))
			break;
	}
	worker_shown_flush(w);
}

/* Runs the intents held while the database was away, oldest first, all of
 * them, until the connection fails again (the rest keep their order). */
static void
worker_run_held(struct worker *w)
{
	struct intent *in;

	queue_drain(w->held);
	while (w->connected && !worker_stopping(w) &&
	    (in = queue_pop(w->held)) != NULL) {
		if (worker_feedback(w, in) == 1) {
			queue_push_front(w->held, in);
			break;
		}
	}
}

/* Reads notifications: ours (same project) trigger a reload. */
static void
worker_notifications(struct worker *w)
{
	char *payload;
	json_t *j;
	json_error_t jerr;
	int r, ours;

	if (w->listen == NULL)
		return;
	while ((r = db_poll_notify(w->listen, &payload)) == 1) {
		ours = 1;
		j = json_loads(payload, 0, &jerr);
		if (j != NULL && json_is_integer(json_object_get(j, "project_id")) &&
		    json_integer_value(json_object_get(j, "project_id")) != w->project_id)
			ours = 0;
		json_decref(j);
		free(payload);
		if (ours && w->reload_at == 0)
			w->reload_at = worker_now() + WORKER_NOTIFY_DELAY;
	}
	if (r < 0)
		worker_down(w, "the LISTEN connection was lost");
}

/* The data thread. */
static void *
worker_data_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd[2];
	double now, next;
	int nfd, timeout;

	if (w->db != NULL && db_alive(w->db)) {
		/* The connection cli_connect opened: the first frame's rows;
		 * then add the listener and replay what the journal gave
		 * back. */
		worker_first(w);
		if (worker_connect(w) == 0)
			worker_run_held(w);
	} else
		w->retry_at = worker_now();
	w->next_periodic = worker_now() + w->refresh_interval;
	while (!worker_stopping(w)) {
		now = worker_now();
		if (!w->connected && now >= w->retry_at && worker_connect(w) == 0)
			worker_run_held(w);
		worker_intents(w);
		if (worker_stopping(w))
			break;
		if (w->connected)
			worker_notifications(w);
		now = worker_now();
		if (w->connected && now >= w->next_periodic && w->reload_at == 0)
			w->reload_at = now;
		if (w->connected && w->reload_at > 0 && now >= w->reload_at)
			worker_reload(w);

		/* Sleep until something arrives or a deadline passes. */
		now = worker_now();
		next = now + 1.0;
		if (!w->connected && w->retry_at < next)
			next = w->retry_at;
		if (w->connected && w->reload_at > 0 && w->reload_at < next)
			next = w->reload_at;
		if (w->connected && w->next_periodic < next)
			next = w->next_periodic;
		timeout = next > now ? (int)((next - now) * 1000) + 1 : 0;
		nfd = 0;
		pfd[nfd].fd = queue_fd(w->to_data);
		pfd[nfd++].events = POLLIN;
		if (w->connected && w->listen != NULL && db_socket(w->listen) >= 0) {
			pfd[nfd].fd = db_socket(w->listen);
			pfd[nfd++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR) {
			log_error("worker poll: %s", strerror(errno));
			break;
		}
	}
	db_close(w->listen);
	w->listen = NULL;
	db_close(w->db);
	w->db = NULL;
	return NULL;
}

/* ---- public ------------------------------------------------------------------------ */

/* Starts a thread with the console's signals blocked in it, so they are
 * handled by the UI thread and never interrupt libpq. */
int
worker_spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t set, old;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Starts the worker threads. */
struct worker *
worker_start(const struct worker_config *cfg, char **cause)
{
	struct worker *w = xcalloc(1, sizeof *w);
	int rc;

	w->db = cfg->db;
	w->conninfo = xstrdup(cfg->conninfo != NULL ? cfg->conninfo : "");
	w->project_id = cfg->project_id;
	w->actor = xstrdup(cfg->actor != NULL ? cfg->actor : "unknown");
	w->readonly = cfg->readonly;
	w->no_runs = cfg->no_runs;
	w->pipeline_interval = cfg->pipeline_interval;
	w->refresh_interval = cfg->refresh_interval > 0 ? cfg->refresh_interval :
	    conf_option("refresh-interval")->def;
	w->first_rows = cfg->first_rows > 0 ? cfg->first_rows :
	    WORKER_FIRST_ROWS;
	w->to_ui = queue_new();
	w->to_data = queue_new();
	w->to_pipe = queue_new();
	w->to_push = queue_new();
	w->held = queue_new();
	pthread_mutex_init(&w->push_lock, NULL);
	worker_journal_open(w);
	/* before the data thread, which may replay feedback at once */
	if (worker_silences_start(w, cause) != 0)
		goto fail;
	if ((rc = worker_spawn(&w->data_thread, worker_data_main, w)) != 0) {
		*cause = xasprintf("cannot start the data worker: %s", strerror(rc));
		goto fail;
	}
	w->data_started = 1;
	if (worker_pipeline_start(w, cause) != 0)
		goto fail;
	return w;
fail:
	worker_stop(w, 2000);
	return NULL;
}

/* The UI's descriptor. */
int
worker_fd(struct worker *w)
{
	return queue_fd(w->to_ui);
}

/* The next message for the UI. */
struct wmsg *
worker_next(struct worker *w)
{
	queue_drain(w->to_ui);
	return queue_pop(w->to_ui);
}

/* Hands an intent to the data thread; a pipeline run or an investigation
 * goes straight to the pipeline thread, so R is not held up by a slow
 * reload or a reconnect. */
void
worker_post(struct worker *w, struct intent *in)
{
	if (in->type == INTENT_RUN_PIPELINE || in->type == INTENT_INVESTIGATE) {
		worker_pipeline_request(w, in);
		return;
	}
	queue_push(w->to_data, in);
}

/* Joins t, waiting until deadline; 0 when joined. */
static int
worker_join(pthread_t t, const struct timespec *deadline)
{
	return pthread_timedjoin_np(t, NULL, deadline) == 0 ? 0 : -1;
}

/* Stops and frees the worker (see worker.h). */
int
worker_stop(struct worker *w, int timeout_ms)
{
	struct timespec deadline, now;
	int busy = 0;

	if (w == NULL)
		return 0;
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	queue_wake(w->to_data);
	queue_wake(w->to_pipe);
	queue_wake(w->to_push);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if (w->data_started && worker_join(w->data_thread, &deadline) != 0)
		busy = 1;
	/* A pipeline stage may take long; the server rolls it back if we go,
	 * so it gets at most half a second more. */
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 500000000L;
	if (now.tv_nsec >= 1000000000L) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000L;
	}
	if (now.tv_sec < deadline.tv_sec ||
	    (now.tv_sec == deadline.tv_sec && now.tv_nsec < deadline.tv_nsec))
		deadline = now;
	if (w->pipe_started && worker_join(w->pipe_thread, &deadline) != 0)
		busy = 1;
	/* a push waits at most for its HTTP timeout: it is not waited for */
	if (w->push_started && worker_join(w->push_thread, &deadline) != 0)
		busy = 1;
	if (busy) {
		/* A thread still runs and uses w: leave it for process exit. */
		log_warn("a worker thread is still busy at exit");
		return -1;
	}
	if (w->data_started == 0) {
		db_close(w->db);
		w->db = NULL;
	}
	queue_free(w->to_ui, worker_free_msg);
	queue_free(w->to_data, worker_free_intent);
	queue_free(w->to_pipe, worker_free_intent);
	queue_free(w->to_push, worker_free_intent);
	pthread_mutex_destroy(&w->push_lock);
	queue_free(w->held, worker_free_intent);
	free(w->shown);
	free(w->journal);
	free(w->dbid);
	free(w->conninfo);
	free(w->actor);
	free(w);
	return 0;
}
