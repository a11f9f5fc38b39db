/*
 * db_stream.c - a stream of reads (db.h, "streams"): named statements sent
 * ahead of their results on one connection, in libpq's pipeline mode.
 * Each statement is followed by a Sync of its own, so it runs in its own
 * implicit transaction: a failure fails that statement only, and the
 * stream goes on.  A statement is prepared once on the connection (its
 * Parse is not repeated; the server may keep its plan) and its results
 * come in binary, as db_run_bin's.  The results are read in the order
 * sent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* Statements prepared on the stream's connection: mw_stream_<index>. */
#define STREAM_MAXQ 8

/* One statement sent and not read yet. */
struct inflight {
	const struct db_query_text *q;
	int prepared;		/* its Prepare went with it */
};

struct db_stream {
	struct db *db;
	const struct db_query_text *prep[STREAM_MAXQ];
	int nprep;
	struct inflight *fly;	/* a ring of cap entries */
	size_t cap, head, n;
	char *broken;		/* the connection failed: why */
};

struct db_stream *
db_stream_open(struct db *db, char **cause)
{
	struct db_stream *s;

	if (db == NULL || db->conn == NULL) {
		*cause = xstrdup("not connected to the database");
		return NULL;
	}
	if (PQenterPipelineMode(db->conn) != 1) {
		*cause = xasprintf("cannot enter pipeline mode: %s",
		    PQerrorMessage(db->conn));
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->db = db;
	s->cap = 8;
	s->fly = xcalloc(s->cap, sizeof *s->fly);
	return s;
}

/* The index of q among the prepared statements, or -1. */
static int
prep_find(const struct db_stream *s, const struct db_query_text *q)
{
	int i;

	for (i = 0; i < s->nprep; i++)
		if (s->prep[i] == q)
			return i;
	return -1;
}

/* Marks the stream broken (the connection is gone or out of step). */
static void
stream_break(struct db_stream *s, const char *what)
{
	if (s->broken == NULL)
		s->broken = xasprintf("%s: %s", what, PQerrorMessage(s->db->conn));
}

int
db_stream_send(struct db_stream *s, const char *name, int n,
    const char *const *params, char **cause)
{
	const struct db_query_text *q = db_query_find(name);
	PGconn *c = s->db->conn;
	char stmt[32];
	int k, prepared = 0;

	if (s->broken != NULL) {
		*cause = xstrdup(s->broken);
		return -1;
	}
	k = prep_find(s, q);
	if (k < 0 && s->nprep == STREAM_MAXQ) {
		*cause = xasprintf("query %s: too many statements on one stream",
		    name);
		return -1;
	}
	if (k < 0) {
		k = s->nprep++;
		s->prep[k] = q;
		prepared = 1;
	}
	snprintf(stmt, sizeof stmt, "mw_stream_%d", k);
	if ((prepared && PQsendPrepare(c, stmt, q->sql, 0, NULL) != 1) ||
	    PQsendQueryPrepared(c, stmt, n, params, NULL, NULL, 1) != 1 ||
	    PQpipelineSync(c) != 1) {
		stream_break(s, "cannot send a statement");
		*cause = xstrdup(s->broken);
		return -1;
	}
	if (s->n == s->cap) {
		struct inflight *f = xcalloc(2 * s->cap, sizeof *f);
		size_t i;

		for (i = 0; i < s->n; i++)
			f[i] = s->fly[(s->head + i) % s->cap];
		free(s->fly);
		s->fly = f;
		s->head = 0;
		s->cap *= 2;
	}
	s->fly[(s->head + s->n) % s->cap] = (struct inflight){ q, prepared };
	s->n++;
	return 0;
}

/* Reads one statement's result and the NULL after it; the result, or NULL
 * when the connection gave none (the stream is broken). */
static PGresult *
read_one(struct db_stream *s)
{
	PGresult *res, *first = NULL;

	while ((res = PQgetResult(s->db->conn)) != NULL) {
		if (first == NULL)
			first = res;
		else
			PQclear(res);
	}
	if (first == NULL)
		stream_break(s, "the connection failed");
	return first;
}

/* Reads the Sync that ends a statement's segment; 0 or -1 (broken). */
static int
read_sync(struct db_stream *s)
{
	PGresult *res = PQgetResult(s->db->conn);
	int ok = res != NULL && PQresultStatus(res) == PGRES_PIPELINE_SYNC;

	PQclear(res);
	if (!ok)
		stream_break(s, "pipeline out of step");
	return ok ? 0 : -1;
}

struct db_res *
db_stream_recv(struct db_stream *s, char **cause)
{
	struct inflight f;
	PGresult *prep = NULL, *res = NULL;
	struct db_res *r;
	int bad;

	if (s->n == 0) {
		*cause = xstrdup("no statement sent on the stream");
		return NULL;
	}
	f = s->fly[s->head];
	s->head = (s->head + 1) % s->cap;
	s->n--;
	if (s->broken == NULL && f.prepared)
		prep = read_one(s);
	if (s->broken == NULL)
		res = read_one(s);
	if (s->broken == NULL)
		(void)read_sync(s);
	if (s->broken != NULL) {
		PQclear(prep);
		PQclear(res);
		*cause = xstrdup(s->broken);
		return NULL;
	}
	if (prep != NULL && PQresultStatus(prep) != PGRES_COMMAND_OK) {
		/* not prepared: the next send prepares it again */
		s->prep[prep_find(s, f.q)] = NULL;
		PQclear(res);
		(void)db_check(s->db, prep, cause);
		return NULL;
	}
	PQclear(prep);
	bad = db_check(s->db, res, cause) != 0;
	if (!bad && db_named_check(f.q, res, cause) != 0) {
		PQclear(res);
		bad = 1;
	}
	if (bad)
		return NULL;
	r = xmalloc(sizeof *r);
	r->res = res;
	r->q = f.q;
	return r;
}

void
db_stream_close(struct db_stream *s)
{
	char *ignored, stmt[48];
	struct db_res *r;
	PGresult *res;
	int k;

	if (s == NULL)
		return;
	while (s->n > 0 && s->broken == NULL) {
		ignored = NULL;
		r = db_stream_recv(s, &ignored);
		db_res_free(r);
		free(ignored);
	}
	if (s->broken != NULL) {
		/* drop what is left; the connection is not used again as is */
		while ((res = PQgetResult(s->db->conn)) != NULL)
			PQclear(res);
	}
	if (PQexitPipelineMode(s->db->conn) == 1 && s->broken == NULL) {
		for (k = 0; k < s->nprep; k++) {
			if (s->prep[k] == NULL)
				continue;
			snprintf(stmt, sizeof stmt, "DEALLOCATE mw_stream_%d", k);
			PQclear(PQexec(s->db->conn, stmt));
		}
	}
	free(s->broken);
	free(s->fly);
	free(s);
}
