/*
 * ingest_read.c - the ingest input, read and parsed ahead on a thread.
 *
 * A parser thread reads the input in large blocks (read(2), or fread when
 * the stream has no descriptor), splits it into lines with memchr, and
 * validates each line the driver would take as a plain JSON Lines record
 * (ingest_line_is_record) with ingest_kinds_parse_fast.  It hands the lines
 * over in chunks of up to INGEST_BATCH_POINTS lines through a queue of
 * READ_QUEUE chunks, so the driver (ingest.c, the only one that talks to
 * the database) streams one batch while the next is parsed, and memory is
 * bounded whatever the size of the input.  Everything else - blank lines,
 * documents over several lines, webhook bodies, dead letters, batches, the
 * summary - stays with the driver, in input order, exactly as before.
 *
 * The thread touches nothing but its input, its chunks and the pure
 * validation layer (no database, no curses, no logging).  It can be
 * cancelled only while it waits in read(2), so a driver that gives up (the
 * database is gone) does not wait for an idle pipe to close.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest_int.h"
#include "midwatch/ingest.h"
#include "midwatch/log.h"
#include "midwatch/xmalloc.h"

#define READ_BLOCK (256 * 1024)		/* bytes per read */
#define READ_QUEUE 2			/* parsed chunks waiting */
#define READ_CHUNK_BYTES (8 * 1024 * 1024)	/* text bytes per chunk */
#define READ_ARENA (READ_CHUNK_BYTES + INGEST_MAX_LINE + 2)
#define READ_JSON_COST 8		/* a jansson-parsed line costs this
					 * many times its length (its objects) */

/* A run of consecutive lines: their text (each NUL-terminated) in one
 * arena, and what the parser made of them. */
struct read_chunk {
	char *arena;
	size_t used, cap;
	struct ingest_line *lines;
	size_t n, cap_lines;
	size_t next;		/* the driver's position */
	size_t cost;		/* approximate bytes held */
	int eof;		/* the input ends after these lines */
	int err;		/* ... with this read error (errno), or 0 */
	struct read_chunk *qnext;
};

struct ingest_reader {
	FILE *f;
	int fd;			/* fileno(f), or -1: fread */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct read_chunk *head, *tail;	/* full chunks, oldest first */
	size_t queued;
	struct read_chunk *free_list;	/* emptied chunks to reuse */
	int stop;		/* the driver wants no more */
	struct read_chunk *filling;	/* the thread's chunk (freed by
					 * ingest_reader_stop if cancelled) */
	struct read_chunk *cur;	/* the driver's chunk */
	int done;		/* the driver saw the end */
	int err;		/* read error at the end (errno) */
	/* the thread's read buffer: bytes [off, len) not yet split */
	char *blk;
	size_t off, len;
	int at_eof, rd_err;
	struct ingest_fast_cache *names;	/* the thread's */
};

/* ---- chunks -------------------------------------------------------------- */

/* Releases what the driver did not take from a chunk's lines and empties
 * it for reuse. */
static void
chunk_reset(struct read_chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->lines[i].parsed > 0)
			ingest_kinds_clear(&c->lines[i].rec);
		free(c->lines[i].why);
	}
	c->used = c->n = c->next = c->cost = 0;
	c->eof = c->err = 0;
	c->qnext = NULL;
}

/* Frees a chunk. */
static void
chunk_free(struct read_chunk *c)
{
	if (c == NULL)
		return;
	chunk_reset(c);
	free(c->arena);
	free(c->lines);
	free(c);
}

/* Starts an empty line at the end of c; returns it. */
static struct ingest_line *
chunk_line(struct read_chunk *c)
{
	struct ingest_line *l;

	if (c->n == c->cap_lines) {
		c->cap_lines = c->cap_lines ? c->cap_lines * 2 : 1024;
		c->lines = xreallocarray(c->lines, c->cap_lines, sizeof *c->lines);
	}
	l = &c->lines[c->n++];
	memset(l, 0, sizeof *l);
	l->off = c->used;
	return l;
}

/* Appends n bytes to line l, the last of c, keeping it NUL-terminated
 * (c->used stays on the NUL until the line is complete).
 * The arena never moves (the fast path's records point into it): it is
 * allocated once, large enough for a chunk that stops taking lines past
 * READ_CHUNK_BYTES plus one line of the longest kind. */
