/*
 * db.h - the database module: the only code that includes libpq-fe.h.
 * Everything else talks to PostgreSQL through struct db and struct db_res.
 *
 * Every statement with values goes through db_query()/DBQ() as parameters;
 * no SQL text is ever built from input.  Functions that can fail return -1
 * or NULL and set *cause to a malloc'd message the caller frees.  A struct db
 * belongs to one thread at a time.
 */
#ifndef MIDWATCH_DB_H
#define MIDWATCH_DB_H

#include <stddef.h>
#include "midwatch/midwatch.h"

struct db;
struct db_res;

/* ---- connection ---------------------------------------------------------- */

/*
 * Connects with conninfo (a key=value string or a postgresql:// URI; "" means
 * the libpq environment).  Sets search_path to midwatch, public.
 */
struct db *db_open(const char *conninfo, char **cause);
/* A second connection to where db connects (for another thread's
 * reads); NULL with *cause. */
struct db *db_open_like(const struct db *db, char **cause);
void db_close(struct db *db);
/* Non-zero while the connection is usable. */
int db_alive(struct db *db);
/* Reconnects a lost connection; 0 on success. */
int db_reconnect(struct db *db, char **cause);
/* A short description for status bars: "dbname on host" (borrowed). */
const char *db_describe(struct db *db);
/* The libpq socket (for poll), or -1. */
int db_socket(struct db *db);
/* From now on every connection this process opens, and every reconnection,
 * is read-only (SET default_transaction_read_only = on): the server refuses
 * any write.  Call before the first db_open and before threads start. */
void db_readonly_process(void);

/* ---- queries ------------------------------------------------------------- */

/* Runs sql with n text parameters (NULL entries are SQL NULL).  Returns a
 * result (rows may be 0) or NULL with *cause set. */
struct db_res *db_query(struct db *db, char **cause, const char *sql,
    int n, const char *const *params);
