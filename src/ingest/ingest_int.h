/*
 * ingest_int.h - what the ingest driver's files share and nothing else: the
 * service-name cache, the pending batch, and the store entry points
 * (ingest_store.c for the set-based kinds, ingest_copy.c for metric points).
 */
#ifndef MIDWATCH_INGEST_INT_H
#define MIDWATCH_INGEST_INT_H

#include <pthread.h>
#include <stddef.h>
#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/ingest.h"

/* Flush thresholds: a batch is written when one is reached. */
#define INGEST_BATCH_ROWS 5000		/* non-metric records */
#define INGEST_BATCH_POINTS 50000	/* metric points */
#define INGEST_BATCH_BYTES (16 * 1024 * 1024)	/* approximate line bytes */

/*
 * A service name seen in the input.  id is 0 until the name was resolved in
 * the database (created on the fly when needed); gen is the flush that
 * resolved it, so a rolled-back flush can forget what it resolved.  Entries
 * are allocated one by one, so pointers to them stay valid.
 */
struct ingest_svc {
	char *name;
	long long id;
	unsigned gen;
	unsigned scope_mark;	/* copy_scope's last visit (ingest_copy.c) */
	size_t seq;		/* order of interning: 0, 1, ... */
	char *tier;		/* tier to give it if created or still NULL
				 * (dependency targets: dep_kind), or NULL */
	struct ingest_svc *next;	/* hash chain */
};

/* A metric point waiting for COPY. */
struct ingest_point {
	struct ingest_svc *svc;
	char *metric;
	char *labels_key;
	char *labels;		/* compact JSON or NULL */
	double ts, value;
	long long line;
};

/* Records waiting to be written.  rows[k] is a JSON array of the
 * normalised rows of kind k, each carrying "_line" (its line number). */
struct ingest_batch {
	json_t *rows[INGEST_KIND_COUNT];
	struct ingest_point *points;
	size_t npoints, cappoints;
	double pmin, pmax;	/* range of the points' ts */
	json_t *dead;		/* [{source, line_no, payload, error}] */
	size_t nrecs;		/* records (rows + points) pending */
	size_t bytes;		/* approximate size of the pending lines */
	/* What the batch stores, counted in the summary once it commits. */
	long long valid[INGEST_KIND_COUNT];	/* records per kind */
	long long rejected;			/* dead letters of lines */
};

struct ingest {
	struct db *db;		/* borrowed */
	long long project_id;
	char project[24];	/* project_id as text */
	struct ingest_svc **svc_tab;
	size_t svc_size, svc_count;
	unsigned gen;		/* flush counter */
	unsigned scope_mark;	/* copy_scope's visit counter */
	int stage_ready;	/* the TEMP staging table exists */
	int copy_dedupe;	/* the last batch met stored points: COPY the
				 * next through the staging table */
	int parts_known;	/* the partitions for [parts_from, parts_to]
				 * were ensured since the last failed flush */
	double parts_from, parts_to;
	int begin_deferred;	/* the batch's BEGIN goes in the round trip of
				 * its scope check (ingest_copy.c) */
	char *source;		/* current source name (for dead letters) */
	long long source_id;	/* its ingest_sources row, or 0 */
	struct ingest_batch batch;
	struct ingest_stats stats;
	struct buf copy_buf;	/* COPY data being sent (ingest_copy.c),
				 * kept from batch to batch */
	/* The names a flush resolves (unresolved when it started, in the
	 * cache's order): set by the driver's thread (ingest_flush.c), read
	 * by ingest_store.c, so a flush never walks the cache. */
	struct ingest_svc **unres;
	size_t nunres, capunres;
	/* A full batch of metric points being written by the writer thread
	 * while the driver fills the next one (ingest_flush.c). */
	struct ingest_batch wbatch;
	struct ingest_stats wdelta;	/* what it did, merged when joined */
	char *wwhy;		/* why it failed */
	int wrc;		/* 0 written, -1 failed (rolled back) */
	int wrunning;		/* 1 the thread runs (not joined yet); 2 no
				 * thread could start, the result is there */
	size_t wlimit;		/* the cache's size when it was handed over */
	pthread_t wth;
};

