/*
 * cli.h - the command line: global options, the subcommand table, and the
 * shared set-up every subcommand uses to reach its database.
 */
#ifndef MIDWATCH_CLI_H
#define MIDWATCH_CLI_H

#include <stdio.h>
#include <jansson.h>
#include "midwatch/midwatch.h"

struct db;

/* Global options, given before the subcommand (and accepted after it). */
struct cli_opts {
	const char *db;		/* --db CONNINFO, or NULL */
	const char *project;	/* --project SLUG (default "default") */
	int project_given;	/* --project was on the command line */
	const char *actor;	/* --as NAME (default: the login name) */
	const char *config;	/* --config FILE */
	int readonly;		/* --readonly */
	int help;		/* -h/--help */
	int version;		/* -V/--version */
	int verbose;		/* -v/--verbose */
};

/* What a subcommand gets: options and, once cli_connect ran, a database. */
struct cli_ctx {
	struct cli_opts opts;
	struct db *db;
	char *conninfo;		/* resolved conninfo (malloc'd) */
	long long project_id;
	char project_id_str[24];	/* project_id as text, for parameters */
	char *actor;		/* malloc'd actor name */
	int project_mode;	/* enum cli_project_mode: what cli_connect does */
};

/* What cli_connect does about --project (cli_common.c). */
enum cli_project_mode {
	CLI_PROJECT_FIND = 0,	/* it must exist: "no project 'X' (known: ...)" */
	CLI_PROJECT_CREATE,	/* ingest, demo: created when missing */
	CLI_PROJECT_NONE	/* project create/list: none is looked up */
};

struct cli_cmd {
	const char *name;
	int (*run)(struct cli_ctx *ctx, int argc, char **argv);
	const char *usage;	/* "ingest FILE... | -" */
	const char *help;	/* one line */
};

/*
 * Parses global options from argv (stopping at the first non-option, the
 * subcommand).  Returns the index of the subcommand in argv (argc when there
 * is none) or -1 with *cause set on a usage error.
 */
int cli_parse_global(int argc, char **argv, struct cli_opts *opts, char **cause);
/* Like cli_parse_global, but adds to opts without resetting it (for the
 * global options a subcommand accepts after its name). */
int cli_parse_more(int argc, char **argv, struct cli_opts *opts, char **cause);
/* Finds a subcommand by name, or NULL. */
const struct cli_cmd *cli_find(const char *name);
/* The table, NULL-terminated. */
extern const struct cli_cmd cli_cmds[];
/* Prints the usage summary. */
void cli_usage(FILE *f);

/* Resolves the database (starting the embedded cluster when none is named),
 * connects, applies pending migrations and looks up the project (creating
 * it only in CLI_PROJECT_CREATE mode).  With --readonly it never migrates
 * (pending migrations are an error), never creates a project, never
 * creates the embedded cluster, and the session is read-only.  0 ok, -1
 * with *cause. */
int cli_connect(struct cli_ctx *ctx, char **cause);
/* The first half of cli_connect: resolves the database and connects
 * (read-only with --readonly), without migrating or finding a project. */
int cli_open(struct cli_ctx *ctx, char **cause);
/* Closes what cli_connect opened. */
void cli_disconnect(struct cli_ctx *ctx);
/* A malloc'd single-line, sanitised copy of s cut to at most width
 * characters (UTF-8 aware; "..." marks a cut), or "-" for NULL/empty. */
char *cli_clip(const char *s, size_t width);
/* Prints "midwatch: CMD: cause" (cause sanitised: it may quote input or a
 * server message) to stderr and frees cause; returns 1. */
int cli_fail(const char *cmd, char *cause);
/* Prints "midwatch: " and the formatted message, sanitised, and a newline
 * to stderr (for messages that quote input). */
void cli_errorf(const char *fmt, ...) MW_PRINTF(1, 2);
/* Parses a positive decimal id; 0 ok. */
int cli_parse_id(const char *s, long long *out);
/* Prints a run's skipped units (pipeline_runs.summary.skipped, an array of
 * {stage, unit, id, reason}) one a line after indent, sanitised. */
void cli_print_skipped(const char *indent, json_t *skipped);

/* Prints the incidents of s as the table of `midwatch incidents` (top
 * hypotheses under each), whatever their status (cli_incidents.c). */
struct mw_snapshot;
void cli_incidents_print(const struct mw_snapshot *s);

/* Subcommands (each in its own cli_*.c). */
int cmd_console(struct cli_ctx *, int, char **);
int cmd_demo(struct cli_ctx *, int, char **);
int cmd_ingest(struct cli_ctx *, int, char **);
int cmd_run(struct cli_ctx *, int, char **);
int cmd_status(struct cli_ctx *, int, char **);
int cmd_incidents(struct cli_ctx *, int, char **);
int cmd_alerts(struct cli_ctx *, int, char **);
int cmd_report(struct cli_ctx *, int, char **);
int cmd_feedback(struct cli_ctx *, int, char **);
int cmd_note(struct cli_ctx *, int, char **);
int cmd_migrate(struct cli_ctx *, int, char **);
int cmd_cluster(struct cli_ctx *, int, char **);
int cmd_investigate(struct cli_ctx *, int, char **);
int cmd_policy(struct cli_ctx *, int, char **);
int cmd_channels(struct cli_ctx *, int, char **);
int cmd_notify(struct cli_ctx *, int, char **);
int cmd_sources(struct cli_ctx *, int, char **);
int cmd_rules(struct cli_ctx *, int, char **);

/* Pulls the project's due sources (cli_sources.c), printing a summary line
 * when there are any: 0 ok, 1 a source failed (recorded), -1 database. */
int cli_sources_pull(struct cli_ctx *ctx);
/* Creates and expires the Alertmanager silences that are due, printing a
 * line when any was (cli_sources.c); cmd names the caller in errors.
 * 0, or 1 when one failed (it is retried later). */
int cli_silences_push(struct cli_ctx *ctx, const char *cmd);

/* Prints what a notification delivery did, one line (cli_channels.c). */
struct notify_counts;
void cli_notify_print(const struct notify_counts *c);

/* ---- read-only and projects (cli_access.c, cli_project.c) ---------------- */

/* What a subcommand does to the database, for --readonly. */
enum cli_access {
	CLI_ACCESS_WRITES = 0,	/* refused up front with --readonly (also the
				 * answer for a command nobody declared) */
	CLI_ACCESS_READS,	/* runs with --readonly */
	CLI_ACCESS_SUBCMD	/* the command refuses its writing forms itself */
};
/* The access of subcommand name (CLI_ACCESS_WRITES when undeclared). */
enum cli_access cli_cmd_access(const char *name);
/* 1 if name's access is declared in cli_access.c's table. */
int cli_cmd_access_declared(const char *name);
/* Removes every "--readonly" from argv[1..argc) (up to a "--"), setting
 * opts->readonly; returns the new argc (argv stays NULL-terminated). */
int cli_take_readonly(int argc, char **argv, struct cli_opts *opts);
/* Prints "midwatch: CMD: refused: --readonly (it writes)" and returns 1. */
int cli_refuse_readonly(const char *cmd);
/* The rule a project slug follows, for messages. */
#define CLI_SLUG_MAX 63
#define CLI_SLUG_RULE "a project slug is 1 to 63 characters: a letter or " \
	"digit, then letters, digits, '_', '.' or '-'"
/* 0 if slug follows the rule of midwatch.projects.slug, else -1 with
 * *cause naming the slug (sanitised) and the rule. */
int cli_project_check(const char *slug, char **cause);
int cmd_project(struct cli_ctx *, int, char **);

#endif
