/*
 * db_batch.c - several parameterised statements in one round trip: libpq's
 * pipeline mode behind a small interface (db.h, "batches").  The statements
 * are queued, sent together with one Sync, and their results read in
 * order - all at once (db_batch_run), or one by one (db_batch_next), so
 * the caller works on one result while the server runs the next
 * statement.  The server runs them one after another in one implicit
 * transaction, so the first failure aborts the rest.  A named statement
 * (db_batch_add_named) is checked against its header's columns as db_run
 * checks one, and its result is read by column name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* One queued statement. */
struct db_batch_stmt {
	const char *sql;	/* borrowed: a string literal of the caller */
	const struct db_query_text *q;	/* the named query, or NULL */
	int n;
	char **params;		/* copies (NULL entries are SQL NULL) */
	PGresult *res;		/* after db_batch_run */
};

struct db_batch {
	struct db *db;
	struct db_batch_stmt *v;
	size_t n, cap;
	size_t next;		/* the next result to read */
	int sent;		/* in pipeline mode, the Sync not read yet */
	int failed;		/* a statement failed (the rest were not run) */
	int lost;		/* the connection is gone */
};

/* A new empty batch on db. */
struct db_batch *
db_batch_new(struct db *db)
{
	struct db_batch *b = xcalloc(1, sizeof *b);

	b->db = db;
	return b;
}

/* Queues sql (which must outlive the batch) with n parameters (copied);
 * returns its index. */
int
db_batch_add(struct db_batch *b, const char *sql, int n,
    const char *const *params)
{
	struct db_batch_stmt *st;
	int i;

	if (b->n == b->cap) {
		b->cap = b->cap > 0 ? 2 * b->cap : 8;
		b->v = xreallocarray(b->v, b->cap, sizeof *b->v);
	}
	st = &b->v[b->n];
	memset(st, 0, sizeof *st);
	st->sql = sql;
	st->n = n;
	st->params = n > 0 ? xcalloc((size_t)n, sizeof *st->params) : NULL;
	for (i = 0; i < n; i++)
		st->params[i] = params[i] != NULL ? xstrdup(params[i]) : NULL;
	return (int)b->n++;
}

/* Queues the embedded statement name (see db.h). */
int
db_batch_add_named(struct db_batch *b, const char *name, int n,
    const char *const *params)
{
	const struct db_query_text *q = db_query_find(name);
	int i = db_batch_add(b, q->sql, n, params);

	b->v[i].q = q;
	return i;
}

/* Sends every queued statement and a Sync (see db.h). */
int
db_batch_send(struct db_batch *b, char **cause)
{
	PGconn *c;
	size_t i;

	if (b->db == NULL || b->db->conn == NULL) {
		*cause = xstrdup("not connected to the database");
		return -1;
	}
	c = b->db->conn;
	if (PQenterPipelineMode(c) != 1) {
		*cause = xasprintf("cannot enter pipeline mode: %s",
		    PQerrorMessage(c));
		return -1;
	}
	b->sent = 1;
	for (i = 0; i < b->n; i++)
		if (PQsendQueryParams(c, b->v[i].sql, b->v[i].n, NULL,
		    (const char *const *)b->v[i].params, NULL, NULL, 0) != 1)
			break;
	if (i < b->n || PQpipelineSync(c) != 1) {
		*cause = xasprintf("cannot send statements: %s",
		    PQerrorMessage(c));
		b->lost = 1;	/* no Sync to wait for */
		b->failed = 1;
		return -1;
	}
	return 0;
}

/* Reads the next statement's result into the batch; 0, or -1 with *cause
 * (the statement's error, or the connection's). */
static int
db_batch_read(struct db_batch *b, char **cause)
{
	PGconn *c = b->db->conn;
	struct db_batch_stmt *st = &b->v[b->next++];
	PGresult *res;

	/* the statement's result, then a NULL */
	while ((res = PQgetResult(c)) != NULL) {
		if (st->res == NULL)
			st->res = res;
		else
			PQclear(res);
	}
	if (st->res == NULL) {
		/* the connection is gone (or out of step): read no more */
		(void)db_check(b->db, NULL, cause);
		b->lost = 1;
		return -1;
	}
	if (PQresultStatus(st->res) == PGRES_PIPELINE_ABORTED) {
		*cause = xstrdup("statement not run: an earlier one failed");
		return -1;
	}
	if (db_check(b->db, st->res, cause) != 0) {
		st->res = NULL;		/* db_check cleared it */
		return -1;
	}
	if (st->q != NULL && db_named_check(st->q, st->res, cause) != 0) {
		PQclear(st->res);
		st->res = NULL;
		return -1;
	}
	return 0;
}

/* The next statement's result, now the caller's (see db.h). */
struct db_res *
db_batch_next(struct db_batch *b, char **cause)
{
	struct db_res *r;
	int i = (int)b->next;

	if (!b->sent || b->failed || b->next >= b->n) {
		*cause = xstrdup("no statement left in the batch");
		return NULL;
	}
	if (db_batch_read(b, cause) != 0) {
		b->failed = 1;
		return NULL;
	}
	r = db_batch_take(b, i);
	return r;
}

/* Reads what is left up to the Sync and leaves pipeline mode (see db.h). */
int
db_batch_end(struct db_batch *b, char **cause)
{
	PGconn *c;
	PGresult *res;
	char *ignored, *mine = NULL;
	int rc = b->failed ? -1 : 0;

	if (!b->sent)
		return rc;
	if (cause == NULL)
		cause = &mine;
	c = b->db->conn;
	while (!b->lost && b->next < b->n) {
		ignored = NULL;
		if (db_batch_read(b, rc == 0 ? cause : &ignored) != 0)
			rc = -1;
		free(ignored);
	}
	if (!b->lost) {
		res = PQgetResult(c);
		if ((res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC) &&
		    rc == 0) {
			*cause = xasprintf("pipeline out of step: %s",
			    PQerrorMessage(c));
			rc = -1;
		}
		PQclear(res);
	}
	if (PQpipelineStatus(c) != PQ_PIPELINE_OFF &&
	    PQexitPipelineMode(c) != 1 && rc == 0) {
		*cause = xasprintf("cannot leave pipeline mode: %s",
		    PQerrorMessage(c));
		rc = -1;
	}
	b->sent = 0;
	free(mine);
	return rc;
}

/* Runs the queued statements in one round trip (see db.h). */
int
db_batch_run(struct db_batch *b, char **cause)
{
	char *ignored = NULL;
	int rc;

	rc = db_batch_send(b, cause);
	if (rc != 0) {
		(void)db_batch_end(b, &ignored);
		free(ignored);
		return -1;
	}
	return db_batch_end(b, cause);
}

/* Takes statement i's result (see db.h). */
struct db_res *
db_batch_take(struct db_batch *b, int i)
{
	struct db_res *r;

	if (i < 0 || (size_t)i >= b->n || b->v[i].res == NULL)
		return NULL;
	r = xmalloc(sizeof *r);
	r->res = b->v[i].res;
	r->q = b->v[i].q;
	b->v[i].res = NULL;
	return r;
}

/* Frees the batch and the results nobody took. */
void
db_batch_free(struct db_batch *b)
{
	char *ignored = NULL;
	size_t i;
	int j;

	if (b == NULL)
		return;
	if (b->sent)
		(void)db_batch_end(b, &ignored);
	free(ignored);
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->v[i].n; j++)
			free(b->v[i].params[j]);
		free(b->v[i].params);
		PQclear(b->v[i].res);
	}
	free(b->v);
	free(b);
}
