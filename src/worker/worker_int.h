/*
 * worker_int.h - what the files of src/worker share: the worker's state.
 * Nothing outside src/worker includes this.
 */
#ifndef MIDWATCH_WORKER_INT_H
#define MIDWATCH_WORKER_INT_H

#include <pthread.h>

#include "midwatch/worker.h"

struct worker {
	/* Set once by worker_start, read-only afterwards (all threads). */
	char *conninfo;
	long long project_id;
	char *actor;
	int readonly;
	int no_runs;	/* the user's role runs no pipeline */
	int pipeline_interval;		/* seconds, 0 = on demand only */
	int refresh_interval;		/* seconds, > 0 */
	int first_rows;			/* the first snapshot's bound, > 0 */
	char *journal;			/* journal.h path, NULL: none kept */
	char *dbid;			/* the database the journal names */

	struct queue *to_ui;		/* wmsg, read by the UI */
	struct queue *to_data;		/* intents, read by the data thread */
	struct queue *to_pipe;		/* run requests, read by the pipeline thread */
	struct queue *to_push;		/* push requests, read by the silence thread */
	int stop;			/* atomic: set by worker_stop */

	pthread_t data_thread, pipe_thread, push_thread;
	int data_started, pipe_started, push_started;
	/* Held around sources_push_silences (the pipeline thread pushes
	 * before each run too): one push at a time, so a silence is never
	 * created twice by one console. */
	pthread_mutex_t push_lock;

	/* Data thread only. */
	struct db *db;			/* snapshots, details, feedback */
	struct db *listen;		/* LISTEN midwatch */
	int connected;			/* both connections usable */
	double backoff;			/* seconds until the next attempt */
	double retry_at;		/* monotonic time of the next attempt */
	double reload_at;		/* monotonic time of a due reload, 0 none */
	double next_periodic;		/* fallback reload, monotonic */
	struct queue *held;		/* feedback waiting for the database,
					 * oldest first (replayed in order) */
	long long *shown;		/* recommendations shown, to count at
					 * the next flush (worker_shown.c) */
	size_t n_shown;

	/* Pipeline thread only. */
	struct db *pdb;

	/* Silence thread only. */
	struct db *sdb;
};

double worker_now(void);
/* worker_shown.c: collects an INTENT_SHOWN's ids; writes what was
 * collected in one statement (dropped when it cannot be written). */
void worker_shown_add(struct worker *w, const struct intent *in);
void worker_shown_flush(struct worker *w);
/* queue.c: non-zero when q holds nothing (a hint, see queue.c). */
int queue_empty(struct queue *q);
struct wmsg *worker_msg_new(enum wmsg_type t);
void worker_send(struct worker *w, struct wmsg *m);
int worker_stopping(struct worker *w);
int worker_spawn(pthread_t *t, void *(*fn)(void *), void *arg);

/* worker_journal.c: reads back the journal of this database and project
 * into held and tells the UI (before the threads start); the database
 * answered for in, so it leaves the journal. */
void worker_journal_open(struct worker *w);
void worker_journal_done(struct worker *w, const struct intent *in);

/* worker_views.c: the data of a report view (INTENT_VIEW) as a
 * WMSG_VIEW message (data thread). */
struct wmsg *worker_view_load(struct worker *w, const struct intent *in);

/* worker_pipeline.c */
int worker_pipeline_start(struct worker *w, char **cause);
/* Forwards a run request (taken over) to the pipeline thread; called by
 * worker_post on the caller's (the UI's) thread. */
void worker_pipeline_request(struct worker *w, struct intent *in);

/* worker_silences.c: the thread that pushes the Alertmanager silences
 * feedback queued (not in a read-only console); the data thread wakes it
 * once it recorded feedback of action a that may queue or expire one (an
 * alert's or an incident's). */
int worker_silences_start(struct worker *w, char **cause);
void worker_silences_request(struct worker *w, enum feedback_action a);

#endif