/* A line of the input as the reader thread hands it over (ingest_read.c):
 * its text is at off in its chunk, NUL-terminated. */
struct ingest_line {
	size_t off;
	size_t len;		/* bytes kept (at most INGEST_MAX_LINE) */
	size_t full;		/* bytes the line really had */
	int parsed;		/* 1: rec holds it, validated; -1: refused with
				 * why; 0: not validated (not a plain record:
				 * see ingest_line_is_record).  The driver
				 * takes rec or why and sets it to 0. */
	struct ingest_rec rec;
	char *why;
};

struct ingest_reader;

/* Starts reading f on a parser thread. */
struct ingest_reader *ingest_reader_start(FILE *f);
/* The next line: 1 and *line (valid until the next call) with *text its
 * text (writable), 0 at the end, -1 on a read error (ingest_reader_error). */
int ingest_reader_next(struct ingest_reader *rd, struct ingest_line **line,
    char **text);
/* The errno of the read error that ended the input, or 0. */
int ingest_reader_error(const struct ingest_reader *rd);
/* Stops the thread (even one waiting for input) and frees everything. */
void ingest_reader_stop(struct ingest_reader *rd);
/* 1 when the driver takes this line (len bytes kept of full) as one plain
 * JSON Lines record: not blank, not too long, not the start of a document
 * over several lines, not a webhook body (ingest.c). */
int ingest_line_is_record(const char *s, size_t len, size_t full);

/* Looks up or adds a service name (never NULL). */
struct ingest_svc *ingest_svc_intern(struct ingest *in, const char *name);
/* Looks up a service name, or NULL. */
struct ingest_svc *ingest_svc_find(struct ingest *in, const char *name);

/* Writes batch b inside the caller's transaction, adding what it did to
 * *delta.  0 or -1 with *cause (the caller rolls back). */
int ingest_store_batch(struct ingest *in, struct ingest_batch *b,
    struct ingest_stats *delta, char **cause);
/* Creates the metric partitions the batch's points need (own statements,
 * before the batch's transaction).  0 or -1 with *cause. */
int ingest_copy_partitions(struct ingest *in, struct ingest_batch *b,
    char **cause);
/* Writes the batch's points into metric_points (binary COPY, straight in
 * or through the staging table when some may be stored already; inside
 * the caller's transaction); *inserted counts new points.  0 or -1 with
 * *cause. */
int ingest_copy_points(struct ingest *in, struct ingest_batch *b,
    long long *inserted, char **cause);

/* Writes the full batch: a batch of metric points alone is handed to the
 * writer thread (the driver goes on reading; the result is taken by the
 * next ingest_flush_join), any other is written at once.  0 or -1 with
 * *cause (database). */
int ingest_flush_full(struct ingest *in, char **cause);
/* Waits for the writer thread, if any, and takes its result: counts merged,
 * or the batch retried record by record.  Called before anything else
 * touches the database, the service cache's ids or the counts.  0 or -1
 * with *cause (database). */
int ingest_flush_join(struct ingest *in, char **cause);

/* Adds a record (consumed) read at line of the current source to the
 * batch; flushes when the batch is full.  0 or -1 with *cause (database). */
int ingest_add_record(struct ingest *in, struct ingest_rec *rec,
    long long line, size_t bytes, char **cause);
/* Dead-letters a line: payload text (already cleaned and redacted, owned),
 * reason (owned).  0 or -1 with *cause (database). */
int ingest_add_dead(struct ingest *in, long long line, char *payload,
    char *reason, char **cause);

/* A dead-letter payload for rejected input (len of full_len bytes kept):
 * cleaned text, secrets masked (see ingest.c).  Malloc'd. */
char *ingest_dead_payload(const char *text, size_t len, size_t full_len);
/*
 * Ingests an Alertmanager webhook body (ingest_am_is_body) read at line of
 * the current source (ingest_webhook.c): each alert becomes records through
 * ingest_add_record, a malformed one a dead letter with its reason; the
 * others are kept.  bytes: the body's size.  0 or -1 with *cause (database).
 */
int ingest_webhook_body(struct ingest *in, json_t *body, long long line,
    size_t bytes, char **cause);

#endif
