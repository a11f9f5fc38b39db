/*
 * db_conn.c - connecting to PostgreSQL: conninfo or the libpq environment,
 * application name, a notice processor that feeds the log, reconnection,
 * and read-only sessions for --readonly.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

/* Set by db_readonly_process(): every connection and reconnection of this
 * process is read-only from then on (--readonly). */
static volatile int db_all_readonly;

/* Makes every later connection and reconnection read-only (see db.h). */
void
db_readonly_process(void)
{
	db_all_readonly = 1;
}

/* Sends server notices to the log instead of stderr (curses owns the tty). */
static void
db_notice(void *arg, const char *message)
{
	size_t n = strlen(message);

	(void)arg;
	log_debug("postgres: %.*s", (int)(n && message[n - 1] == '\n' ? n - 1 : n),
	    message);
}

/* Connects conn fields and prepares the session. */
static int
db_connect(struct db *db, char **cause)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { db->conninfo, "midwatch", NULL };
	PGresult *res;
	const char *host;

	if (db->conn != NULL)
		PQfinish(db->conn);
	db_prepared_reset(db);	/* a new session has none */
	/* expand_dbname=1: dbname may hold a whole conninfo or URI. */
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to PostgreSQL: %s",
		    db->conn ? PQerrorMessage(db->conn) : "out of memory");
		/* Trim libpq's trailing newline. */
		if (**cause && (*cause)[strlen(*cause) - 1] == '\n')
			(*cause)[strlen(*cause) - 1] = '\0';
		return -1;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	res = PQexec(db->conn,
	    "SET search_path TO midwatch, public; SET TIME ZONE 'UTC'; "
	    "SET client_min_messages TO warning");
	if (db_check(db, res, cause) != 0)
		return -1;
	PQclear(res);
	/* If this process dies in the middle of a long statement, the server
	 * notices within a second and ends the session, so the locks it held
	 * (the pipeline's) go at once: a dead runner's run is then marked
	 * failed by the next reader (PostgreSQL 14+). */
	if (PQserverVersion(db->conn) >= 140000) {
		res = PQexec(db->conn, "SET client_connection_check_interval = 1000");
		if (db_check(db, res, cause) != 0)
			return -1;
		PQclear(res);
	}
	/* --readonly: the server refuses any write, whatever the code does. */
	if (db_all_readonly) {
		res = PQexec(db->conn, "SET default_transaction_read_only = on");
		if (db_check(db, res, cause) != 0)
			return -1;
		PQclear(res);
	}
	host = PQhost(db->conn);
	if (host != NULL && host[0] == '/')
		host = "local socket";
	utf8_snprintf(db->describe, sizeof db->describe, "%s on %s", PQdb(db->conn),
	    host ? host : "?");
	return 0;
}

/* Opens a connection; NULL with *cause on failure. */
struct db *
db_open(const char *conninfo, char **cause)
{
	struct db *db = xcalloc(1, sizeof *db);

	db->conninfo = xstrdup(conninfo != NULL ? conninfo : "");
	if (db_connect(db, cause) != 0) {
		db_close(db);
		return NULL;
	}
	return db;
}

/* Opens a second connection to where db connects (for another thread). */
struct db *
db_open_like(const struct db *db, char **cause)
{
	return db_open(db->conninfo, cause);
}

/* Closes and frees. */
void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db->uses);
	free(db);
}

/* Non-zero while the connection is usable. */
int
db_alive(struct db *db)
{
	return db != NULL && db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

/* Reconnects with the original conninfo. */
int
db_reconnect(struct db *db, char **cause)
{
	return db_connect(db, cause);
}

/* "dbname on host". */
const char *
db_describe(struct db *db)
{
	return db->describe;
}

/* The socket for poll(). */
int
db_socket(struct db *db)
{
	return db->conn ? PQsocket(db->conn) : -1;
}
