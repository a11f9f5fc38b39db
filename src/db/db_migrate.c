/*
 * db_migrate.c - schema migrations: numbered files NNN_name.sql in the SQL
 * directory, applied in order, each in its own transaction, recorded in
 * midwatch.schema_migrations with a checksum.  A changed file that was
 * already applied is refused; two processes migrating at once serialise on
 * an advisory lock, and a migration that lost a race with another
 * database's in the same cluster (roles are the cluster's) is tried again.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "midwatch/db.h"
#include "midwatch/hash.h"
#include "midwatch/xmalloc.h"

#ifndef MW_SRC_SQLDIR
#define MW_SRC_SQLDIR ""
#endif
#ifndef MW_PKGDATADIR
#define MW_PKGDATADIR "/usr/local/share/midwatch"
#endif

/* FNV-1a 64 over the bytes, as 16 hex digits. */
void
db_checksum(const char *s, size_t len, char out[17])
{
	fnv1a64_hex(fnv1a64(MW_FNV1A64_INIT, s, len), out);
}

/* True if dir holds 001_*.sql. */
static int
sql_dir_usable(const char *dir)
{
	char *p = xasprintf("%s/001_schema.sql", dir);
	struct stat st;
	int ok = stat(p, &st) == 0;

	free(p);
	return ok;
}

/* $MIDWATCH_SQL_DIR, the source tree's sql/, or the installed copy. */
const char *
db_sql_dir(void)
{
	const char *env = getenv("MIDWATCH_SQL_DIR");

	if (env != NULL && *env != '\0')
		return env;
	if (MW_SRC_SQLDIR[0] != '\0' && sql_dir_usable(MW_SRC_SQLDIR))
		return MW_SRC_SQLDIR;
	return MW_PKGDATADIR;
}

/* Reads a whole file into a malloc'd string. */
static char *
read_file(const char *path, size_t *len, char **cause)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL) {
		*cause = xasprintf("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		*cause = xasprintf("cannot read %s", path);
		fclose(f);
		return NULL;
	}
	s = xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		*cause = xasprintf("cannot read %s", path);
		free(s);
		fclose(f);
		return NULL;
	}
	s[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	return s;
}

/* Orders migrations by number. */
static int
migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

/* Loads NNN_*.sql from dir, sorted; refuses duplicate numbers. */
int
db_migrations_load(const char *dir, struct migration **out, size_t *n,
    char **cause)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct migration *m = NULL;
	size_t cnt = 0, i, len = 0, nl;
	char *path, *end;
	long num;

	*out = NULL;
	*n = 0;
	if (d == NULL) {
		*cause = xasprintf("cannot open the SQL directory %s: %s (set "
		    "MIDWATCH_SQL_DIR)", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (!isdigit((unsigned char)de->d_name[0]) || nl < 5 ||
		    strcmp(de->d_name + nl - 4, ".sql") != 0)
			continue;
		num = strtol(de->d_name, &end, 10);
		if (*end != '_')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		m = xreallocarray(m, cnt + 1, sizeof *m);
		m[cnt].sql = read_file(path, &len, cause);
		free(path);
		if (m[cnt].sql == NULL) {
			closedir(d);
			db_migrations_free(m, cnt);
			return -1;
		}
		m[cnt].name = xstrdup(de->d_name);
		m[cnt].number = (int)num;
		m[cnt].checksum = xmalloc(17);
		db_checksum(m[cnt].sql, len, m[cnt].checksum);
		cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(m, cnt, sizeof *m, migration_cmp);
	for (i = 1; i < cnt; i++) {
		if (m[i].number == m[i - 1].number) {
			*cause = xasprintf("migrations %s and %s have the same number",
			    m[i - 1].name, m[i].name);
			db_migrations_free(m, cnt);
			return -1;
		}
	}
	if (cnt == 0) {
		*cause = xasprintf("no migrations (NNN_name.sql) in %s", dir);
		return -1;
	}
	*out = m;
	*n = cnt;
	return 0;
}

/* Frees a migration list. */
void
db_migrations_free(struct migration *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].checksum);
		free(m[i].sql);
	}
	free(m);
}

/* Creates the bookkeeping table. */
static int
migrate_prepare(struct db *db, char **cause)
{
	return db_exec_script(db, cause,
	    "CREATE SCHEMA IF NOT EXISTS midwatch;"
	    "CREATE TABLE IF NOT EXISTS midwatch.schema_migrations ("
	    " version integer PRIMARY KEY,"
	    " name text NOT NULL,"
	    " checksum text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())");
}

/* 1 if midwatch.schema_migrations exists, 0 if not, -1 on error (a query:
 * nothing is created). */
static int
migrate_table_exists(struct db *db, char **cause)
{
	struct db_res *r;
	int rc;

	r = DBQ(db, cause, "SELECT to_regclass($1) IS NOT NULL",
	    "midwatch.schema_migrations");
	if (r == NULL)
		return -1;
	rc = strcmp(db_res_get(r, 0, 0), "t") == 0;
	db_res_free(r);
	return rc;
}

/* The applied migrations' versions and checksums, read in one round trip
 * (a check at every start: one statement per migration was 29 round trips
 * before the console's first frame); NULL with *cause. */
static struct db_res *
migrate_read(struct db *db, char **cause)
{
	return DBQ(db, cause, "SELECT version, checksum "
	    "FROM midwatch.schema_migrations");
}

/* The applied checksum of version in r (migrate_read's; NULL: none read),
 * NULL if it was not applied. */
