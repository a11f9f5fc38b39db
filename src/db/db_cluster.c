/*
 * db_cluster.c - the embedded default: a private PostgreSQL cluster that
 * midwatch creates (initdb) and starts (pg_ctl) under its state directory
 * when no database is named.  Unix socket only, no TCP port.  PostgreSQL
 * refuses to run as root, so as root the server runs as "postgres" (or
 * "nobody") and the directory is handed to that user.
 *
 * Layout under DIR: data/ (PGDATA), run/ (socket), postgres.log, setup.log,
 * and a lock file so two midwatch processes do not initdb at once.
 * db_cluster_reach() (--readonly) only looks: it starts and creates nothing.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/xmalloc.h"

#define CLUSTER_USER DB_CLUSTER_USER
#define CLUSTER_DB DB_CLUSTER_DB

/* Finds the directory holding initdb and pg_ctl (malloc'd) or NULL. */
static char *
cluster_bindir(void)
{
	const char *env = getenv("MIDWATCH_PG_BINDIR");
	DIR *d;
	struct dirent *de;
	long best = -1, v;
	char *path, *end;

	if (env != NULL && *env != '\0') {
		path = xasprintf("%s/initdb", env);
		v = access(path, X_OK);
		free(path);
		return v == 0 ? xstrdup(env) : NULL;
	}
	d = opendir("/usr/lib/postgresql");
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			v = strtol(de->d_name, &end, 10);
			if (*end != '\0' || v < 15)
				continue;
			path = xasprintf("/usr/lib/postgresql/%s/bin/initdb", de->d_name);
			if (access(path, X_OK) == 0 && v > best)
				best = v;
			free(path);
		}
		closedir(d);
	}
	if (best >= 0)
		return xasprintf("/usr/lib/postgresql/%ld/bin", best);
	if (access("/usr/bin/initdb", X_OK) == 0)
		return xstrdup("/usr/bin");
	return NULL;
}

/* The user the server runs as when we are root. */
static struct passwd *
cluster_server_user(void)
{
	struct passwd *pw = getpwnam("postgres");

	return pw != NULL ? pw : getpwnam("nobody");
}

/* Runs argv (as the server user when root) with output to logpath;
 * returns the exit status or -1. */
