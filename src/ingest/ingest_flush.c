/*
 * ingest_flush.c - writing a batch of the ingest driver (ingest.c) in one
 * transaction (ingest_store.c, ingest_copy.c); when the database refuses the
 * whole batch, it is rolled back and retried one record at a time, so only
 * the offending lines become dead letters.  A lost connection ends the
 * ingest instead.  A full batch of metric points alone is written by a
 * writer thread while the driver fills the next one (ingest_flush_full);
 * its result is taken, and a refused batch retried, on the driver's thread
 * before anything else happens (ingest_flush_join).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_driver_int.h"
#include "ingest_int.h"
#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/log.h"
#include "midwatch/redact.h"
#include "midwatch/sanitize.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

/* Starts a flush on the driver's thread: a new flush number, and the
 * names it resolves - those of the cache still unresolved, interned before
 * the cache had limit names (a batch handed to the writer thread resolves
 * only the names interned before it was full, as when it was written at
 * once). */
static void
flush_prepare(struct ingest *in, size_t limit)
{
	struct ingest_svc *e;
	size_t i;

	in->gen++;
	in->nunres = 0;
	for (i = 0; i < in->svc_size; i++) {
		for (e = in->svc_tab[i]; e != NULL; e = e->next) {
			if (e->id != 0 || e->seq >= limit)
				continue;
			if (in->nunres == in->capunres) {
				in->capunres = in->capunres ? in->capunres * 2 : 64;
				in->unres = xreallocarray(in->unres, in->capunres,
				    sizeof *in->unres);
			}
			in->unres[in->nunres++] = e;
		}
	}
}

/* 1 when batch b holds no record but metric points (dead letters
 * aside). */
static int
flush_points_only(const struct ingest_batch *b)
{
	int k;

	for (k = 0; k < INGEST_KIND_COUNT; k++)
		if (json_array_size(b->rows[k]) > 0)
			return 0;
	return 1;
}

/* Writes batch b in one transaction (flush_prepare first); *delta gets
 * what it did, its lines counted valid or rejected only once it committed.
 * On failure everything of b is rolled back; the caller forgets the ids
 * resolved (ingest_svc_forget).  Touches only the database, the copy state
 * and the batch's services: it runs on the writer thread too. */
static int
flush_run(struct ingest *in, struct ingest_batch *b, struct ingest_stats *delta,
    char **cause)
{
	int k;

	memset(delta, 0, sizeof *delta);
	if (b->npoints > 0) {
		if (!in->stage_ready) {
			if (DBXN(in->db, cause, "ingest/temp_stage") != 0)
				return -1;
			in->stage_ready = 1;
		}
		if (ingest_copy_partitions(in, b, cause) != 0)
			return -1;
	}
	/* points alone, names known, the direct COPY: the scope check is the
	 * first statement, its round trip takes the BEGIN along */
	in->begin_deferred = b->npoints > 0 && in->nunres == 0 &&
	    !in->copy_dedupe && flush_points_only(b);
	if (!in->begin_deferred && db_begin(in->db, cause) != 0)
		return -1;
	if (ingest_store_batch(in, b, delta, cause) != 0 ||
	    db_commit(in->db, cause) != 0) {
		in->begin_deferred = 0;
		db_rollback(in->db);
		in->parts_known = 0;	/* ensure them again (ingest_copy.c) */
		return -1;
	}
	for (k = 0; k < INGEST_KIND_COUNT; k++)
		delta->kind[k].valid = b->valid[k];
	delta->rejected = b->rejected;
	return 0;
}

/* flush_prepare and flush_run on the driver's thread. */
static int
flush_try(struct ingest *in, struct ingest_batch *b, size_t limit,
    struct ingest_stats *delta, char **cause)
{
	flush_prepare(in, limit);
	if (flush_run(in, b, delta, cause) == 0)
		return 0;
	ingest_svc_forget(in, in->gen);
	return -1;
}

/* Writes only the batch's dead letters (many bad lines in a row), so the
 * records' batch boundaries depend on the records alone. */
