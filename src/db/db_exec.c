/*
 * db_exec.c - running statements: parameterised queries and their results,
 * the result checker, transactions, advisory locks and COPY FROM STDIN.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* Accepts a successful result; otherwise explains it in *cause. */
int
db_check(struct db *db, PGresult *res, char **cause)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *msg, *state, *detail;
	size_t n;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
	    st == PGRES_COPY_IN || st == PGRES_EMPTY_QUERY)
		return 0;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state ? state : "");
	msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	if (msg == NULL)
		msg = PQerrorMessage(db->conn);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		n--;
	if (cause != NULL) {
		if (PQstatus(db->conn) == CONNECTION_BAD)
			*cause = xasprintf("database connection lost: %.*s", (int)n, msg);
		else if (detail != NULL)
			*cause = xasprintf("%.*s (%s; SQLSTATE %s)", (int)n, msg, detail,
			    db->sqlstate);
		else
			*cause = xasprintf("%.*s (SQLSTATE %s)", (int)n, msg,
			    db->sqlstate);
	}
	PQclear(res);
	return -1;
}

/* Runs a parameterised statement, its results as text (format 0) or
 * binary (1); NULL on failure. */
struct db_res *
db_query_format(struct db *db, char **cause, const char *sql, int n,
    const char *const *params, int format)
{
	PGresult *res;
	struct db_res *r;

	if (db == NULL || db->conn == NULL) {
		*cause = xstrdup("not connected to the database");
		return NULL;
	}
	res = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, format);
	if (db_check(db, res, cause) != 0)
		return NULL;
	r = xmalloc(sizeof *r);
	r->res = res;
	r->q = NULL;
	return r;
}

/* Runs a parameterised statement; NULL on failure. */
struct db_res *
db_query(struct db *db, char **cause, const char *sql, int n,
    const char *const *params)
{
	return db_query_format(db, cause, sql, n, params, 0);
}

/* Runs a statement and drops its result. */
int
db_exec(struct db *db, char **cause, const char *sql, int n,
    const char *const *params)
{
	struct db_res *r = db_query(db, cause, sql, n, params);

	if (r == NULL)
		return -1;
	db_res_free(r);
	return 0;
}

/* Runs a multi-statement script with the simple protocol. */
int
db_exec_script(struct db *db, char **cause, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);

	if (db_check(db, res, cause) != 0)
		return -1;
	PQclear(res);
	return 0;
}

int
db_res_rows(const struct db_res *r)
{
	return PQntuples(r->res);
}

int
db_res_cols(const struct db_res *r)
{
	return PQnfields(r->res);
}

int
db_res_colnum(const struct db_res *r, const char *name)
{
	return PQfnumber(r->res, name);
}

