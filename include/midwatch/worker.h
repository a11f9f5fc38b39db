/*
 * worker.h - the console's background threads and the queues between them
 * and the UI.
 *
 * The UI thread never holds a database connection.  A data worker thread
 * owns one connection for snapshots and feedback and a second one that
 * LISTENs on channel 'midwatch'; a pipeline thread owns a third for
 * pipeline runs (on a timer and on demand) and investigations; a silence
 * thread a fourth (opened at its first push) for pushing the Alertmanager
 * silences the operator's feedback queued.  The UI
 * posts intents (refresh, load a detail, record feedback, run the pipeline,
 * investigate a moment) and receives messages
 * (snapshots, results, connection and pipeline state) through queues whose
 * wake pipe sits in the UI's poll() set.  Nothing here draws.  Feedback is
 * written to the journal (journal.h) before the data thread sees it, and
 * waits there, in order, while the database is away.
 */
#ifndef MIDWATCH_WORKER_H
#define MIDWATCH_WORKER_H

#include <stddef.h>

#include "midwatch/feedback.h"

struct db;
struct mw_item_detail;
struct mw_snapshot;

/* ---- queue: a locked FIFO with a wake pipe -------------------------------- */

struct queue;

/* A new, empty queue. */
struct queue *queue_new(void);
/* Frees the queue and, through free_item, what is still in it. */
void queue_free(struct queue *q, void (*free_item)(void *));
/* Appends item (taken over) and wakes the reader. */
void queue_push(struct queue *q, void *item);
/* Wakes the reader without adding an item (it then checks its flags). */
void queue_wake(struct queue *q);
/* Puts item back at the front (for a retry), without waking. */
void queue_push_front(struct queue *q, void *item);
/* Removes and returns the oldest item, or NULL. */
void *queue_pop(struct queue *q);
/* The descriptor to poll for POLLIN; drain it with queue_drain. */
int queue_fd(struct queue *q);
/* Reads the pending wake bytes (call before popping). */
void queue_drain(struct queue *q);

/* ---- intents: UI -> worker -------------------------------------------------- */

enum intent_type {
	INTENT_REFRESH,		/* reload the snapshot now */
	INTENT_DETAIL,		/* load what the detail view of target_kind
				 * target_id shows besides the snapshot: its
				 * feedback history; for an incident (id) its
				 * timeline and series, for an evidence item
				 * its metric around incident id's window */
	INTENT_FEEDBACK,	/* record one feedback event */
	INTENT_RUN_PIPELINE,	/* run the pipeline now */
	INTENT_INVESTIGATE,	/* investigate the moment at (and service) */
	INTENT_SHOWN,		/* the console showed recommendations ids
				 * (telemetry: batched, never journaled) */
	INTENT_VIEW		/* load the data of a report view: id is an
				 * enum worker_view, window the stats window */
};

/* The report views the console opens (`:stats`, `:rules`). */
enum worker_view {
	WVIEW_STATS = 1,	/* stats_read() of window (stats.h) */
	WVIEW_RULES		/* rules_list() with each rule's condition */
};

struct intent {
	enum intent_type type;
	unsigned long seq;		/* echoed in the reply */
	long long id;			/* DETAIL: the incident (of the item) */
	/* FEEDBACK: */
	enum feedback_action action;
	char *target_kind;		/* incident|hypothesis|recommendation|alert|evidence
					 * (FEEDBACK and DETAIL) */
	long long target_id;
	char *payload;			/* JSON text, or NULL */
	char *key;			/* idempotency key, made once when the
					 * operator acted: the same for every
					 * retry and replay */
	char *label;			/* "acknowledge alert #5", for messages */
	char *after;			/* said after "recorded" ("(u undoes
					 * it)"), or NULL */
	char *expect;			/* the status shown meanwhile, or NULL */
	char *actor;			/* who acted; NULL: the console's operator
					 * (a replayed entry keeps its own) */
	int attempts;			/* tries so far (retries after reconnects) */
	/* FEEDBACK: when the operator acted (database clock, epoch seconds);
	 * INVESTIGATE (on the pipeline thread, investigate.h): the moment. */
	double at;
	char *service;			/* a service name, or NULL */
	long long *ids;			/* SHOWN: recommendation ids (n_ids) */
	size_t n_ids;
	char *window;			/* VIEW: "day" or "week", or NULL */
};

/* Frees an intent and its strings. */
void intent_free(struct intent *in);

/* ---- messages: worker -> UI ------------------------------------------------- */

enum wmsg_type {
	WMSG_SNAPSHOT,		/* snap: fresh data */
	WMSG_DETAIL,		/* the detail of kind item_id: item (history,
				 * an evidence item's series) and, for an
				 * incident, snap holding incident id with its
				 * timeline and series; or text says why it
				 * could not be loaded */
	WMSG_DONE,		/* a feedback intent finished (seq, rc, text);
				 * snap is the reloaded data when there is one;
				 * rc WRC_WAITING: held until the database is
				 * back, another WMSG_DONE follows */
	WMSG_DB,		/* connection state: db, text */
	WMSG_PIPELINE,		/* pipeline state (pipe_*), text */
	WMSG_INVESTIGATE,	/* an investigation ended (seq): rc WRC_OK
				 * opened or updated incident id, WRC_ALREADY
				 * incident id already covered it, WRC_FAILED;
				 * text says what */
	WMSG_VIEW,		/* a report view's data (id: enum worker_view):
				 * rc WRC_OK and text the JSON document, or
				 * WRC_FAILED and text why it could not be
				 * loaded */
	WMSG_PENDING,		/* an action read back from the journal waits
				 * for the database (seq; kind, id, status,
				 * who, at; text: its label); its WMSG_DONE
				 * follows */
	WMSG_SILENCES		/* Alertmanager silences were pushed after
				 * feedback: text says what was created or
				 * expired, rc WRC_FAILED when one failed
				 * (retried later) */
};

