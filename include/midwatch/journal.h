/*
 * journal.h - the console's journal of operator actions: every feedback
 * intent is written to a local file ($XDG_STATE_HOME/midwatch/journal),
 * fsync'd, before the database sees it, and leaves the file only once the
 * database answered (recorded, already recorded, or refused).  So an action
 * taken while the database is away survives quitting, SIGHUP and crashes,
 * and is replayed in order, with its idempotency key, by the next console
 * on the same database and project.
 *
 * The file holds one JSON object a line, one line per pending action:
 *
 *   {"key":"console:<uuid>","db":"<system id>/<dbname>","project":3,
 *    "actor":"alice","action":"alert_acknowledged","kind":"alert","id":12,
 *    "payload":{...}|null,"label":"acknowledge alert #12",
 *    "expect":"acknowledged"|null,"at":1763271234.5}
 *
 * Several consoles of one user share the file: every change holds an
 * exclusive flock on "<journal>.lock"; removing a line rewrites the file
 * (temporary file, fsync, rename, fsync of the directory).
 */
#ifndef MIDWATCH_JOURNAL_H
#define MIDWATCH_JOURNAL_H

#include <stddef.h>

struct db;
struct intent;

/* The journal's path (malloc'd): the state directory of the embedded
 * database (db_cluster_dir: $MIDWATCH_STATE_DIR, else
 * $XDG_STATE_HOME/midwatch, else ~/.local/state/midwatch; as root
 * /var/lib/midwatch) followed by "/journal". */
char *journal_path(void);

/* Which database db is connected to, as the journal names it:
 * "<system identifier>/<database name>" (malloc'd), or NULL with *cause. */
char *journal_db_identity(struct db *db, char **cause);

/* Appends one line per feedback intent in[0..n) of dbid/project_id (each
 * intent's actor, else actor), creating the directory and the file (mode
 * 0700/0600) as needed, with one fsync.  0, or -1 with *cause. */
int journal_append(const char *path, const char *dbid, long long project_id,
    const char *actor, struct intent *const *in, size_t n, char **cause);

/* Removes the line of key (the file goes when it is empty).  0, or -1 with
 * *cause (the line stays: a replay of it is then a no-op). */
int journal_remove(const char *path, const char *key, char **cause);

/* Reads the pending intents of dbid/project_id, in the order they were
 * written, into a malloc'd array *out of *n feedback intents (seq 0, free
 * each with intent_free); *other counts the lines kept for other databases
 * or projects.  A missing file is an empty journal.  0, or -1 with *cause. */
int journal_load(const char *path, const char *dbid, long long project_id,
    struct intent ***out, size_t *n, size_t *other, char **cause);

#endif