static const char *
migrate_applied(const struct db_res *r, int version)
{
	int i;

	for (i = 0; r != NULL && i < db_res_rows(r); i++)
		if (db_res_ll(r, i, 0) == version)
			return db_res_get(r, i, 1);
	return NULL;
}

/* How often a migration is tried when it lost a race with another
 * database's migration in the same cluster. */
#define MIGRATE_TRIES 5

/*
 * Whether a failed migration lost a race with another database of the same
 * cluster migrating at once: the migration lock is an advisory lock, per
 * database, while roles are the cluster's (sql/020_roles.sql creates and
 * grants them) - "duplicate key ... pg_authid_rolname_index" (23505), a
 * role that appeared meanwhile (42710), "tuple concurrently updated" on a
 * grant (XX000), a serialization failure or deadlock (40001, 40P01).  The
 * migration was rolled back whole; run again, it finds the role there.
 */
static int
migrate_race(const char *state)
{
	static const char *const states[] = { "23505", "42710", "XX000",
	    "40001", "40P01", NULL };
	int i;

	for (i = 0; states[i] != NULL; i++)
		if (strcmp(state, states[i]) == 0)
			return 1;
	return 0;
}

/* Backs off before try + 1: 50, 100, 200, 400 ms. */
static void
migrate_sleep(int try)
{
	struct timespec ts = { 0, 50000000L << (try - 1) };

	nanosleep(&ts, NULL);
}

/* Applies pending migrations in order under the migration lock. */
int
db_migrate(struct db *db, const char *dir, int *applied, char **cause)
{
	struct migration *m;
	struct db_res *done = NULL;
	size_t n, i;
	const char *sum;
	char v[16], *why = NULL;
	int rc = -1, try;

	*applied = 0;
	if (db_migrations_load(dir, &m, &n, cause) != 0)
		return -1;
	if (db_lock(db, DB_LOCK_MIGRATE, cause) != 0) {
		db_migrations_free(m, n);
		return -1;
	}
	if (migrate_prepare(db, cause) != 0 ||
	    (done = migrate_read(db, cause)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((sum = migrate_applied(done, m[i].number)) != NULL) {
			if (strcmp(sum, m[i].checksum) != 0) {
				*cause = xasprintf("migration %s was changed after it "
				    "was applied (checksum %s, now %s): write a new "
				    "migration instead of editing an applied one",
				    m[i].name, sum, m[i].checksum);
				goto out;
			}
			continue;
		}
		snprintf(v, sizeof v, "%d", m[i].number);
		for (try = 1;; try++) {
			if (db_begin(db, cause) != 0)
				goto out;
			db_clear_sqlstate(db);
			if (db_exec_script(db, &why, m[i].sql) == 0 &&
			    DBX(db, &why, "INSERT INTO midwatch.schema_migrations "
			    "(version, name, checksum) VALUES ($1::integer, $2, $3)",
			    v, m[i].name, m[i].checksum) == 0 &&
			    db_commit(db, &why) == 0)
				break;
			db_rollback(db);
			if (try < MIGRATE_TRIES &&
			    migrate_race(db_last_sqlstate(db))) {
				free(why);
				why = NULL;
				migrate_sleep(try);
				continue;
			}
			*cause = xasprintf("migration %s failed: %s", m[i].name, why);
			free(why);
			why = NULL;
			goto out;
		}
		(*applied)++;
	}
	rc = 0;
out:
	db_res_free(done);
	db_unlock(db, DB_LOCK_MIGRATE, &why);
	free(why);
	db_migrations_free(m, n);
	return rc;
}

/* Counts the migrations not applied yet, writing nothing. */
int
db_migrate_pending(struct db *db, const char *dir, int *pending, char **cause)
{
	struct migration *m;
	struct db_res *done = NULL;
	size_t n, i;
	int have;

	*pending = 0;
	if (db_migrations_load(dir, &m, &n, cause) != 0)
		return -1;
	if ((have = migrate_table_exists(db, cause)) < 0 ||
	    (have && (done = migrate_read(db, cause)) == NULL)) {
		db_migrations_free(m, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (migrate_applied(done, m[i].number) == NULL)
			(*pending)++;
	db_res_free(done);
	db_migrations_free(m, n);
	return 0;
}

/* Prints one line per migration: version, state, name.  Only reads: on a
 * database without midwatch every migration is pending (--readonly may
 * ask). */
int
db_migrate_status(struct db *db, const char *dir, char **cause)
{
	struct migration *m;
	struct db_res *done = NULL;
	size_t n, i;
	int have;
	const char *state, *sum;

	if (db_migrations_load(dir, &m, &n, cause) != 0)
		return -1;
	if ((have = migrate_table_exists(db, cause)) < 0 ||
	    (have && (done = migrate_read(db, cause)) == NULL)) {
		db_migrations_free(m, n);
		return -1;
	}
	printf("%-8s %-9s %-16s %s\n", "VERSION", "STATE", "CHECKSUM", "NAME");
	for (i = 0; i < n; i++) {
		sum = migrate_applied(done, m[i].number);
		if (sum == NULL)
			state = "pending";
		else if (strcmp(sum, m[i].checksum) != 0)
			state = "CHANGED";
		else
			state = "applied";
		printf("%03d      %-9s %-16s %s\n", m[i].number, state,
		    m[i].checksum, m[i].name);
	}
	db_res_free(done);
	db_migrations_free(m, n);
	return 0;
}
