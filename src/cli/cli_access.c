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
 *
 * The same table says which role a command needs (sql/020_roles.sql): the
 * reading ones viewer, the feedback commands operator, the other writing
 * ones admin, applying migrations the schema's owner; cli_sub_roles names
 * the reading forms of the commands that decide per form.  cli_connect
 * refuses a command the user's role does not allow (cli_common.c).
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
	enum cli_role role;	/* the role it needs (0: from access) */
} cli_access_table[] = {
	{ "console", CLI_ACCESS_READS, 0 },	/* acts only without --readonly */
	{ "demo", CLI_ACCESS_WRITES, 0 },
	{ "ingest", CLI_ACCESS_WRITES, 0 },
	{ "run", CLI_ACCESS_WRITES, 0 },
	{ "status", CLI_ACCESS_READS, 0 },
	{ "incidents", CLI_ACCESS_READS, 0 },
	{ "report", CLI_ACCESS_READS, 0 },
	{ "alerts", CLI_ACCESS_READS, 0 },
	{ "investigate", CLI_ACCESS_WRITES, 0 },	/* opens an incident */
	{ "policy", CLI_ACCESS_READS, 0 },		/* no database at all */
	{ "ack", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "resolve", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "silence", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "unsilence", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "confirm", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "reject", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "dismiss", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "done", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "note", CLI_ACCESS_WRITES, CLI_ROLE_OPERATOR },
	{ "act", CLI_ACCESS_SUBCMD, CLI_ROLE_OPERATOR },	/* --list reads */
	{ "migrate", CLI_ACCESS_SUBCMD, CLI_ROLE_OWNER },	/* --status reads */
	{ "cluster", CLI_ACCESS_SUBCMD, 0 },	/* status reads */
	{ "channels", CLI_ACCESS_SUBCMD, 0 },	/* list reads */
	{ "notify", CLI_ACCESS_WRITES, 0 },
	{ "project", CLI_ACCESS_SUBCMD, 0 },	/* list reads */
	{ "sources", CLI_ACCESS_SUBCMD, 0 },	/* list, show and test read */
	{ "rules", CLI_ACCESS_SUBCMD, 0 },		/* list, show and test read */
	{ "stats", CLI_ACCESS_READS, 0 },	/* stats recompute refuses
						 * --readonly itself */
	{ "psql", CLI_ACCESS_READS, 0 },	/* refuses --readonly itself
						 * (exit 2: psql can write) */
	{ "grant", CLI_ACCESS_WRITES, 0 },
	{ "revoke", CLI_ACCESS_WRITES, 0 },
	{ "grants", CLI_ACCESS_READS, CLI_ROLE_ADMIN },	/* who may: admins */
	{ "purge", CLI_ACCESS_WRITES, 0 },		/* --dry-run too: one command */
	{ "erase", CLI_ACCESS_WRITES, CLI_ROLE_OWNER },	/* every project */
	{ "export", CLI_ACCESS_READS, CLI_ROLE_OWNER },	/* every project; audited unless --readonly */
};

/* The forms of CLI_ACCESS_SUBCMD commands a viewer may use (the others
 * need the command's role, admin unless the table says otherwise). */
static const struct {
	const char *name, *sub;
} cli_sub_reads[] = {
	{ "channels", "list" },
	{ "project", "list" }, { "project", "show" },
	{ "sources", "list" }, { "sources", "show" }, { "sources", "test" },
	{ "rules", "list" }, { "rules", "show" }, { "rules", "test" },
	{ "cluster", "status" },
};

/* What each role allows, for status and refusals. */
static const char *const cli_role_names[] = {
	[CLI_ROLE_NONE] = "none", [CLI_ROLE_VIEWER] = "viewer",
	[CLI_ROLE_OPERATOR] = "operator", [CLI_ROLE_ADMIN] = "admin",
	[CLI_ROLE_OWNER] = "owner",
};
static const char *const cli_role_allowed[] = {
	[CLI_ROLE_NONE] = "nothing in this project",
	[CLI_ROLE_VIEWER] = "read only: lists, reports, status",
	[CLI_ROLE_OPERATOR] = "read, and act on alerts, hypotheses, "
	    "recommendations and incidents",
	[CLI_ROLE_ADMIN] = "everything in the project: feedback, runs, ingest, "
	    "rules, sources, channels, grants",
	[CLI_ROLE_OWNER] = "everything, migrations included",
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

/* The role command name (its form sub, or NULL) needs. */
enum cli_role
cli_cmd_role(const char *name, const char *sub)
{
	size_t j;
	int i = cli_access_find(name);

	if (i < 0)
		return CLI_ROLE_ADMIN;
	if (cli_access_table[i].access == CLI_ACCESS_SUBCMD && sub != NULL)
		for (j = 0; j < MW_ARRAY_LEN(cli_sub_reads); j++)
			if (strcmp(cli_sub_reads[j].name, name) == 0 &&
			    strcmp(cli_sub_reads[j].sub, sub) == 0)
				return CLI_ROLE_VIEWER;
	if (cli_access_table[i].role != 0)
		return cli_access_table[i].role;
	return cli_access_table[i].access == CLI_ACCESS_READS ?
	    CLI_ROLE_VIEWER : CLI_ROLE_ADMIN;
}

/* A role's name. */
const char *
cli_role_name(enum cli_role r)
{
	return r <= CLI_ROLE_OWNER ? cli_role_names[r] : "none";
}

/* What a role allows. */
const char *
cli_role_allows(enum cli_role r)
{
	return r <= CLI_ROLE_OWNER ? cli_role_allowed[r] : "nothing";
}

/* The role named s, or -1. */
int
cli_role_parse(const char *s)
{
	int r;

	for (r = CLI_ROLE_NONE; r <= CLI_ROLE_OWNER; r++)
		if (s != NULL && strcmp(s, cli_role_names[r]) == 0)
			return r;
	return -1;
}

/* The refusal of a command the role does not allow (see cli.h). */
char *
cli_role_refusal(const struct cli_ctx *ctx)
{
	const char *who = ctx->role == CLI_ROLE_NONE ? "you have no role" :
	    "your role";

	if (ctx->role == CLI_ROLE_NONE)
		return xasprintf("refused: %s in project '%s' (ask an admin: "
		    "midwatch grant ROLE LOGIN); %s needs %s", who,
		    ctx->opts.project, ctx->cmd != NULL ? ctx->cmd : "it",
		    cli_role_name(ctx->need));
	return xasprintf("refused: %s in project '%s' is %s (%s); %s needs %s",
	    who, ctx->opts.project, cli_role_name(ctx->role),
	    cli_role_allows(ctx->role), ctx->cmd != NULL ? ctx->cmd : "it",
	    cli_role_name(ctx->need));
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