/* db_query with the parameters listed inline: DBQ(db, &cause, sql, a, b). */
#define DBQ(db, cause, sql, ...) \
	db_query((db), (cause), (sql), \
	    (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	    (const char *const[]){ __VA_ARGS__ })
/* Runs sql and discards the result; 0 on success. */
int db_exec(struct db *db, char **cause, const char *sql, int n,
    const char *const *params);
#define DBX(db, cause, sql, ...) \
	db_exec((db), (cause), (sql), \
	    (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	    (const char *const[]){ __VA_ARGS__ })
/* Runs one or more parameterless statements (a migration file). */
int db_exec_script(struct db *db, char **cause, const char *sql);

int db_res_rows(const struct db_res *r);
int db_res_cols(const struct db_res *r);
/* Column number of name, or -1. */
int db_res_colnum(const struct db_res *r, const char *name);
/* Value text, or NULL for SQL NULL (borrowed, valid until db_res_free). */
const char *db_res_get(const struct db_res *r, int row, int col);
int db_res_isnull(const struct db_res *r, int row, int col);
long long db_res_ll(const struct db_res *r, int row, int col);
double db_res_f(const struct db_res *r, int row, int col);
/* Rows affected by an INSERT/UPDATE/DELETE. */
long long db_res_affected(const struct db_res *r);
void db_res_free(struct db_res *r);

/* The SQLSTATE of the last failed statement ("" if none). */
const char *db_last_sqlstate(struct db *db);
/* Forgets the last SQLSTATE (before a unit of work whose failure is judged
 * by it). */
void db_clear_sqlstate(struct db *db);

/* ---- transactions and locks ---------------------------------------------- */

int db_begin(struct db *db, char **cause);
int db_commit(struct db *db, char **cause);
/* Rolls back; never fails loudly (used on error paths). */
void db_rollback(struct db *db);
/* Session advisory lock: 1 acquired, 0 held elsewhere, -1 error. */
int db_try_lock(struct db *db, long long key, char **cause);
int db_unlock(struct db *db, long long key, char **cause);
/* Blocking session advisory lock. */
int db_lock(struct db *db, long long key, char **cause);
/* Marks the pending/running pipeline runs of project_id whose runner died
 * (DB_LOCK_PIPELINE + project_id is free) as failed, through
 * midwatch.reap_dead_runs (sql/015_run_output.sql; in a read-only session
 * it only names them).  *dead, when not NULL, gets their ids as an array
 * literal ("{}" for none, malloc'd).  0, or -1 with *cause. */
int db_reap_dead_runs(struct db *db, long long project_id, char **dead,
    char **cause);

/* ---- COPY FROM STDIN ----------------------------------------------------- */

int db_copy_begin(struct db *db, char **cause, const char *sql);
int db_copy_put(struct db *db, char **cause, const char *data, size_t len);
/* Ends the COPY; on error the COPY is aborted and *cause says why. */
int db_copy_end(struct db *db, char **cause);
/* Appends s to b escaped for COPY text format (NULL -> \N). */
struct buf;
void db_copy_field(struct buf *b, const char *s);

/* ---- LISTEN/NOTIFY ------------------------------------------------------- */

int db_listen(struct db *db, const char *channel, char **cause);
int db_notify(struct db *db, const char *channel, const char *payload,
    char **cause);
/* Reads input and returns 1 with a malloc'd payload when a notification
 * waits, 0 when none, -1 when the connection is lost. */
int db_poll_notify(struct db *db, char **payload);

/* ---- connection resolution and the embedded cluster ---------------------- */

/*
 * Decides which database to use: the --db value when given, else the libpq
 * environment (DATABASE_URL, PGHOST, PGDATABASE, PGSERVICE), else NULL which
 * means "the embedded default".  getenv_fn lets tests supply an environment.
 * Returns a malloc'd conninfo or NULL.
 */
char *db_conninfo_resolve(const char *cli_db, const char *(*getenv_fn)(const char *));

/* The directory of the embedded cluster (malloc'd): $MIDWATCH_STATE_DIR, else
 * $XDG_STATE_HOME/midwatch, else ~/.local/state/midwatch; as root with no
 * explicit setting, /var/lib/midwatch. */
char *db_cluster_dir(const char *(*getenv_fn)(const char *));
/* Creates (initdb) if needed and starts (pg_ctl) the private cluster under
 * dir, then returns a malloc'd conninfo for it in *conninfo.  As root, the
 * server runs as the "postgres" user (or "nobody").  0 ok, -1 *cause. */
int db_cluster_ensure(const char *dir, char **conninfo, char **cause);
/* Stops the private cluster under dir; 0 ok (also when not running). */
int db_cluster_stop(const char *dir, char **cause);
/* 1 if the cluster under dir is running, 0 if not. */
int db_cluster_running(const char *dir);
/* 1 if the cluster under dir was created (initdb ran), 0 if not. */
int db_cluster_exists(const char *dir);
/* How to reach the cluster under dir (whether it runs or not). */
#define DB_CLUSTER_PORT "5432"
#define DB_CLUSTER_USER "midwatch"
#define DB_CLUSTER_DB "midwatch"
/* Its socket directory (malloc'd): DIR/run. */
char *db_cluster_sockdir(const char *dir);
/* Its conninfo (malloc'd): "host=DIR/run port=5432 user=midwatch
 * dbname=midwatch". */
char *db_cluster_conninfo(const char *dir);

/* ---- migrations ---------------------------------------------------------- */

struct migration {
	char *name;		/* file name, "001_schema.sql" */
	int number;		/* leading number */
	char *checksum;		/* hex FNV-1a 64 of the contents */
	char *sql;		/* file contents */
};

/* Lists NNN_*.sql files of dir sorted by number; -1 on duplicate numbers or
 * unreadable files.  *out is a malloc'd array of *n entries. */
int db_migrations_load(const char *dir, struct migration **out, size_t *n,
    char **cause);
void db_migrations_free(struct migration *m, size_t n);
/* Hex FNV-1a 64-bit checksum of s (17 bytes incl. NUL written to out). */
void db_checksum(const char *s, size_t len, char out[17]);
/* The SQL directory: $MIDWATCH_SQL_DIR, the source tree, or pkgdatadir. */
const char *db_sql_dir(void);
/* Applies pending migrations under an advisory lock, each in its own
 * transaction.  Refuses if an applied file changed.  *applied counts new. */
int db_migrate(struct db *db, const char *dir, int *applied, char **cause);
/* Counts the migrations of dir not applied yet (all of them on a database
 * without midwatch), writing nothing.  0 ok, -1 with *cause. */
int db_migrate_pending(struct db *db, const char *dir, int *pending,
    char **cause);
/* Prints the migration status table to stdout; writes nothing. */
int db_migrate_status(struct db *db, const char *dir, char **cause);

/* Advisory lock keys. */
#define DB_LOCK_MIGRATE 0x6d77000000000001LL
#define DB_LOCK_PIPELINE 0x6d77000000000002LL

#endif
