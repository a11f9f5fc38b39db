/*
 * cli_access.c - what --readonly means for each subcommand: the table of
 * commands that only read, that write (refused up front with --readonly)
 * and that decide per form (channels list reads, channels add writes), the
 * one refusal message, and the rule of a project slug (checked before any
 * SQL).  `--readonly` counts anywhere on the command line: it is a global
 * option (cli_args.c).
 *
 * A command missing from the table counts as writing: a new command is
 * refused under --readonly until it is declared here (tests/unit/test_cli.c
 * checks that every entry of cli_cmds is).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

static const struct {
	const char *name;
	enum cli_access access;
} cli_access_table[] = {
	{ "console", CLI_ACCESS_READS },	/* acts only without --readonly */
	{ "demo", CLI_ACCESS_WRITES },
	{ "ingest", CLI_ACCESS_WRITES },
	{ "run", CLI_ACCESS_WRITES },
	{ "status", CLI_ACCESS_READS },
	{ "incidents", CLI_ACCESS_READS },
	{ "report", CLI_ACCESS_READS },
	{ "alerts", CLI_ACCESS_READS },
	{ "investigate", CLI_ACCESS_WRITES },	/* opens an incident */
	{ "policy", CLI_ACCESS_READS },		/* no database at all */
	{ "ack", CLI_ACCESS_WRITES },
	{ "resolve", CLI_ACCESS_WRITES },
	{ "silence", CLI_ACCESS_WRITES },
	{ "unsilence", CLI_ACCESS_WRITES },
	{ "confirm", CLI_ACCESS_WRITES },
	{ "reject", CLI_ACCESS_WRITES },
	{ "dismiss", CLI_ACCESS_WRITES },
	{ "done", CLI_ACCESS_WRITES },
	{ "note", CLI_ACCESS_WRITES },
	{ "migrate", CLI_ACCESS_SUBCMD },	/* --status reads */
	{ "cluster", CLI_ACCESS_SUBCMD },	/* status reads */
	{ "channels", CLI_ACCESS_SUBCMD },	/* list reads */
	{ "notify", CLI_ACCESS_WRITES },
	{ "project", CLI_ACCESS_SUBCMD },	/* list reads */
	{ "sources", CLI_ACCESS_SUBCMD },	/* list, show and test read */
	{ "rules", CLI_ACCESS_SUBCMD },		/* list, show and test read */
	{ "stats", CLI_ACCESS_SUBCMD },		/* recompute writes */
	{ "psql", CLI_ACCESS_READS },		/* a read-only session */
};

/* The table's entry for name, or -1. */
static int
cli_access_find(const char *name)
{
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(cli_access_table); i++)
		if (strcmp(cli_access_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The access of a subcommand; undeclared ones write. */
enum cli_access
cli_cmd_access(const char *name)
{
	int i = cli_access_find(name);

	return i < 0 ? CLI_ACCESS_WRITES : cli_access_table[i].access;
}

/* 1 if the table declares name. */
int
cli_cmd_access_declared(const char *name)
{
	return cli_access_find(name) >= 0;
}

/* The one refusal of a writing command under --readonly. */
int
cli_refuse_readonly(const char *cmd)
{
	char *c = sanitize_text(cmd, 0);

	fprintf(stderr, "midwatch: %s: refused: --readonly (it writes)\n", c);
	free(c);
	return MW_EXIT_ERROR;
}

/* The CHECK of midwatch.projects.slug ('^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
 * with a length limit, in C so no SQL sees a bad slug. */
int
cli_project_check(const char *slug, char **cause)
{
	size_t i, n = slug != NULL ? strlen(slug) : 0;
	char *c;
	int ok = n >= 1 && n <= CLI_SLUG_MAX;

	for (i = 0; ok && i < n; i++) {
		unsigned char ch = (unsigned char)slug[i];

		ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
	}
	if (ok)
		return 0;
	if (n == 0) {
		*cause = xstrdup("--project must not be empty (" CLI_SLUG_RULE ")");
		return -1;
	}
	c = cli_clip(slug, 80);
	*cause = xasprintf("bad project slug '%s': %s", c, CLI_SLUG_RULE);
	free(c);
	return -1;
}
