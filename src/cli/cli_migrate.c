/*
 * cli_migrate.c - `midwatch migrate [--status]` and `midwatch cluster
 * start|stop|status` (the embedded database's life cycle).  With --readonly
 * only `migrate --status` and `cluster status` run: the rest write.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* getenv with a const signature. */
static const char *
mig_getenv(const char *name)
{
	return getenv(name);
}

/* Applies pending migrations, or lists them with --status. */
int
cmd_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
	char *cause = NULL;
	int status = 0, i, applied = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0)
			status = 1;
		else {
			fprintf(stderr, "midwatch: migrate: unknown argument %s\n"
			    "usage: midwatch migrate [--status]\n", argv[i]);
			return MW_EXIT_USAGE;
		}
	}
	/* Applying writes; --status only reads (and works with --readonly). */
	if (!status && ctx->opts.readonly)
		return cli_refuse_readonly("migrate");
	/* Connect without migrating, so --status shows what is pending. */
	if (cli_open(ctx, &cause) != 0)
		return cli_fail("migrate", cause);
	if (status) {
		if (db_migrate_status(ctx->db, db_sql_dir(), &cause) != 0)
			return cli_fail("migrate", cause);
		return MW_EXIT_OK;
	}
	if (db_migrate(ctx->db, db_sql_dir(), &applied, &cause) != 0)
		return cli_fail("migrate", cause);
	printf("applied %d migration(s)\n", applied);
	return MW_EXIT_OK;
}

/* start|stop|status of the embedded cluster. */
int
cmd_cluster(struct cli_ctx *ctx, int argc, char **argv)
{
	char *dir, *cause = NULL, *ci = NULL;
	int rc = MW_EXIT_OK;

	if (argc != 2) {
		fprintf(stderr, "usage: midwatch cluster start|stop|status\n");
		return MW_EXIT_USAGE;
	}
	/* start may create the cluster, stop changes what others see. */
	if (ctx->opts.readonly && (strcmp(argv[1], "start") == 0 ||
	    strcmp(argv[1], "stop") == 0))
		return cli_refuse_readonly(strcmp(argv[1], "start") == 0 ?
		    "cluster start" : "cluster stop");
	dir = db_cluster_dir(mig_getenv);
	if (strcmp(argv[1], "start") == 0) {
		if (db_cluster_ensure(dir, &ci, &cause) != 0)
			rc = cli_fail("cluster", cause);
		else
			printf("running: %s\n", ci);
	} else if (strcmp(argv[1], "stop") == 0) {
		if (db_cluster_stop(dir, &cause) != 0)
			rc = cli_fail("cluster", cause);
		else
			printf("stopped: %s\n", dir);
	} else if (strcmp(argv[1], "status") == 0) {
		rc = db_cluster_running(dir) ? MW_EXIT_OK : 3;
		printf("%s: %s\n", dir, rc == 0 ? "running" : "not running");
	} else {
		fprintf(stderr, "usage: midwatch cluster start|stop|status\n");
		rc = MW_EXIT_USAGE;
	}
	free(ci);
	free(dir);
	return rc;
}
