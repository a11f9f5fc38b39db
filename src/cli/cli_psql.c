/*
 * cli_psql.c - `midwatch psql [PSQL ARGUMENTS...]`: psql on the database
 * midwatch would use (--db, the configuration's db, the libpq environment,
 * else the embedded cluster, started when it is not running), so nobody
 * has to work out the embedded cluster's socket directory.  midwatch execs
 * psql: the exit status is psql's.  With --readonly the session is
 * read-only (default_transaction_read_only through PGOPTIONS).  Nothing
 * is migrated and no project is looked up.
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
	char **argv, *cause = NULL, *prog, *dbname = NULL, *opts;
	const char *old;
	int i, n = 0;

	if (cli_resolve(ctx, &cause) != 0)
		return cli_fail("psql", cause);
	if (ctx->opts.readonly) {
		old = getenv("PGOPTIONS");
		opts = xasprintf("%s%s-c default_transaction_read_only=on",
		    old != NULL ? old : "", old != NULL && *old != '\0' ? " " : "");
		setenv("PGOPTIONS", opts, 1);
		free(opts);
	}
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