static int
cluster_run(char *const argv[], const char *logpath)
{
	pid_t pid;
	int status, fd;
	struct passwd *pw;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		if (geteuid() == 0) {
			pw = cluster_server_user();
			if (pw == NULL || setgroups(0, NULL) != 0 ||
			    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
				_exit(126);
			setenv("HOME", pw->pw_dir, 1);
		}
		/* Don't let a caller's libpq environment leak into the server. */
		unsetenv("PGDATA");
		unsetenv("PGPORT");
		unsetenv("PGHOST");
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* mkdir -p with mode, owned by the server user when root. */
static int
cluster_mkdir(const char *path, mode_t mode, int chown_it, char **cause)
{
	char *p = xstrdup(path), *s;
	struct passwd *pw;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			*cause = xasprintf("cannot create %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, mode) != 0 && errno != EEXIST) {
		*cause = xasprintf("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (chown_it && geteuid() == 0) {
		pw = cluster_server_user();
		if (pw == NULL) {
			*cause = xstrdup("running as root, but there is no 'postgres' "
			    "or 'nobody' user to run PostgreSQL as");
			return -1;
		}
		if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
			*cause = xasprintf("cannot hand %s to user %s: %s", path,
			    pw->pw_name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* 1 if the postmaster of dir/data answers pg_ctl status. */
int
db_cluster_running(const char *dir)
{
	char *bindir = cluster_bindir(), *pgctl, *data, *log;
	int rc;

	if (bindir == NULL)
		return 0;
	pgctl = xasprintf("%s/pg_ctl", bindir);
	data = xasprintf("%s/data", dir);
	log = xasprintf("%s/setup.log", dir);
	{
		char *argv[] = { pgctl, (char *)"status", (char *)"-D", data, NULL };
		rc = access(data, F_OK) == 0 ? cluster_run(argv, log) : 3;
	}
	free(log);
	free(data);
	free(pgctl);
	free(bindir);
	return rc == 0;
}

/* The socket directory of the cluster under dir (see db.h). */
char *
db_cluster_sockdir(const char *dir)
{
	return xasprintf("%s/run", dir);
}

/* The conninfo of the cluster under dir (see db.h). */
char *
db_cluster_conninfo(const char *dir)
{
	return xasprintf("host=%s/run port=" DB_CLUSTER_PORT " user="
	    CLUSTER_USER " dbname=" CLUSTER_DB, dir);
}

/* 1 if dir/data/PG_VERSION exists (initdb ran). */
int
db_cluster_exists(const char *dir)
{
	char *ver = xasprintf("%s/data/PG_VERSION", dir);
	int rc = access(ver, F_OK) == 0;

	free(ver);
	return rc;
}

/* Creates the database midwatch inside the cluster if it is missing (with
 * create 0: only says it is missing). */
static int
cluster_create_db(const char *sockdir, int create, char **cause)
{
	char *ci = xasprintf("host=%s port=" DB_CLUSTER_PORT " user=" CLUSTER_USER
	    " dbname=postgres", sockdir);
	struct db *db = db_open(ci, cause);
	struct db_res *r;
	int rc = -1;

	free(ci);
	if (db == NULL)
		return -1;
	r = DBQ(db, cause, "SELECT 1 FROM pg_database WHERE datname = $1",
	    CLUSTER_DB);
	if (r == NULL)
		goto out;
	if (db_res_rows(r) == 0 && !create) {
		*cause = xstrdup("it has no database " CLUSTER_DB "; --readonly "
		    "does not create it (run 'midwatch migrate' without "
		    "--readonly)");
		db_res_free(r);
		goto out;
	}
	if (db_res_rows(r) == 0 &&
	    db_exec(db, cause, "CREATE DATABASE " CLUSTER_DB, 0, NULL) != 0 &&
	    strcmp(db_last_sqlstate(db), "42P04") != 0) {	/* raced: exists */
		db_res_free(r);
		goto out;
	}
	db_res_free(r);
	rc = 0;
out:
	db_close(db);
	return rc;
}

/* The conninfo of the private cluster under dir, changing nothing: no
 * directory, lock file, initdb, start or database (see db.h). */
int
db_cluster_reach(const char *dir, char **conninfo, char **cause)
{
	char *sock = db_cluster_sockdir(dir), *ci, *why = NULL;
	int rc = -1;

	*conninfo = NULL;
	ci = xasprintf("host=%s port=" DB_CLUSTER_PORT " user=" CLUSTER_USER
	    " dbname=postgres", sock);
	if (!db_cluster_exists(dir))
		*cause = xasprintf("no embedded database in %s yet (create it "
		    "without --readonly: 'midwatch demo' or 'midwatch ingest "
		    "FILE'; or name one with --db)", dir);
	else if (PQping(ci) != PQPING_OK)
		*cause = xasprintf("the embedded cluster at %s is not running; "
		    "--readonly does not start it (run 'midwatch cluster "
		    "start')", dir);
	else if (cluster_create_db(sock, 0, &why) != 0) {
		*cause = xasprintf("the embedded cluster at %s: %s", dir, why);
		free(why);
	} else {
		*conninfo = db_cluster_conninfo(dir);
		rc = 0;
	}
	free(ci);
	free(sock);
	return rc;
}

/* Creates and starts the private cluster; returns its conninfo. */
int
db_cluster_ensure(const char *dir, char **conninfo, char **cause)
{
	char *bindir = NULL, *data = NULL, *sock = NULL, *log = NULL;
	char *setup = NULL, *lockp = NULL, *ver = NULL, *opts = NULL;
	char *initdb = NULL, *pgctl = NULL;
	int lockfd = -1, rc = -1, st;

	*conninfo = NULL;
	bindir = cluster_bindir();
	if (bindir == NULL) {
		*cause = xstrdup("no database named and PostgreSQL's server "
		    "programs (initdb, pg_ctl) are not installed: install the "
		    "Debian package postgresql, or set MIDWATCH_PG_BINDIR, or "
		    "name a database with --db / PGHOST / DATABASE_URL");
		return -1;
	}
	data = xasprintf("%s/data", dir);
	sock = db_cluster_sockdir(dir);
	log = xasprintf("%s/postgres.log", dir);
	setup = xasprintf("%s/setup.log", dir);
	lockp = xasprintf("%s/lock", dir);
	ver = xasprintf("%s/PG_VERSION", data);
	initdb = xasprintf("%s/initdb", bindir);
	pgctl = xasprintf("%s/pg_ctl", bindir);
	if (strlen(sock) + 20 > 100) {
		*cause = xasprintf("state directory %s is too long for a Unix "
		    "socket path; set MIDWATCH_STATE_DIR to a shorter one", dir);
		goto out;
	}
	if (cluster_mkdir(dir, 0700, 1, cause) != 0)
		goto out;
	lockfd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) != 0) {
		*cause = xasprintf("cannot lock %s: %s", lockp, strerror(errno));
		goto out;
	}
	if (access(ver, F_OK) != 0) {
		char *argv[] = { initdb, (char *)"-D", data, (char *)"-U",
		    (char *)CLUSTER_USER, (char *)"-A", (char *)"trust",
		    (char *)"-E", (char *)"UTF8", (char *)"--locale=C.UTF-8",
		    (char *)"--no-sync", NULL };

		log_info("creating the embedded PostgreSQL cluster in %s", data);
		if ((st = cluster_run(argv, setup)) != 0) {
			*cause = xasprintf("initdb failed (status %d); see %s", st, setup);
			goto out;
		}
	}
	if (cluster_mkdir(sock, 0700, 1, cause) != 0)
		goto out;
	if (!db_cluster_running(dir)) {
		opts = xasprintf("-c listen_addresses='' -c port=" DB_CLUSTER_PORT " "
		    "-c unix_socket_directories='%s' -c fsync=on", sock);
		char *argv[] = { pgctl, (char *)"-D", data, (char *)"-l", log,
		    (char *)"-w", (char *)"-t", (char *)"60", (char *)"-o", opts,
		    (char *)"start", NULL };

		log_info("starting the embedded PostgreSQL cluster in %s", data);
		if ((st = cluster_run(argv, setup)) != 0) {
			*cause = xasprintf("pg_ctl start failed (status %d); see %s "
			    "and %s", st, setup, log);
			goto out;
		}
	}
	if (cluster_create_db(sock, 1, cause) != 0)
		goto out;
	*conninfo = db_cluster_conninfo(dir);
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	free(pgctl);
	free(initdb);
	free(opts);
	free(ver);
	free(lockp);
	free(setup);
	free(log);
	free(sock);
	free(data);
	free(bindir);
	return rc;
}

/* Stops the private cluster (fast shutdown). */
int
db_cluster_stop(const char *dir, char **cause)
{
	char *bindir = cluster_bindir(), *pgctl, *data, *setup;
	int st;

	if (bindir == NULL || !db_cluster_running(dir)) {
		free(bindir);
		return 0;
	}
	pgctl = xasprintf("%s/pg_ctl", bindir);
	data = xasprintf("%s/data", dir);
	setup = xasprintf("%s/setup.log", dir);
	{
		char *argv[] = { pgctl, (char *)"-D", data, (char *)"-m",
		    (char *)"fast", (char *)"-w", (char *)"stop", NULL };
		st = cluster_run(argv, setup);
	}
	if (st != 0)
		*cause = xasprintf("pg_ctl stop failed (status %d); see %s", st, setup);
	free(setup);
	free(data);
	free(pgctl);
	free(bindir);
	return st == 0 ? 0 : -1;
}
