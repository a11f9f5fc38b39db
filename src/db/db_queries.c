/*
 * db_queries.c - the named queries of sql/queries/: finding an embedded
 * statement by name, running it with its result checked against the columns
 * its header lists, reading results by column name, and the self-check that
 * prepares every statement (midwatch migrate --check-queries).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/xmalloc.h"

/* bsearch comparison: a name against a table entry. */
static int
query_cmp(const void *key, const void *entry)
{
	return strcmp(key, ((const struct db_query_text *)entry)->name);
}

const struct db_query_text *
db_query_find(const char *name)
{
	const struct db_query_text *q;

	q = bsearch(name, db_query_texts, db_query_ntexts, sizeof *q, query_cmp);
	if (q == NULL)
		fatal("no query %s in sql/queries", name);
	return q;
}

/*
 * Compares the result columns of res with the space-separated list cols;
 * NULL when they agree, else a malloc'd explanation.
 */
static char *
columns_differ(const PGresult *res, const char *cols)
{
	int i, n = PQnfields(res);
	const char *p = cols, *f;
	size_t len;

	for (i = 0; i < n; i++) {
		f = PQfname(res, i);
		len = strcspn(p, " ");
		if (len == 0)
			return xasprintf("result has %d column(s), the header "
			    "lists %d (column %d is '%s')", n, i, i + 1, f);
		if (strlen(f) != len || strncmp(f, p, len) != 0)
			return xasprintf("result column %d is '%s', the header "
			    "says '%.*s'", i + 1, f, (int)len, p);
		p += len;
		p += *p == ' ';
	}
	if (*p != '\0')
		return xasprintf("result has %d column(s), the header lists "
		    "more ('%s' onwards)", n, p);
	return NULL;
}

/* Checks a result of the named query q against its header's columns; 0,
 * or -1 with *cause naming the query (db_internal.h). */
int
db_named_check(const struct db_query_text *q, const PGresult *res,
    char **cause)
{
	char *why;

	/* A statement without rows (PGRES_COMMAND_OK) has no columns. */
	if (PQresultStatus(res) != PGRES_TUPLES_OK ||
	    (why = columns_differ(res, q->columns)) == NULL)
		return 0;
	log_error("query %s: %s", q->name, why);
	*cause = xasprintf("query %s does not match its header "
	    "(sql/queries/%s.sql): %s", q->name, q->name, why);
	free(why);
	return -1;
}

/* Forgets the session's prepared statements (db_internal.h): a new
 * epoch names the next ones, so a name the server may still hold is never
 * prepared twice. */
void
db_prepared_reset(struct db *db)
{
	if (db->uses != NULL)
		memset(db->uses, 0, db_query_ntexts);
	db->epoch++;
}

/*
 * Runs the named query q as a statement prepared in the session from its
 * second use on: its parse and, once PostgreSQL keeps a generic plan (after
 * five custom ones, when it costs no more), its planning are paid once per
 * session instead of per call.  The pipeline's per-incident and per-series
 * statements are run tens of times a run, and their planning was most of
 * some stages' time (doc/performance.md, item 13).  A query run once costs
 * what it did (unnamed); the second use prepares it (one more round trip).
 * Returns the result for db_check: an error of the Prepare is returned as
 * the statement's (the same error as unnamed; the next use tries again).
 * A prepared statement the server lost (26000) or whose result changed
 * under it (0A000: a migration altered a table) is prepared again once,
 * outside a transaction (in one, the error stands: the transaction is
 * aborted).
 */
static PGresult *
run_prepared(struct db *db, const struct db_query_text *q, int n,
    const char *const *params, int format)
{
	size_t k = (size_t)(q - db_query_texts);
	char stmt[48];
	PGresult *res;
	const char *state;
	int again;

	if (db->uses == NULL)
		db->uses = xcalloc(db_query_ntexts, 1);
	if (db->uses[k] == 0) {
		db->uses[k] = 1;
		return PQexecParams(db->conn, q->sql, n, NULL, params, NULL,
		    NULL, format);
	}
	for (again = 0;; again++) {
		snprintf(stmt, sizeof stmt, "mw_q_%zu_%u", k, db->epoch);
		if (db->uses[k] != 2) {
			res = PQprepare(db->conn, stmt, q->sql, 0, NULL);
			if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
				return res;	/* the caller reports it */
			PQclear(res);
			db->uses[k] = 2;
		}
		res = PQexecPrepared(db->conn, stmt, n, params, NULL, NULL,
		    format);
		state = res != NULL ?
		    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (state == NULL || (strcmp(state, "26000") != 0 &&
		    strcmp(state, "0A000") != 0))
			return res;
		/* prepared anew under the next epoch's name */
		db_prepared_reset(db);
		db->uses[k] = 1;
		if (again > 0 || PQtransactionStatus(db->conn) != PQTRANS_IDLE)
			return res;
		PQclear(res);
	}
}

/* Runs the embedded statement name, its results as text (0) or binary (1),
 * and checks its columns against its header. */