/* Value text or NULL for SQL NULL. */
const char *
db_res_get(const struct db_res *r, int row, int col)
{
	if (row < 0 || row >= PQntuples(r->res) || col < 0 ||
	    col >= PQnfields(r->res) || PQgetisnull(r->res, row, col))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

int
db_res_isnull(const struct db_res *r, int row, int col)
{
	return db_res_get(r, row, col) == NULL;
}

/* The type OIDs of pg_type.h that binary results decode (libpq-fe.h does
 * not carry them). */
#define OID_INT8	20
#define OID_INT4	23
#define OID_FLOAT8	701

/* A big-endian unsigned integer of len (4 or 8) bytes. */
static unsigned long long
be_uint(const char *v, int len)
{
	const unsigned char *u = (const unsigned char *)v;
	unsigned long long x = 0;
	int i;

	for (i = 0; i < len; i++)
		x = x << 8 | u[i];
	return x;
}

/* The 8 bytes of a binary float8 value. */
static double
bin_float8(const char *v)
{
	unsigned long long x = be_uint(v, 8);
	double d;

	memcpy(&d, &x, sizeof d);
	return d;
}

/* Integer value (0 for NULL).  A binary int4 or int8 is decoded, a
 * float8 truncated; other binary values are taken as text. */
long long
db_res_ll(const struct db_res *r, int row, int col)
{
	const char *v = db_res_get(r, row, col);
	int len;
	double d;

	if (v == NULL)
		return 0;
	if (PQfformat(r->res, col) != 0) {
		len = PQgetlength(r->res, row, col);
		switch (PQftype(r->res, col)) {
		case OID_INT4:
			return len == 4 ? (int32_t)be_uint(v, 4) : 0;
		case OID_INT8:
			return len == 8 ? (long long)be_uint(v, 8) : 0;
		case OID_FLOAT8:
			d = len == 8 ? bin_float8(v) : 0;
			return d > -9e18 && d < 9e18 ? (long long)d : 0;
		}
	}
	return strtoll(v, NULL, 10);
}

/* Floating value (0 for NULL).  A binary float8, int4 or int8 is decoded;
 * other binary values are taken as text. */
double
db_res_f(const struct db_res *r, int row, int col)
{
	const char *v = db_res_get(r, row, col);
	long long ll;
	int len;

	if (v == NULL)
		return 0.0;
	if (PQfformat(r->res, col) != 0) {
		len = PQgetlength(r->res, row, col);
		switch (PQftype(r->res, col)) {
		case OID_FLOAT8:
			return len == 8 ? bin_float8(v) : 0;
		case OID_INT4:
		case OID_INT8:
			ll = db_res_ll(r, row, col);
			return (double)ll;
		}
	}
	return strtod(v, NULL);
}

long long
db_res_affected(const struct db_res *r)
{
	const char *s = PQcmdTuples(r->res);

	return s && *s ? strtoll(s, NULL, 10) : 0;
}

void
db_res_free(struct db_res *r)
{
	if (r == NULL)
		return;
	PQclear(r->res);
	free(r);
}

const char *
db_last_sqlstate(struct db *db)
{
	return db->sqlstate;
}

void
db_clear_sqlstate(struct db *db)
{
	db->sqlstate[0] = '\0';
}

int
db_begin(struct db *db, char **cause)
{
	return db_exec(db, cause, "BEGIN", 0, NULL);
}

int
db_commit(struct db *db, char **cause)
{
	return db_exec(db, cause, "COMMIT", 0, NULL);
}

/* Rolls back, ignoring errors: the caller is already reporting one. */
void
db_rollback(struct db *db)
{
	PGresult *res;

	if (db == NULL || db->conn == NULL)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
}

/* Tries a session advisory lock. */
int
db_try_lock(struct db *db, long long key, char **cause)
{
	char k[32];
	struct db_res *r;
	int got;

	snprintf(k, sizeof k, "%lld", key);
	r = DBQ(db, cause, "SELECT pg_try_advisory_lock($1::bigint)", k);
	if (r == NULL)
		return -1;
	got = strcmp(db_res_get(r, 0, 0), "t") == 0;
	db_res_free(r);
	return got;
}

/* Waits for a session advisory lock. */
int
db_lock(struct db *db, long long key, char **cause)
{
	char k[32];

	snprintf(k, sizeof k, "%lld", key);
	return DBX(db, cause, "SELECT pg_advisory_lock($1::bigint)", k);
}

/* Releases a session advisory lock. */
int
db_unlock(struct db *db, long long key, char **cause)
{
	char k[32];

	snprintf(k, sizeof k, "%lld", key);
	return DBX(db, cause, "SELECT pg_advisory_unlock($1::bigint)", k);
}

/* Marks the runs of a dead runner failed (see db.h). */
int
db_reap_dead_runs(struct db *db, long long project_id, char **dead,
    char **cause)
{
	char proj[24], key[32];
	struct db_res *r;

	snprintf(proj, sizeof proj, "%lld", project_id);
	snprintf(key, sizeof key, "%lld", DB_LOCK_PIPELINE + project_id);
	r = DBQ(db, cause, "SELECT midwatch.reap_dead_runs($1, $2)::text", proj,
	    key);
	if (r == NULL)
		return -1;
	if (dead != NULL)
		*dead = xstrdup(db_res_get(r, 0, 0) != NULL ? db_res_get(r, 0, 0) :
		    "{}");
	db_res_free(r);
	return 0;
}

/* Starts COPY ... FROM STDIN. */
int
db_copy_begin(struct db *db, char **cause, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);

	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		if (db_check(db, res, cause) == 0) {
			PQclear(res);
			*cause = xstrdup("COPY did not start");
		}
		return -1;
	}
	PQclear(res);
	return 0;
}

/* Sends COPY data. */
int
db_copy_put(struct db *db, char **cause, const char *data, size_t len)
{
	while (len > 0) {
		int chunk = len > (1 << 30) ? (1 << 30) : (int)len;

		if (PQputCopyData(db->conn, data, chunk) != 1) {
			*cause = xasprintf("COPY failed: %s", PQerrorMessage(db->conn));
			return -1;
		}
		data += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/* Finishes COPY and reads its outcome. */
int
db_copy_end(struct db *db, char **cause)
{
	PGresult *res;
	int rc = 0;

	if (PQputCopyEnd(db->conn, NULL) != 1) {
		*cause = xasprintf("COPY failed: %s", PQerrorMessage(db->conn));
		return -1;
	}
	while ((res = PQgetResult(db->conn)) != NULL) {
		if (rc != 0)
			PQclear(res);		/* drain after the first error */
		else if (db_check(db, res, cause) != 0)
			rc = -1;		/* db_check cleared res */
		else
			PQclear(res);
	}
	return rc;
}

/* Appends one COPY text field (tab/newline/backslash escaped). */
void
db_copy_field(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_add(b, "\\N", 2);
		return;
	}
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		default: buf_addc(b, *s); break;
		}
	}
}