enum pipe_state {
	PIPE_IDLE,		/* nothing running here */
	PIPE_RUNNING,		/* stage, done/total */
	PIPE_DONE,		/* run_id (0: nothing to do) */
	PIPE_HELD,		/* another process holds the lock; text says who */
	PIPE_FAILED,		/* text says why */
	PIPE_DISABLED		/* read-only console: never runs */
};

/* How a request ended (wmsg.rc of WMSG_DONE, _INVESTIGATE, _VIEW). */
enum wmsg_rc {
	WRC_FAILED = -1,	/* not done: text says why */
	WRC_OK = 0,		/* done (DONE: recorded) */
	WRC_ALREADY = 1,	/* DONE: recorded before (the same key);
				 * INVESTIGATE: an incident covered it */
	WRC_WAITING = 2		/* DONE: held until the database is back
				 * (in the journal); the outcome follows */
};

/* The database as the worker sees it (wmsg.db of WMSG_DB). */
enum wmsg_db {
	WDB_DOWN,		/* unreachable: text says why, retry_at when
				 * the next attempt is due */
	WDB_UP,			/* connected: text describes the connection */
	WDB_NO_DATA		/* connected, but the data could not be
				 * loaded: text says why */
};

struct wmsg {
	enum wmsg_type type;
	unsigned long seq;		/* DONE: the intent's seq */
	enum wmsg_rc rc;		/* DONE, INVESTIGATE, VIEW: see above */
	enum wmsg_db db;		/* DB */
	long long id;			/* DETAIL, INVESTIGATE: incident id;
					 * PIPELINE: run id */
	char *text;			/* message, error or holder; may be NULL */
	struct mw_snapshot *snap;	/* owned by the message until taken */
	struct mw_item_detail *item;	/* DETAIL; owned until taken */
	long long item_id;		/* DETAIL: the item (with kind) */
	enum pipe_state pipe;		/* PIPELINE */
	char *stage;			/* PIPELINE running: current stage */
	int done, total;		/* PIPELINE running: progress */
	double retry_at;		/* DB down: when the next attempt is due */
	/* PENDING: the target and what the action shows meanwhile. */
	char *kind;			/* incident|hypothesis|...|alert|evidence */
	char *status;			/* expected status, or NULL */
	char *who;			/* the actor */
	double at;			/* when it was taken (database clock) */
};

/* Frees a message (and the snapshot it still holds). */
void wmsg_free(struct wmsg *m);

/* ---- the worker ---------------------------------------------------------------- */

struct worker_config {
	struct db *db;			/* taken over: the data connection (may be NULL) */
	const char *conninfo;		/* for reconnecting and the other connections */
	long long project_id;
	const char *actor;		/* pipeline requested_by and feedback actor */
	int readonly;			/* refuse feedback and pipeline runs */
	int no_runs;			/* refuse pipeline runs (the role) */
	int pipeline_interval;		/* seconds; 0 = only on demand */
	int refresh_interval;		/* seconds between fallback reloads */
	int first_rows;			/* rows the first frame shows at most
					 * (the terminal's): the first
					 * snapshot's bound; 0: 100 */
};

struct worker;

/* Starts the threads.  NULL with *cause if a thread cannot start. */
struct worker *worker_start(const struct worker_config *cfg, char **cause);
/* The descriptor the UI polls for messages. */
int worker_fd(struct worker *w);
/* The next message for the UI, or NULL (drains the wake pipe first). */
struct wmsg *worker_next(struct worker *w);
/* Hands an intent (taken over) to the worker.  Feedback goes through
 * worker_post_feedback. */
void worker_post(struct worker *w, struct intent *in);
/*
 * Hands feedback intents (taken over) to the worker, after writing them to
 * the journal (journal.h) with one fsync, so they survive quitting and
 * crashes until the database has them.  Returns 0, or -1 with *cause when
 * the journal could not be written: the intents are posted all the same,
 * held in memory only.
 */
int worker_post_feedback(struct worker *w, struct intent **in, size_t n,
    char **cause);
/* The journal's path, or NULL when the console keeps none (read-only, dev
 * data). */
const char *worker_journal(struct worker *w);
/*
 * Stops the threads: a feedback event being recorded is finished (it is one
 * transaction, so it is committed or not, never half-written), then the
 * connections close.  Waits at most timeout_ms for the data thread and at
 * most half a second more for a running pipeline; returns 0 when all
 * stopped (and frees w), -1 if one is still busy (a long pipeline stage:
 * the process may exit anyway, PostgreSQL rolls the stage back).
 */
int worker_stop(struct worker *w, int timeout_ms);

#endif
