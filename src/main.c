/*
 * main.c - the entry point: global options, then the subcommand.  With no
 * subcommand midwatch opens the console when stdout is a terminal and prints
 * the usage otherwise.  Exit codes: 0 ok, 1 runtime error, 2 usage.
 * Everything written to stderr is sanitised (sanitize_stderr).
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

/* Parses the command line and runs one subcommand. */
int
main(int argc, char **argv)
{
	struct cli_ctx ctx;
	const struct cli_cmd *cmd;
	char *cause = NULL;
	int idx, rc;

	setlocale(LC_ALL, "");
	/* Messages quote input (argv, --db, server messages): no escape
	 * sequence or invisible character in one reaches the terminal. */
	sanitize_stderr();
	memset(&ctx, 0, sizeof ctx);
	idx = cli_parse_global(argc, argv, &ctx.opts, &cause);
	if (idx < 0) {
		fprintf(stderr, "midwatch: %s\n", cause);
		free(cause);
		cli_usage(stderr);
		return MW_EXIT_USAGE;
	}
	if (ctx.opts.version) {
		printf("midwatch %s\n", PACKAGE_VERSION);
		return MW_EXIT_OK;
	}
	if (ctx.opts.help) {
		cli_usage(stdout);
		return MW_EXIT_OK;
	}
	if (ctx.opts.verbose)
		log_set_level(LOG_LVL_DEBUG);
	if (idx >= argc) {
		if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
			fprintf(stderr, "midwatch: not a terminal: name a command\n");
			cli_usage(stderr);
			return MW_EXIT_USAGE;
		}
		cmd = cli_find("console");
		rc = cmd->run(&ctx, 0, argv + argc);
	} else {
		cmd = cli_find(argv[idx]);
		if (cmd == NULL) {
			fprintf(stderr, "midwatch: unknown command: %s\n", argv[idx]);
			cli_usage(stderr);
			return MW_EXIT_USAGE;
		}
		/* --readonly counts anywhere on the line, and a command that
		 * writes is refused before it parses or connects (exit 1). */
		argc = idx + cli_take_readonly(argc - idx, argv + idx, &ctx.opts);
		if (ctx.opts.readonly &&
		    cli_cmd_access(cmd->name) == CLI_ACCESS_WRITES)
			return cli_refuse_readonly(cmd->name);
		rc = cmd->run(&ctx, argc - idx, argv + idx);
	}
	cli_disconnect(&ctx);
	return rc;
}