static struct db_res *
run_named(struct db *db, char **cause, const char *name, int n,
    const char *const *params, int format)
{
	const struct db_query_text *q = db_query_find(name);
	struct db_res *r;
	PGresult *res;

	if (db == NULL || db->conn == NULL) {
		*cause = xstrdup("not connected to the database");
		return NULL;
	}
	res = run_prepared(db, q, n, params, format);
	if (db_check(db, res, cause) != 0)
		return NULL;
	r = xmalloc(sizeof *r);
	r->res = res;
	r->q = q;
	if (db_named_check(q, r->res, cause) != 0) {
		db_res_free(r);
		return NULL;
	}
	return r;
}

struct db_res *
db_run(struct db *db, char **cause, const char *name, int n,
    const char *const *params)
{
	return run_named(db, cause, name, n, params, 0);
}

struct db_res *
db_run_bin(struct db *db, char **cause, const char *name, int n,
    const char *const *params)
{
	return run_named(db, cause, name, n, params, 1);
}

int
db_run_exec(struct db *db, char **cause, const char *name, int n,
    const char *const *params)
{
	struct db_res *r = db_run(db, cause, name, n, params);

	if (r == NULL)
		return -1;
	db_res_free(r);
	return 0;
}

int
db_col(const struct db_res *r, const char *col)
{
	int c = PQfnumber(r->res, col);

	if (c < 0)
		fatal("query %s has no result column %s",
		    r->q != NULL ? r->q->name : "(unnamed)", col);
	return c;
}

void
db_cols(const struct db_res *r, const char *const *names, int *cols, int n)
{
	int k;

	for (k = 0; k < n; k++)
		cols[k] = db_col(r, names[k]);
}

const char *
db_val(const struct db_res *r, int row, const char *col)
{
	return db_res_get(r, row, db_col(r, col));
}

int
db_val_null(const struct db_res *r, int row, const char *col)
{
	return db_res_isnull(r, row, db_col(r, col));
}

long long
db_val_ll(const struct db_res *r, int row, const char *col)
{
	return db_res_ll(r, row, db_col(r, col));
}

double
db_val_f(const struct db_res *r, int row, const char *col)
{
	return db_res_f(r, row, db_col(r, col));
}

/* Prepares q as the unnamed statement and compares it with its header;
 * NULL when it agrees, else a malloc'd explanation. */
static char *
query_check(struct db *db, const struct db_query_text *q)
{
	PGresult *res;
	char *why = NULL;
	struct buf b;
	int i;

	res = PQprepare(db->conn, "", q->sql, 0, NULL);
	if (db_check(db, res, &why) != 0)
		return why;
	PQclear(res);
	res = PQdescribePrepared(db->conn, "");
	if (db_check(db, res, &why) != 0)
		return why;
	if (PQnparams(res) != q->nparams)
		why = xasprintf("the statement takes %d parameter(s), the "
		    "header documents %d", PQnparams(res), q->nparams);
	else if ((why = columns_differ(res, q->columns)) != NULL) {
		/* Say what the header should list. */
		buf_init(&b);
		buf_printf(&b, "%s; it returns:", why);
		for (i = 0; i < PQnfields(res); i++)
			buf_printf(&b, "%s %s", i > 0 ? "," : "",
			    PQfname(res, i));
		if (PQnfields(res) == 0)
			buf_printf(&b, " none");
		free(why);
		why = buf_steal(&b);
	}
	PQclear(res);
	return why;
}

/* A statement that creates a temporary table (<module>/temp_<name>), for
 * the statements that read it. */
static int
query_is_temp(const struct db_query_text *q)
{
	const char *slash = strchr(q->name, '/');

	return slash != NULL && strncmp(slash + 1, "temp_", 5) == 0;
}

int
db_queries_check(struct db *db, FILE *out, char **cause)
{
	size_t i;
	int bad = 0;
	char *why;

	if (db == NULL || db->conn == NULL) {
		*cause = xstrdup("not connected to the database");
		return -1;
	}
	/* the temporary tables first: the others may read them */
	for (i = 0; i < db_query_ntexts; i++) {
		why = NULL;
		if (query_is_temp(&db_query_texts[i]) &&
		    db_run_exec(db, &why, db_query_texts[i].name, 0, NULL) != 0)
			fprintf(out, "note %s: %s\n", db_query_texts[i].name, why);
		free(why);
	}
	for (i = 0; i < db_query_ntexts; i++) {
		why = NULL;
		if (i > 0 && strcmp(db_query_texts[i - 1].name,
		    db_query_texts[i].name) >= 0)
			why = xstrdup("the table is not sorted by name here");
		if (why == NULL)
			why = query_check(db, &db_query_texts[i]);
		if (why != NULL) {
			fprintf(out, "FAIL %s: %s\n", db_query_texts[i].name, why);
			bad++;
		} else
			fprintf(out, "ok %s\n", db_query_texts[i].name);
		free(why);
	}
	return bad;
}
