/*
 * main.c - the entry point, the same for every command: the global
 * options, the command and its words parsed against its table entry
 * (cli_table.c), --help and --version, the configuration file read once
 * (it fills what the command line left open), --readonly refusing the
 * commands that write, then the command.  With no command midwatch opens
 * the console when stdin and stdout are a terminal and prints the usage
 * otherwise.  Exit codes: 0 ok, 1 runtime error, 2 usage (some commands
 * add their own: doc/interfaces.md).  Everything written to stderr is
 * sanitised (sanitize_stderr).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <locale.h>

#include "midwatch/cli.h"
#include "midwatch/log.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

/* The command named at argv[idx] (the console when there is none). */
static const struct cli_cmd *
main_command(int argc, char **argv, int idx, const struct cli_opts *o)
{
	const struct cli_cmd *cmd;

	if (idx < argc) {
		if ((cmd = cli_find(argv[idx])) == NULL) {
			cli_errorf("unknown command: %s", argv[idx]);
			cli_usage(stderr);
		}
		return cmd;
	}
	if (o->help || o->version || (isatty(STDOUT_FILENO) &&
	    isatty(STDIN_FILENO)))
		return cli_find("console");
	fprintf(stderr, "midwatch: not a terminal: name a command\n");
	cli_usage(stderr);
	return NULL;
}

/* Parses the command line and runs one command. */
int
main(int argc, char **argv)
{
	static char console_name[] = "console";
	char *none[] = { console_name, NULL };
	const struct cli_cmd *cmd;
	struct cli_args args;
	struct cli_ctx ctx;
	char *cause = NULL, *full = NULL;
	const char *sub;
	int idx, rc;

	setlocale(LC_ALL, "");
	/* Messages quote input (argv, --db, server messages): no escape
	 * sequence or invisible character in one reaches the terminal. */
	sanitize_stderr();
	memset(&ctx, 0, sizeof ctx);
	idx = cli_parse_global(argc, argv, &ctx.opts, &cause);
	if (idx < 0) {
		cli_errorf("%s", cause);
		free(cause);
		cli_usage(stderr);
		return MW_EXIT_USAGE;
	}
	if ((cmd = main_command(argc, argv, idx, &ctx.opts)) == NULL)
		return MW_EXIT_USAGE;
	if (cli_args_parse(cmd, idx < argc ? argc - idx : 1, idx < argc ?
	    argv + idx : none, &ctx.opts, &args, &cause) != 0) {
		rc = cli_usage_error(cmd, "%s", cause);
		free(cause);
		cli_args_free(&args);
		return rc;
	}
	if (ctx.opts.version) {
		printf("midwatch %s\n", PACKAGE_VERSION);
		rc = MW_EXIT_OK;
	} else if (ctx.opts.help) {
		/* `midwatch --help` alone: every command; else the command's */
		if (idx >= argc)
			cli_usage(stdout);
		else
			cli_cmd_help(cmd, stdout);
		rc = MW_EXIT_OK;
	} else {
		if (ctx.opts.verbose)
			log_set_level(LOG_LVL_DEBUG);
		/* The configuration file, for every command alike: a missing
		 * --config FILE is an error, its project follows the slug rule
		 * (a usage error, before any SQL). */
		if (cli_config(&ctx, &cause) != 0)
			rc = cli_fail(cmd->name, cause);
		else if (cli_project_check(ctx.opts.project, &cause) != 0) {
			cli_errorf("%s: %s", cmd->name, cause);
			free(cause);
			rc = MW_EXIT_USAGE;
		} else if (ctx.opts.readonly &&
		    cli_cmd_access(cmd->name) == CLI_ACCESS_WRITES)
			/* refused before it connects (exit 1) */
			rc = cli_refuse_readonly(cmd->name);
		else {
			/* the role it needs in the project (cli_access.c),
			 * checked once connected */
			sub = cmd->subs != NULL && args.argc > 1 ? args.argv[1] :
			    NULL;
			full = sub != NULL ? xasprintf("%s %s", cmd->name, sub) :
			    xstrdup(cmd->name);
			ctx.cmd = full;
			ctx.need = cli_cmd_role(cmd->name, sub);
			rc = cmd->run(&ctx, &args);
		}
	}
	free(full);
	cli_disconnect(&ctx);
	cli_config_free(&ctx);
	cli_args_free(&args);
	return rc;
}