int
ingest_flush_dead(struct ingest *in, char **cause)
{
	struct ingest_batch one;
	struct ingest_stats delta;
	int rc;

	ingest_batch_init(&one);
	json_array_extend(one.dead, in->batch.dead);
	one.nrecs = json_array_size(one.dead);
	one.rejected = in->batch.rejected;
	rc = ingest_flush_join(in, cause);
	if (rc == 0)
		rc = flush_try(in, &one, in->svc_count, &delta, cause);
	if (rc == 0) {
		ingest_stats_merge(&in->stats, &delta);
		in->batch.nrecs -= one.nrecs;
		in->batch.rejected = 0;
		json_array_clear(in->batch.dead);
	}
	ingest_batch_release(&one, 0);
	return rc;
}

/* Dead-letters a record the database refused (fallback path). */
static void
fallback_reject(struct ingest *in, json_t *dead, const char *source,
    long long line, json_t *payload_obj, const char *why)
{
	char *dump, *payload, *reason, *clean;

	/* the ids the store added are ours, not the line's */
	json_object_del(payload_obj, "service_id");
	json_object_del(payload_obj, "from_service_id");
	json_object_del(payload_obj, "to_service_id");
	dump = json_dumps(payload_obj, JSON_COMPACT | JSON_REAL_PRECISION(15));
	payload = ingest_payload_text(dump ? dump : "", dump ? strlen(dump) : 0,
	    dump ? strlen(dump) : 0);
	reason = xasprintf("rejected by the database: %s", why);
	clean = ingest_dead_reason(reason);

	ingest_stats_reject(in, source, line, clean);
	json_array_append_new(dead, json_pack("{s:s, s:I, s:s, s:s}", "source",
	    source, "line_no", (json_int_t)(line > 2147483647LL ? 2147483647LL : line),
	    "payload", payload, "error", clean));
	free(dump);
	free(payload);
	free(reason);
	free(clean);
}

/* Retries a refused batch record by record; refused records become dead
 * letters.  limit: the cache's size when the batch was full.  -1 only when
 * the database itself failed. */
static int
flush_fallback(struct ingest *in, struct ingest_batch *b, size_t limit,
    char **cause)
{
	struct ingest_batch one;
	struct ingest_stats delta;
	json_t *dead = json_array(), *row, *p;
	char *why = NULL, ts[40];
	long long refused = 0;
	size_t i;
	int k, rc = -1;

	for (k = 0; k < INGEST_KIND_COUNT; k++) {
		json_array_foreach(b->rows[k], i, row) {
			ingest_batch_init(&one);
			json_array_append(one.rows[k], row);
			one.nrecs = 1;
			one.valid[k] = 1;
			if (flush_try(in, &one, limit, &delta, &why) == 0)
				ingest_stats_merge(&in->stats, &delta);
			else if (!db_alive(in->db)) {
				*cause = why;
				ingest_batch_release(&one, 0);
				goto out;
			} else {
				p = json_deep_copy(row);
				json_object_del(p, "_line");
				refused++;
				fallback_reject(in, dead, in->source, json_integer_value(
				    json_object_get(row, "_line")), p, why);
				json_decref(p);
				free(why);
			}
			why = NULL;
			ingest_batch_release(&one, 0);
		}
	}
	for (i = 0; i < b->npoints; i++) {
		ingest_batch_init(&one);
		one.points = &b->points[i];
		one.npoints = 1;
		one.nrecs = 1;
		one.valid[INGEST_KIND_METRIC] = 1;
		one.pmin = one.pmax = b->points[i].ts;
		if (flush_try(in, &one, limit, &delta, &why) == 0)
			ingest_stats_merge(&in->stats, &delta);
		else if (!db_alive(in->db)) {
			*cause = why;
			ingest_batch_release(&one, 0);
			goto out;
		} else {
			ingest_kinds_ts(b->points[i].ts, ts, sizeof ts);
			p = json_pack("{s:s, s:s, s:s, s:s, s:f}", "kind", "metric",
			    "ts", ts, "service", b->points[i].svc->name, "metric",
			    b->points[i].metric, "value", b->points[i].value);
			refused++;
			fallback_reject(in, dead, in->source, b->points[i].line, p, why);
			json_decref(p);
			free(why);
		}
		why = NULL;
		ingest_batch_release(&one, 0);
	}
	/* the dead letters: the batch's own and the refused records */
	ingest_batch_init(&one);
	json_array_extend(one.dead, b->dead);
	json_array_extend(one.dead, dead);
	one.nrecs = json_array_size(one.dead);
	one.rejected = b->rejected + refused;
	if (one.nrecs > 0) {
		if (flush_try(in, &one, limit, &delta, cause) != 0) {
			ingest_batch_release(&one, 0);
			goto out;
		}
		ingest_stats_merge(&in->stats, &delta);
	}
	ingest_batch_release(&one, 0);
	rc = 0;
out:
	json_decref(dead);
	return rc;
}

