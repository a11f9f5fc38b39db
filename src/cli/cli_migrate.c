/*
 * cli_migrate.c - `midwatch migrate [--status | --check-queries]` and
 * `midwatch cluster
 * start|stop|status` (the embedded database's life cycle, and how to
 * reach it).  With --readonly
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

/* --check-queries: prepares every statement of sql/queries/ on the
 * database and compares it with its header; exit 1 if any differs. */
static int
migrate_check_queries(struct cli_ctx *ctx)
{
	char *cause = NULL;
	int bad = db_queries_check(ctx->db, stdout, &cause);

	if (bad < 0)
		return cli_fail("migrate", cause);
	printf("checked %zu queries, %d failed\n", db_query_ntexts, bad);
	return bad == 0 ? MW_EXIT_OK : MW_EXIT_ERROR;
}

/* Applies pending migrations, or lists them with --status. */
int
cmd_migrate(struct cli_ctx *ctx, const struct cli_args *a)
{
	char *cause = NULL;
	int status = cli_args_has(a, "status"), applied = 0;
	int check = cli_args_has(a, "check-queries");

	/* Applying writes; --status and --check-queries only read (and work
	 * with --readonly). */
	if (!status && !check && ctx->opts.readonly)
		return cli_refuse_readonly("migrate");
	/* Connect without migrating, so --status shows what is pending. */
	if (cli_open(ctx, &cause) != 0)
		return cli_fail("migrate", cause);
	if (check)
		return migrate_check_queries(ctx);
	if (status) {
		if (db_migrate_status(ctx->db, db_sql_dir(), &cause) != 0)
			return cli_fail("migrate", cause);
		return MW_EXIT_OK;
	}
	/* migrations are the schema owner's (sql/020_roles.sql) */
	if (cli_owner(ctx, &cause) != 0)
		return cli_fail("migrate", cause);
	if (!ctx->owner)
		return cli_fail("migrate", xstrdup("refused: migrations are the "
		    "schema owner's; run 'midwatch migrate' as its owner"));
	if (db_migrate(ctx->db, db_sql_dir(), &applied, &cause) != 0)
		return cli_fail("migrate", cause);
	printf("applied %d migration(s)\n", applied);
	cli_roles_warn(ctx);
	return MW_EXIT_OK;
}

/*
 * cluster status: whether it runs, and everything needed to reach it --
 * the socket directory, port, user, database, a psql command line to
 * paste (or `midwatch psql`), and whether midwatch uses another database.
 * Exit 0 running, 3 not running.
 */
static int
cluster_status(struct cli_ctx *ctx, const char *dir)
{
	char *sock = db_cluster_sockdir(dir), *other;
	int running = db_cluster_running(dir);

	printf("%s: %s\n", dir, running ? "running" : db_cluster_exists(dir) ?
	    "not running (midwatch starts it when a command needs it, or: "
	    "midwatch cluster start)" : "not created yet (the first command "
	    "that needs a database creates it)");
	printf("  socket directory  %s (Unix socket only, no TCP)\n", sock);
	printf("  port              " DB_CLUSTER_PORT "\n");
	printf("  user              " DB_CLUSTER_USER "\n");
	printf("  database          " DB_CLUSTER_DB "\n");
	printf("  psql              psql -h '%s' -p " DB_CLUSTER_PORT " -U "
	    DB_CLUSTER_USER " " DB_CLUSTER_DB "\n", sock);
	printf("  or                midwatch psql\n");
	other = db_conninfo_resolve(ctx->opts.db, mig_getenv);
	if (other != NULL)
		printf("note: midwatch uses another database here (%s), not this "
		    "cluster\n", ctx->opts.db != NULL ? "--db or the "
		    "configuration's db" : "the libpq environment");
	free(other);
	free(sock);
	return running ? MW_EXIT_OK : 3;
}

/* start|stop|status of the embedded cluster. */
int
cmd_cluster(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *sub = a->argv[1];
	char *dir, *cause = NULL, *ci = NULL;
	int rc = MW_EXIT_OK;

	/* start may create the cluster, stop changes what others see. */
	if (ctx->opts.readonly && strcmp(sub, "status") != 0)
		return cli_refuse_readonly(strcmp(sub, "start") == 0 ?
		    "cluster start" : "cluster stop");
	dir = db_cluster_dir(mig_getenv);
	if (strcmp(sub, "start") == 0) {
		if (db_cluster_ensure(dir, &ci, &cause) != 0)
			rc = cli_fail("cluster", cause);
		else
			printf("running: %s\n", ci);
	} else if (strcmp(sub, "stop") == 0) {
		if (db_cluster_stop(dir, &cause) != 0)
			rc = cli_fail("cluster", cause);
		else
			printf("stopped: %s\n", dir);
	} else
		rc = cluster_status(ctx, dir);
	free(ci);
	free(dir);
	return rc;
}
