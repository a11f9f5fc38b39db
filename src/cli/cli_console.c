/*
 * cli_console.c - `midwatch [console]`: reads the configuration file, lets
 * the command line win over it, connects (cli_connect: migrations, project)
 * and hands everything to the console (tui_run).  `midwatch demo` calls
 * cmd_console after loading the demo, already connected.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/tui.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"

/* getenv with the signature conf_default_path wants. */
static const char *
cli_console_getenv(const char *name)
{
	return getenv(name);
}

/* Parses the options given after "console" (the global ones). */
static int
cli_console_options(struct cli_ctx *ctx, int argc, char **argv)
{
	char *cause = NULL;
	int idx;

	if (argc <= 1)
		return 0;
	idx = cli_parse_more(argc, argv, &ctx->opts, &cause);
	if (idx < 0) {
		fprintf(stderr, "midwatch: console: %s\n", cause);
		free(cause);
		return -1;
	}
	if (ctx->opts.help) {
		printf("usage: midwatch [--db CONNINFO] [--project SLUG] [--as NAME] "
		    "[--readonly] [--config FILE] [console]\n"
		    "Keys: press ? in the console; see doc/console.md.\n");
		return 1;
	}
	if (idx < argc) {
		fprintf(stderr, "midwatch: console: unexpected argument %s\n", argv[idx]);
		return -1;
	}
	return 0;
}

/* Loads --config FILE (must exist) or the default file (if it exists). */
static int
cli_console_config(struct cli_ctx *ctx, struct conf *c, char **cause)
{
	char *path;
	int rc = 0;

	if (ctx->opts.config != NULL)
		return conf_load_file(c, ctx->opts.config, cause);
	path = conf_default_path(cli_console_getenv);
	if (path != NULL && access(path, F_OK) == 0)
		rc = conf_load_file(c, path, cause);
	free(path);
	return rc;
}

/* Opens the console. */
int
cmd_console(struct cli_ctx *ctx, int argc, char **argv)
{
	struct tui_config tc;
	struct conf c;
	char *cause = NULL;
	const char *e;
	int rc, fake;

	if ((rc = cli_console_options(ctx, argc, argv)) != 0)
		return rc > 0 ? MW_EXIT_OK : MW_EXIT_USAGE;
	conf_init(&c);
	if (cli_console_config(ctx, &c, &cause) != 0) {
		conf_free(&c);
		return cli_fail("config", cause);
	}
	/* The command line wins over the file; a caller that already
	 * connected (demo) has decided the database and project. */
	if (ctx->db == NULL && ctx->opts.db == NULL && c.db != NULL)
		ctx->opts.db = c.db;
	if (ctx->db == NULL && !ctx->opts.project_given &&
	    c.project != NULL)
		ctx->opts.project = c.project;
	if (ctx->opts.actor == NULL && c.actor != NULL &&
	    ((e = getenv("MIDWATCH_ACTOR")) == NULL || *e == '\0'))
		ctx->opts.actor = c.actor;
	if (c.readonly == 1)
		ctx->opts.readonly = 1;
	/* the file's project follows the slug rule too (a usage error) */
	if (ctx->db == NULL && cli_project_check(ctx->opts.project, &cause) != 0) {
		conf_free(&c);
		cli_errorf("console: %s", cause);
		free(cause);
		return MW_EXIT_USAGE;
	}

	if (tui_check(&c, &cause) != 0) {
		conf_free(&c);
		return cli_fail("console", cause);
	}
	memset(&tc, 0, sizeof tc);
	fake = (e = getenv("MIDWATCH_DEV_FAKE")) != NULL && *e != '\0' &&
	    strcmp(e, "0") != 0;
	if (fake) {
		tc.fake_load = worker_fake_snapshot;
		if (ctx->actor == NULL)
			ctx->actor = xstrdup(ctx->opts.actor ? ctx->opts.actor :
			    getenv("USER") ? getenv("USER") : "dev");
	} else if (ctx->db == NULL) {
		if (cli_connect(ctx, &cause) != 0) {
			conf_free(&c);
			return cli_fail(argv[0] != NULL ? argv[0] : "console", cause);
		}
	} else if (ctx->opts.actor != NULL && ctx->actor != NULL &&
	    strcmp(ctx->actor, ctx->opts.actor) != 0) {
		/* Connected by the caller (demo) before the file was read. */
		free(ctx->actor);
		ctx->actor = xstrdup(ctx->opts.actor);
	}
	tc.db = ctx->db;
	ctx->db = NULL;		/* the console's worker owns it now */
	tc.conninfo = ctx->conninfo;
	tc.project_id = ctx->project_id;
	tc.project = ctx->opts.project;
	tc.actor = ctx->actor;
	tc.readonly = ctx->opts.readonly;
	tc.conf = &c;
	rc = tui_run(&tc, &cause);
	if (tc.db != NULL)
		ctx->db = tc.db;	/* not handed over: give it back */
	conf_free(&c);
	if (rc != 0)
		return cli_fail("console", cause);
	return MW_EXIT_OK;
}
