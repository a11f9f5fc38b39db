/*
 * db_batch.c - several parameterised statements in one round trip: libpq's
 * pipeline mode behind a small interface (db.h, "batches").  The statements
 * are queued, sent together with one Sync, and their results collected in
 * order; the server runs them one after another in one implicit
 * transaction, so the first failure aborts the rest.
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
	int n;
	char **params;		/* copies (NULL entries are SQL NULL) */
	PGresult *res;		/* after db_batch_run */
};

struct db_batch {
	struct db *db;
	struct db_batch_stmt *v;
	size_t n, cap;
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

/* Sends every queued statement; 0, or -1 with *cause. */
static int
db_batch_send(struct db_batch *b, char **cause)
{
	PGconn *c = b->db->conn;
	size_t i;

	if (PQenterPipelineMode(c) != 1) {
		*cause = xasprintf("cannot enter pipeline mode: %s",
		    PQerrorMessage(c));
		return -1;
	}
	for (i = 0; i < b->n; i++)
		if (PQsendQueryParams(c, b->v[i].sql, b->v[i].n, NULL,
		    (const char *const *)b->v[i].params, NULL, NULL, 0) != 1)
			break;
	if (i < b->n || PQpipelineSync(c) != 1) {
		*cause = xasprintf("cannot send statements: %s",
		    PQerrorMessage(c));
		return -1;
	}
	return 0;
}

/* Reads the results up to the Sync; 0, or -1 with *cause (the first
 * failed statement's error). */
static int
db_batch_collect(struct db_batch *b, char **cause)
{
	PGconn *c = b->db->conn;
	PGresult *res;
	size_t i;
	int rc = 0;

	for (i = 0; i < b->n; i++) {
		/* each statement's result, then a NULL */
		while ((res = PQgetResult(c)) != NULL) {
			if (b->v[i].res == NULL)
				b->v[i].res = res;
			else
				PQclear(res);
		}
		if (b->v[i].res == NULL && PQstatus(c) == CONNECTION_BAD) {
			(void)db_check(b->db, NULL, rc == 0 ? cause : NULL);
			return -1;
		}
		if (rc == 0 && PQresultStatus(b->v[i].res) != PGRES_PIPELINE_ABORTED &&
		    db_check(b->db, b->v[i].res, cause) != 0) {
			b->v[i].res = NULL;	/* db_check cleared it */
			rc = -1;
		}
	}
	res = PQgetResult(c);
	if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		if (rc == 0)
			*cause = xasprintf("pipeline out of step: %s",
			    PQerrorMessage(c));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return rc;
}

/* Runs the queued statements in one round trip (see db.h). */
int
db_batch_run(struct db_batch *b, char **cause)
{
	PGconn *c;
	int rc;

	if (b->db == NULL || b->db->conn == NULL) {
		*cause = xstrdup("not connected to the database");
		return -1;
	}
	c = b->db->conn;
	rc = db_batch_send(b, cause);
	if (rc == 0)
		rc = db_batch_collect(b, cause);
	if (PQpipelineStatus(c) != PQ_PIPELINE_OFF &&
	    PQexitPipelineMode(c) != 1 && rc == 0) {
		*cause = xasprintf("cannot leave pipeline mode: %s",
		    PQerrorMessage(c));
		rc = -1;
	}
	return rc;
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
	b->v[i].res = NULL;
	return r;
}

/* Frees the batch and the results nobody took. */
void
db_batch_free(struct db_batch *b)
{
	size_t i;
	int j;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->v[i].n; j++)
			free(b->v[i].params[j]);
		free(b->v[i].params);
		PQclear(b->v[i].res);
	}
	free(b->v);
	free(b);
}
