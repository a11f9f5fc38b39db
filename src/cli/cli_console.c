/*
 * cli_console.c - `midwatch [console]`: connects (cli_connect: migrations,
 * project) and hands everything to the console (tui_run) with the
 * configuration file main read for every command (keys, colours,
 * intervals).  `midwatch demo` calls cli_console_open after loading the
 * demo, already connected.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/tui.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"

/* `midwatch [console]`. */
int
cmd_console(struct cli_ctx *ctx, const struct cli_args *args)
{
	(void)args;
	return cli_console_open(ctx);
}

/* Opens the console (see cli.h). */
int
cli_console_open(struct cli_ctx *ctx)
{
	struct tui_config tc;
	char *cause = NULL;
	int rc;

	if (tui_check(ctx->conf, &cause) != 0)
		return cli_fail("console", cause);
	memset(&tc, 0, sizeof tc);
	if (ctx->db == NULL && cli_connect(ctx, &cause) != 0)
		return cli_fail("console", cause);
	/* the file's channels, before the console's runner queues */
	if (cli_channels_sync(ctx) < 0)
		return MW_EXIT_ERROR;
	tc.db = ctx->db;
	ctx->db = NULL;		/* the console's worker owns it now */
	tc.conninfo = ctx->conninfo;
	tc.project_id = ctx->project_id;
	tc.project = ctx->opts.project;
	tc.actor = ctx->actor;
	tc.readonly = ctx->opts.readonly;
	/* what the role allows (sql/020_roles.sql): a viewer is read-only
	 * already (cli_connect); an operator acts but runs nothing */
	if (ctx->role < CLI_ROLE_OWNER) {
		tc.role = cli_role_name(ctx->role);
		tc.no_runs = ctx->role < CLI_ROLE_ADMIN;
	}
	tc.conf = ctx->conf;
	rc = tui_run(&tc, &cause);
	if (tc.db != NULL)
		ctx->db = tc.db;	/* not handed over: give it back */
	if (rc != 0)
		return cli_fail("console", cause);
	return MW_EXIT_OK;
}