static void
chunk_append(struct read_chunk *c, struct ingest_line *l, const char *s,
    size_t n)
{
	if (c->arena == NULL) {
		c->cap = READ_ARENA;
		c->arena = xmalloc(c->cap);
	}
	if (c->used + n + 1 > c->cap)
		fatal("ingest: reader chunk overflow");
	memcpy(c->arena + c->used, s, n);
	c->used += n;
	c->arena[c->used] = '\0';
	l->len += n;
}

/* ---- the parser thread --------------------------------------------------- */

/* Refills the (consumed) read buffer; sets at_eof or rd_err at the end.
 * The only place where the thread may be cancelled. */
static void
thread_fill(struct ingest_reader *rd)
{
	ssize_t got;
	size_t n;
	int old;

	rd->off = rd->len = 0;
	if (rd->fd >= 0) {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		do
			got = read(rd->fd, rd->blk, READ_BLOCK);
		while (got < 0 && errno == EINTR);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		if (got < 0)
			rd->rd_err = errno != 0 ? errno : EIO;
		else if (got == 0)
			rd->at_eof = 1;
		else
			rd->len = (size_t)got;
		return;
	}
	n = fread(rd->blk, 1, READ_BLOCK, rd->f);
	rd->len = n;
	if (n == 0 && ferror(rd->f))
		rd->rd_err = errno != 0 ? errno : EIO;
	else if (n == 0)
		rd->at_eof = 1;
}

/*
 * Reads the next line into c, as the driver's reader always did: at most
 * INGEST_MAX_LINE bytes of it kept (full counts them all), without its
 * newline or a trailing CR; a line cut short by a read error is dropped.
 * 1 got one, 0 at the end of the input or on a read error (rd_err).
 */
static int
thread_line(struct ingest_reader *rd, struct read_chunk *c,
    struct ingest_line **out)
{
	struct ingest_line *l;
	char *nl;
	size_t take, keep, full = 0;

	while (rd->off == rd->len && !rd->at_eof && !rd->rd_err)
		thread_fill(rd);
	if (rd->off == rd->len)
		return 0;
	l = chunk_line(c);
	chunk_append(c, l, "", 0);
	for (;;) {
		nl = memchr(rd->blk + rd->off, '\n', rd->len - rd->off);
		take = (nl != NULL ? (size_t)(nl - rd->blk) : rd->len) - rd->off;
		keep = INGEST_MAX_LINE - l->len;
		chunk_append(c, l, rd->blk + rd->off, take < keep ? take : keep);
		full += take;
		rd->off += take;
		if (nl != NULL) {
			rd->off++;
			break;
		}
		thread_fill(rd);
		if (rd->rd_err) {
			c->used = l->off;
			c->n--;
			return 0;
		}
		if (rd->at_eof)
			break;
	}
	l->full = full;
	if (l->len > 0 && l->len == l->full &&
	    c->arena[l->off + l->len - 1] == '\r') {
		l->len--;
		l->full--;
		c->arena[l->off + l->len] = '\0';
	}
	c->used++;		/* past the line's NUL */
	c->cost += l->len + 1;
	*out = l;
	return 1;
}

/* Validates line l of chunk c ahead of the driver when the driver would
 * take it as a plain record. */
static void
thread_parse(struct ingest_reader *rd, struct read_chunk *c,
    struct ingest_line *l)
{
	char *text = c->arena + l->off;
	int fast = 0;

	if (!ingest_line_is_record(text, l->len, l->full))
		return;
	if (ingest_kinds_parse_fast(text, l->len, &l->rec, &l->why, &fast,
	    rd->names) == 0)
		l->parsed = 1;
	else
		l->parsed = -1;
	if (!fast)
		c->cost += (size_t)l->len * READ_JSON_COST;
}

/* Hands chunk c to the driver, waiting while the queue is full.  0, or -1
 * when the driver stopped (c is then freed). */
static int
thread_put(struct ingest_reader *rd, struct read_chunk *c)
{
	rd->filling = NULL;
	pthread_mutex_lock(&rd->mu);
	while (rd->queued >= READ_QUEUE && !rd->stop)
		pthread_cond_wait(&rd->cv, &rd->mu);
	if (rd->stop) {
		pthread_mutex_unlock(&rd->mu);
		chunk_free(c);
		return -1;
	}
	if (rd->tail != NULL)
		rd->tail->qnext = c;
	else
		rd->head = c;
	rd->tail = c;
	rd->queued++;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	return 0;
}

