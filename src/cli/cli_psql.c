/*
 * cli_psql.c - `midwatch psql [PSQL ARGUMENTS...]`: psql on the database
 * midwatch would use (--db, the configuration's db, the libpq environment,
 * else the embedded cluster, started when it is not running), so nobody
 * has to work out the embedded cluster's socket directory.  midwatch execs
 * psql: the exit status is psql's.  Nothing is migrated and no project
 * is looked up.  --readonly refuses it (exit 2): nothing midwatch can set
 * on a psql session holds against the user typing in it (a read-only
 * default yields to BEGIN READ WRITE, SET ROLE to RESET ROLE); read-only
 * SQL is a login role whose only midwatch role is midwatch_viewer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/cli.h"
#include "midwatch/xmalloc.h"

/* The psql program: $MIDWATCH_PG_BINDIR/psql when that exists, else the
 * one on PATH (malloc'd). */
static char *
psql_program(void)
{
	const char *bindir = getenv("MIDWATCH_PG_BINDIR");
	char *p;

	if (bindir != NULL && *bindir != '\0') {
		p = xasprintf("%s/psql", bindir);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup("psql");
}

/* psql [ARGS...] on the resolved database. */
int
cmd_psql(struct cli_ctx *ctx, const struct cli_args *a)
{
	char **argv, *cause = NULL, *prog, *dbname = NULL;
	int i, n = 0;

	/* before resolving: that may start the embedded cluster */
	if (ctx->opts.readonly) {
		fprintf(stderr, "midwatch: psql: refused: --readonly cannot hold "
		    "in psql (a session can turn it off: BEGIN READ WRITE); for "
		    "read-only SQL connect as a login role that is only in "
		    "midwatch_viewer (an admin runs 'midwatch grant viewer "
		    "LOGIN'): midwatch --db 'user=LOGIN ...' psql\n");
		return MW_EXIT_USAGE;
	}
	if (cli_resolve(ctx, &cause) != 0)
		return cli_fail("psql", cause);
	prog = psql_program();
	argv = xcalloc((size_t)a->argc + 3, sizeof *argv);
	argv[n++] = prog;
	/* "" means the libpq environment: psql reads it itself */
	if (*ctx->conninfo != '\0') {
		dbname = xasprintf("--dbname=%s", ctx->conninfo);
		argv[n++] = dbname;
	}
	for (i = 1; i < a->argc; i++)
		argv[n++] = a->argv[i];
	argv[n] = NULL;
	fflush(stdout);
	execvp(prog, argv);
	cause = xasprintf("cannot run %s: %s (install the PostgreSQL client, "
	    "Debian package postgresql-client)", prog, strerror(errno));
	free(argv);
	free(dbname);
	free(prog);
	return cli_fail("psql", cause);
}
