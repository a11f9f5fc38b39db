/*
 * db.h - the database module: the only code that includes libpq-fe.h.
 * Everything else talks to PostgreSQL through struct db and struct db_res.
 *
 * Statements live in sql/queries/ and run by name (DBQN/DBXN, below); every
 * value goes as a parameter (db_query()/DBQ() for the statements still
 * written in C): no SQL text is ever built from input.  Functions that can fail return -1
 * or NULL and set *cause to a malloc'd message the caller frees.  A struct db
 * belongs to one thread at a time.
 */
#ifndef MIDWATCH_DB_H
#define MIDWATCH_DB_H

#include <stddef.h>
#include <stdio.h>
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
/* The count and the array of parameters listed inline (DBQ and friends). */
#define DB_PARAMS(...) \
	(int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	(const char *const[]){ __VA_ARGS__ }
/* db_query with the parameters listed inline: DBQ(db, &cause, sql, a, b). */
#define DBQ(db, cause, sql, ...) \
	db_query((db), (cause), (sql), DB_PARAMS(__VA_ARGS__))
/* Runs sql and discards the result; 0 on success. */
int db_exec(struct db *db, char **cause, const char *sql, int n,
    const char *const *params);
#define DBX(db, cause, sql, ...) \
	db_exec((db), (cause), (sql), DB_PARAMS(__VA_ARGS__))
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

/* ---- named queries (sql/queries/<module>/<name>.sql) ----------------------
 *
 * Every statement lives in a file of its own whose header lists its
 * parameters and its result columns; make compiles them into the binary
 * (sql/queries/embed.awk) and code runs them by name:
 *
 *	r = DBQN(db, &cause, "feedback/repeat", project, kind, target);
 *	id = db_val_ll(r, 0, "id");
 *
 * Results are read by column name.  Every result of a named query is checked
 * against the columns its header lists (a mismatch fails the statement,
 * naming the query), and `midwatch migrate --check-queries` prepares every
 * statement on the database and compares (tests/db/test_queries.sh). */

/* One embedded statement (the table is generated: src/db/db_queries_gen.c). */
struct db_query_text {
	const char *name;	/* "feedback/insert": the path under sql/queries */
	int nparams;		/* the highest $N its header documents */
	const char *columns;	/* its result columns, space-separated ("" none) */
	const char *sql;	/* the statement, header left out */
};
extern const struct db_query_text db_query_texts[];	/* sorted by name */
extern const size_t db_query_ntexts;

/* The embedded statement called name; an unknown name is a programming
 * error and ends the program. */
const struct db_query_text *db_query_find(const char *name);
/* Runs the embedded statement name with n text parameters, like db_query,
 * and checks the result's columns against its header.  From its second use
 * in a session the statement is prepared there (mw_q_<index>_<epoch>) and
 * executed by name: parsed once, planned once PostgreSQL keeps a generic
 * plan (db_queries.c). */
struct db_res *db_run(struct db *db, char **cause, const char *name, int n,
    const char *const *params);
/* db_run with the parameters inline: DBQN(db, &cause, "mod/name", a, b). */
#define DBQN(db, cause, name, ...) \
	db_run((db), (cause), (name), DB_PARAMS(__VA_ARGS__))
/* db_run with the results in binary (no number formatted as text by the
 * server and parsed back by the client: for reads of many rows).  Read
 * numbers with db_res_ll/db_res_f/db_val_ll/db_val_f (they decode int4,
 * int8 and float8 by the column's type: cast anything else to text or to
 * one of those in the statement) and text columns with db_res_get;
 * db_res_get of a numeric column gives its raw bytes. */
struct db_res *db_run_bin(struct db *db, char **cause, const char *name,
    int n, const char *const *params);
/* db_run, the result dropped; 0 on success. */
int db_run_exec(struct db *db, char **cause, const char *name, int n,
    const char *const *params);
#define DBXN(db, cause, name, ...) \
	db_run_exec((db), (cause), (name), DB_PARAMS(__VA_ARGS__))
/* Prepares every embedded statement on db and compares its parameters and
 * result columns with its header; prints "ok NAME" or "FAIL NAME: why" per
 * statement to out.  Returns the number that failed, or -1 with *cause. */
int db_queries_check(struct db *db, FILE *out, char **cause);

/* Reading by column name.  col must be a column of r's statement: a missing
 * one is a programming error and ends the program (naming query and
 * column).  In loops, look the number up once with db_col and read with
 * db_res_get and friends. */
int db_col(const struct db_res *r, const char *col);
/* The numbers of n columns at once: cols[k] = db_col(r, names[k]). */
void db_cols(const struct db_res *r, const char *const *names, int *cols,
    int n);
const char *db_val(const struct db_res *r, int row, const char *col);
int db_val_null(const struct db_res *r, int row, const char *col);
long long db_val_ll(const struct db_res *r, int row, const char *col);
double db_val_f(const struct db_res *r, int row, const char *col);

/* The SQLSTATE of the last failed statement ("" if none). */
const char *db_last_sqlstate(struct db *db);
/* Forgets the last SQLSTATE (before a unit of work whose failure is judged
 * by it). */
void db_clear_sqlstate(struct db *db);

/* ---- batches: several statements in one round trip ------------------------ */

/*
 * A batch queues parameterised statements and sends them together (libpq's
 * pipeline mode): one round trip instead of one per statement, the server
 * running them in order in one implicit transaction (read committed: each
 * statement still sees its own snapshot).  The first failure aborts the
 * statements after it.  All results at once:
 *   b = db_batch_new(db); i = DBBN(b, "mod/name", x, y); ...;
 *   db_batch_run(b, &cause);
 *   r = db_batch_take(b, i); ... db_res_free(r); db_batch_free(b);
 * or one by one, working on each while the server runs the next:
 *   db_batch_send(b, &cause); r = db_batch_next(b, &cause); ...;
 *   db_batch_end(b, &cause); db_batch_free(b);
 */
struct db_batch;
struct db_batch *db_batch_new(struct db *db);
/* Queues sql (a string that outlives the batch) with n text parameters
 * (copied; NULL entries are SQL NULL); returns its index. */
int db_batch_add(struct db_batch *b, const char *sql, int n,
    const char *const *params);
#define DBB(b, sql, ...) \
	db_batch_add((b), (sql), \
	    (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	    (const char *const[]){ __VA_ARGS__ })
/* Queues the embedded statement name (sql/queries/, as DBQN runs one)
 * with n text parameters; its result is checked against the header's
 * columns (a mismatch fails the statement, naming the query) and read by
 * column name (db_col, db_val).  Returns its index. */
int db_batch_add_named(struct db_batch *b, const char *name, int n,
    const char *const *params);
#define DBBN(b, name, ...) \
	db_batch_add_named((b), (name), DB_PARAMS(__VA_ARGS__))
/* Sends the queued statements and reads every result; 0, or -1 with *cause
 * (the first failure's, as db_query words it). */
int db_batch_run(struct db_batch *b, char **cause);
/* Statement i's result after db_batch_run, now the caller's (NULL when it
 * failed or was not run, or was taken already). */
struct db_res *db_batch_take(struct db_batch *b, int i);
/* Sends the queued statements; 0, or -1 with *cause (call db_batch_end
 * or db_batch_free either way). */
int db_batch_send(struct db_batch *b, char **cause);
/* The next statement's result in queue order, now the caller's; NULL with
 * *cause when it failed (the rest are not run). */
struct db_res *db_batch_next(struct db_batch *b, char **cause);
/* Reads the results not read yet and ends the round trip; 0, or -1 with
 * *cause when a statement failed (*cause not set again when db_batch_next
 * already said so). */
int db_batch_end(struct db_batch *b, char **cause);
/* Frees the batch (ending its round trip) and the results not taken; NULL
 * is fine. */
void db_batch_free(struct db_batch *b);

/* ---- streams: reads sent ahead of their results ------------------------- */

/*
 * A stream sends embedded statements (by name) on its connection without
 * waiting for their results, and reads the results in the order sent, so
 * the server runs the next statement while the caller reads one.  Each
 * statement runs in its own transaction (a failure fails only it; the
 * stream goes on), is prepared once on the connection, and returns its
 * results in binary (as db_run_bin's), checked against its header.  The
 * connection is the stream's until db_stream_close:
 *   s = db_stream_open(db, &cause); db_stream_send(s, "mod/name", n, p,
 *   &cause); ...; r = db_stream_recv(s, &cause); ...; db_stream_close(s);
 */
struct db_stream;
struct db_stream *db_stream_open(struct db *db, char **cause);
/* Sends one statement; 0, or -1 with *cause (the connection failed: every
 * later send and receive fails too). */
int db_stream_send(struct db_stream *s, const char *name, int n,
    const char *const *params, char **cause);
/* The result of the oldest statement sent and not received, or NULL with
 * *cause (that statement failed, or the connection did). */
struct db_res *db_stream_recv(struct db_stream *s, char **cause);
/* Reads and drops the results not received, ends the stream. */
void db_stream_close(struct db_stream *s);

/* ---- transactions and locks ---------------------------------------------- */

int db_begin(struct db *db, char **cause);
/* Makes the transaction just begun read-only: the server refuses any write
 * in it (before its first statement). */
int db_set_readonly(struct db *db, char **cause);
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
/* The same for --readonly, writing nothing (no file, no start, no
 * database): the cluster must exist, run and hold the database midwatch,
 * else -1 and a *cause saying which and what to run. */
int db_cluster_reach(const char *dir, char **conninfo, char **cause);
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
