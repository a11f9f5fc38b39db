/*
 * db_listen.c - LISTEN/NOTIFY, so every console sees the others' actions and
 * new pipeline results.  The caller polls db_socket() and then drains
 * notifications with db_poll_notify(), which never blocks.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* Subscribes to channel.  The name is quoted by libpq, never interpolated raw. */
int
db_listen(struct db *db, const char *channel, char **cause)
{
	char *ident, *sql;
	int rc;

	ident = PQescapeIdentifier(db->conn, channel, strlen(channel));
	if (ident == NULL) {
		*cause = xasprintf("bad channel name: %s", PQerrorMessage(db->conn));
		return -1;
	}
	sql = xasprintf("LISTEN %s", ident);
	PQfreemem(ident);
	rc = db_exec(db, cause, sql, 0, NULL);
	free(sql);
	return rc;
}

/* Sends a notification through pg_notify (parameters, no quoting). */
int
db_notify(struct db *db, const char *channel, const char *payload, char **cause)
{
	return DBX(db, cause, "SELECT pg_notify($1, $2)", channel, payload);
}

/* Returns 1 and a malloc'd payload if a notification is waiting. */
int
db_poll_notify(struct db *db, char **payload)
{
	PGnotify *n;

	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	if (PQconsumeInput(db->conn) == 0)
		return -1;
	n = PQnotifies(db->conn);
	if (n == NULL)
		return 0;
	*payload = xstrdup(n->extra ? n->extra : "");
	PQfreemem(n);
	return 1;
}
