/*
 * db_internal.h - the definition of struct db shared by the files of db/.
 * Nothing outside src/db includes this (or libpq-fe.h).
 */
#ifndef MIDWATCH_DB_INTERNAL_H
#define MIDWATCH_DB_INTERNAL_H

#include <libpq-fe.h>

struct db {
	PGconn *conn;		/* NULL only before the first connect */
	char *conninfo;		/* what to reconnect with */
	char describe[128];	/* "dbname on host", for status bars */
	char sqlstate[6];	/* of the last failed statement */
};

struct db_res {
	PGresult *res;
	const struct db_query_text *q;	/* the named query, or NULL */
};

/* Checks a result like psql's AcceptResult: returns 0 if it is a success,
 * else fills *cause (with SQLSTATE), remembers the SQLSTATE, clears res. */
int db_check(struct db *db, PGresult *res, char **cause);
/* db_query with the results as text (format 0) or binary (1). */
struct db_res *db_query_format(struct db *db, char **cause, const char *sql,
    int n, const char *const *params, int format);

#endif