/* Takes the result of a flush of in->wbatch or of in->batch (b) with
 * limit: merges its counts, or retries it record by record when the
 * database refused it (why: its reason), or ends with *cause when the
 * connection is gone.  Empties b for reuse. */
static int
flush_result(struct ingest *in, struct ingest_batch *b, size_t limit, int rc,
    const struct ingest_stats *delta, char *why, char **cause)
{
	if (rc == 0)
		ingest_stats_merge(&in->stats, delta);
	else if (!db_alive(in->db)) {
		*cause = why;
	} else {
		log_warn("ingest: a batch of %zu records was refused (%s); "
		    "retrying record by record", b->nrecs, why);
		free(why);
		rc = flush_fallback(in, b, limit, cause);
	}
	ingest_batch_reuse(b);
	return rc;
}

/* Writes what is batched (see ingest.h). */
int
ingest_flush(struct ingest *in, char **cause)
{
	struct ingest_batch *b = &in->batch;
	struct ingest_stats delta;
	char *why = NULL;
	int rc;

	if (ingest_flush_join(in, cause) != 0)
		return -1;
	if (b->nrecs == 0)
		return 0;
	rc = flush_try(in, b, in->svc_count, &delta, &why);
	return flush_result(in, b, in->svc_count, rc, &delta, why, cause);
}

/* The writer thread: writes in->wbatch (see ingest_flush_full). */
static void *
flush_writer(void *arg)
{
	struct ingest *in = arg;

	in->wrc = flush_run(in, &in->wbatch, &in->wdelta, &in->wwhy);
	return NULL;
}

/* Waits for the writer thread (see ingest_int.h). */
int
ingest_flush_join(struct ingest *in, char **cause)
{
	char *why;

	if (!in->wrunning)
		return 0;
	if (in->wrunning == 1)
		pthread_join(in->wth, NULL);
	in->wrunning = 0;
	why = in->wwhy;
	in->wwhy = NULL;
	if (in->wrc != 0)
		ingest_svc_forget(in, in->gen);
	return flush_result(in, &in->wbatch, in->wlimit, in->wrc, &in->wdelta,
	    why, cause);
}

/*
 * Writes the full batch (see ingest_int.h).  A batch of metric points
 * alone - the bulk of a large input - is written by a thread while the
 * driver reads and fills the next one, so the server does not wait for
 * the client between batches.  Everything else happens on the driver's
 * thread in input order as before: the next batch is handed over only
 * after this one's result was taken (ingest_flush_join), and any other
 * record, dead letter, source or the end of the input joins first.  The
 * thread touches the connection, the copy state (ingest_copy.c), its own
 * batch and the names flush_prepare listed; the driver meanwhile only adds
 * points (and names) to in->batch and counts them.
 */
int
ingest_flush_full(struct ingest *in, char **cause)
{
	struct ingest_batch spare, *b = &in->batch;
	if (ingest_flush_join(in, cause) != 0)
		return -1;
	if (!flush_points_only(b) || b->npoints == 0 ||
	    json_array_size(b->dead) > 0)
		return ingest_flush(in, cause);
	flush_prepare(in, in->svc_count);
	in->wlimit = in->svc_count;
	spare = in->wbatch;
	in->wbatch = *b;
	*b = spare;
	in->wrunning = 1;
	if (pthread_create(&in->wth, NULL, flush_writer, in) != 0) {
		/* no thread: write it here, the result taken as the thread's */
		in->wrunning = 2;
		in->wrc = flush_run(in, &in->wbatch, &in->wdelta, &in->wwhy);
	}
	return 0;
}
