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
	/* Per named query (db_query_texts' index): 0 not run in this session,
	 * 1 run once unnamed, 2 prepared as mw_q_<index>_<epoch>
	 * (db_queries.c); cleared at each connect. */
	unsigned char *uses;
	unsigned epoch;		/* bumped when the prepared ones are dropped */
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

/* Forgets the statements prepared in the session (a new connection, or
 * the server lost them; db_queries.c). */
void db_prepared_reset(struct db *db);

/* Checks a result of the named query q against the columns its header
 * lists (db_queries.c); 0, or -1 with *cause naming the query. */
struct db_query_text;
int db_named_check(const struct db_query_text *q, const PGresult *res,
    char **cause);

#endif