/* A chunk to fill: a reused one or a new one. */
static struct read_chunk *
thread_chunk(struct ingest_reader *rd)
{
	struct read_chunk *c;

	pthread_mutex_lock(&rd->mu);
	c = rd->free_list;
	if (c != NULL)
		rd->free_list = c->qnext;
	pthread_mutex_unlock(&rd->mu);
	if (c == NULL)
		c = xcalloc(1, sizeof *c);
	c->qnext = NULL;
	return c;
}

/* The parser thread: chunks of parsed lines until the end of the input. */
static void *
thread_main(void *arg)
{
	struct ingest_reader *rd = arg;
	struct read_chunk *c;
	struct ingest_line *l;
	int old, more = 1;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	while (more) {
		c = rd->filling = thread_chunk(rd);
		while (c->n < INGEST_BATCH_POINTS && c->cost < READ_CHUNK_BYTES) {
			if (thread_line(rd, c, &l) == 0) {
				more = 0;
				c->eof = 1;
				c->err = rd->rd_err;
				break;
			}
			thread_parse(rd, c, l);
		}
		if (thread_put(rd, c) != 0)
			break;
	}
	return NULL;
}

/* ---- the driver's side --------------------------------------------------- */

/* Starts reading f (see ingest_int.h). */
struct ingest_reader *
ingest_reader_start(FILE *f)
{
	struct ingest_reader *rd = xcalloc(1, sizeof *rd);

	rd->f = f;
	rd->fd = fileno(f);
	rd->blk = xmalloc(READ_BLOCK);
	rd->names = ingest_fast_cache_new();
	pthread_mutex_init(&rd->mu, NULL);
	pthread_cond_init(&rd->cv, NULL);
	/* jansson seeds its hash function on first use; do it here, once */
	json_object_seed(0);
	if (pthread_create(&rd->thread, NULL, thread_main, rd) != 0)
		fatal("ingest: cannot start the parser thread");
	return rd;
}

/* The next line (see ingest_int.h). */
int
ingest_reader_next(struct ingest_reader *rd, struct ingest_line **out,
    char **text)
{
	struct read_chunk *c;

	for (;;) {
		c = rd->cur;
		if (c != NULL && c->next < c->n) {
			*out = &c->lines[c->next++];
			*text = c->arena + (*out)->off;
			return 1;
		}
		if (c != NULL && c->eof) {
			rd->err = c->err;
			rd->done = 1;
			return c->err != 0 ? -1 : 0;
		}
		if (rd->done)
			return rd->err != 0 ? -1 : 0;
		pthread_mutex_lock(&rd->mu);
		if (c != NULL) {
			/* recycle the chunk the driver is done with */
			chunk_reset(c);
			c->qnext = rd->free_list;
			rd->free_list = c;
			rd->cur = NULL;
		}
		while (rd->head == NULL)
			pthread_cond_wait(&rd->cv, &rd->mu);
		c = rd->head;
		rd->head = c->qnext;
		if (rd->head == NULL)
			rd->tail = NULL;
		rd->queued--;
		pthread_cond_broadcast(&rd->cv);
		pthread_mutex_unlock(&rd->mu);
		rd->cur = c;
	}
}

/* The read error that ended the input (errno), or 0. */
int
ingest_reader_error(const struct ingest_reader *rd)
{
	return rd->err;
}

/* Stops the thread and frees everything (see ingest_int.h). */
void
ingest_reader_stop(struct ingest_reader *rd)
{
	struct read_chunk *c, *next;

	if (rd == NULL)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->stop = 1;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	/* it may be waiting for input that never comes */
	pthread_cancel(rd->thread);
	pthread_join(rd->thread, NULL);
	for (c = rd->head; c != NULL; c = next) {
		next = c->qnext;
		chunk_free(c);
	}
	for (c = rd->free_list; c != NULL; c = next) {
		next = c->qnext;
		chunk_free(c);
	}
	chunk_free(rd->cur);
	chunk_free(rd->filling);
	pthread_mutex_destroy(&rd->mu);
	pthread_cond_destroy(&rd->cv);
	free(rd->blk);
	ingest_fast_cache_free(rd->names);
	free(rd);
}
