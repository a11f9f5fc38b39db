/*
 * cli.h - the command line: global options, the command table with each
 * command's option spec, the configuration file read once for every
 * command, and the shared set-up every command uses to reach its database.
 */
#ifndef MIDWATCH_CLI_H
#define MIDWATCH_CLI_H

#include <stdio.h>
#include <jansson.h>
#include "midwatch/midwatch.h"

struct db;

struct conf;

/* Global options: anywhere on the line (before or after the command). */
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

/* What a subcommand gets: options, the configuration file and, once
 * cli_connect ran, a database. */
struct cli_ctx {
	struct cli_opts opts;
	struct conf *conf;	/* the configuration file, parsed once by
				 * cli_config; NULL before */
	struct db *db;
	char *conninfo;		/* resolved conninfo (malloc'd) */
	long long project_id;
	char project_id_str[24];	/* project_id as text, for parameters */
	char *actor;		/* malloc'd actor name */
	int project_mode;	/* enum cli_project_mode: what cli_connect does */
	const char *cmd;	/* the command's name ("rules add"), for
				 * messages; set by main */
	int need;		/* enum cli_role the command needs (main sets it
				 * from cli_access.c's table; a command may
				 * change it before cli_connect) */
	int role;		/* enum cli_role: what the user may do in the
				 * project, found by cli_connect */
	int owner;		/* the user owns the schema (or is superuser) */
};

/* What cli_connect does about --project (cli_common.c). */
enum cli_project_mode {
	CLI_PROJECT_FIND = 0,	/* it must exist: "no project 'X' (known: ...)" */
	CLI_PROJECT_CREATE,	/* ingest, demo: created when missing */
	CLI_PROJECT_NONE	/* project create/list: none is looked up */
};

/* ---- the command table (cli_table.c) and its parser (cli_args.c) --------- */

/* One option of a command (long form: --name, --name VALUE, --name=VALUE). */
struct cli_opt {
	const char *name;	/* "json", "max-age" */
	int takes_value;	/* 1: --name VALUE (it may be repeated) */
};

/* A command's words after its name, parsed against its table entry. */
struct cli_args {
	const struct cli_cmd *cmd;
	int argc;		/* argv[0] is the command's name */
	char **argv;		/* then its positional arguments; NULL-terminated */
	struct cli_optval {
		const char *name;	/* the option's name (from the table) */
		const char *value;	/* its value, or NULL for a flag */
	} *opts;		/* the command's own options, in order */
	size_t n_opts;
};

/* How the words after a command's name are read (struct cli_cmd.flags). */
#define CLI_CMD_PASS	0x01	/* all go to the command as they are (psql);
				 * only --readonly is taken, and a first
				 * --help is ours */

/*
 * One command: its name, what it runs, and its whole command-line spec --
 * usage, one line of help, its own options, how many positional arguments
 * it takes, its subcommands -- so parsing, --help and the usage errors of
 * every command come from one place (as tmux's cmd_entry).  The global
 * options (--db, --project, --as, --config, --readonly, -v, --help,
 * --version) are accepted anywhere by every command.
 */
struct cli_cmd {
	const char *name;
	int (*run)(struct cli_ctx *ctx, const struct cli_args *args);
	const char *usage;	/* after "midwatch ": "report INCIDENT_ID" */
	const char *help;	/* one line */
	const struct cli_opt *opts;	/* its own options ({ NULL } ends), or NULL */
	int min_args, max_args;	/* positional arguments (max -1: no limit) */
	const char *args;	/* what they are, for "missing INCIDENT_ID" */
	const char *subs;	/* "start stop status": argv[1] names one, or NULL */
	int text_at;		/* > 0: from this positional argument on, a word
				 * that is not an option is text (note) */
	int flags;		/* CLI_CMD_* */
	const char *exits;	/* exit statuses beyond 0 ok, 1 error, 2 usage */
	const char *more;	/* more --help text, or NULL */
	void (*more_help)(FILE *);	/* generated --help text, or NULL */
};

/* The table, NULL-terminated (cli_table.c). */
extern const struct cli_cmd cli_cmds[];
/* Finds a command by name, or NULL. */
const struct cli_cmd *cli_find(const char *name);
/* Prints the usage summary (every command). */
void cli_usage(FILE *f);
/* Prints a command's --help: usage, what it does, its options, the global
 * options and its exit statuses. */
void cli_cmd_help(const struct cli_cmd *c, FILE *f);
/* Prints "midwatch: CMD: MESSAGE" (sanitised), then the command's usage
 * and where its help is, to stderr; returns MW_EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
    MW_PRINTF(2, 3);

/*
 * Parses the global options before the command (argv[1..]), stopping at
 * the first word that is not an option.  Returns its index (argc when
 * there is none) or -1 with *cause on a usage error.  opts is reset to
 * the defaults first.
 */
int cli_parse_global(int argc, char **argv, struct cli_opts *opts, char **cause);
/*
 * Parses a command's words (argv[0] is its name) against its table entry:
 * its own options and the global ones (into opts) in any order, "--"
 * ending them, then the number of positional arguments and the
 * subcommand.  0, or -1 with *cause saying what was wrong.  With --help
 * nothing is checked.  Free a with cli_args_free.
 */
int cli_args_parse(const struct cli_cmd *c, int argc, char **argv,
    struct cli_opts *opts, struct cli_args *a, char **cause);
void cli_args_free(struct cli_args *a);
/* 1 if option name was given. */
int cli_args_has(const struct cli_args *a, const char *name);
/* The value of option name (the last one given), or NULL. */
const char *cli_args_get(const struct cli_args *a, const char *name);
/* The values of a repeated option in order: *i starts at 0; NULL at the end. */
const char *cli_args_next(const struct cli_args *a, const char *name,
    size_t *i);
/*
 * Reads the configuration file once for every command -- --config FILE
 * (which must exist), else the default one when there is one -- into
 * ctx->conf, and lets it fill what the command line left open: db,
 * project, as (after $MIDWATCH_ACTOR) and readonly.  0, or -1 with
 * *cause.
 */
int cli_config(struct cli_ctx *ctx, char **cause);
/* Frees ctx->conf. */
void cli_config_free(struct cli_ctx *ctx);

/* Resolves the database (starting the embedded cluster when none is named),
 * connects, applies pending migrations and looks up the project (creating
 * it only in CLI_PROJECT_CREATE mode).  With --readonly it never migrates
 * (pending migrations are an error), never creates a project, never
 * creates the embedded cluster, and the session is read-only.  0 ok, -1
 * with *cause. */
int cli_connect(struct cli_ctx *ctx, char **cause);
/* Decides which database ctx uses (--db, the configuration's db, the libpq
 * environment, else the embedded cluster, created and started when needed
 * but never created with --readonly) into ctx->conninfo; 0 or -1. */
int cli_resolve(struct cli_ctx *ctx, char **cause);
/* The first half of cli_connect: resolves the database and connects
 * (read-only with --readonly), without migrating or finding a project. */
int cli_open(struct cli_ctx *ctx, char **cause);
/* Sets ctx->owner: the user owns the schema (a member of its owner, or a
 * superuser; anyone when there is no schema yet).  0 or -1. */
int cli_owner(struct cli_ctx *ctx, char **cause);
/* Warns on stderr when the group roles midwatch_viewer, _operator and
 * _admin do not exist (the migrating user could not create them). */
void cli_roles_warn(struct cli_ctx *ctx);
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
int cmd_console(struct cli_ctx *, const struct cli_args *);
int cmd_demo(struct cli_ctx *, const struct cli_args *);
int cmd_ingest(struct cli_ctx *, const struct cli_args *);
int cmd_run(struct cli_ctx *, const struct cli_args *);
int cmd_status(struct cli_ctx *, const struct cli_args *);
int cmd_incidents(struct cli_ctx *, const struct cli_args *);
int cmd_alerts(struct cli_ctx *, const struct cli_args *);
int cmd_report(struct cli_ctx *, const struct cli_args *);
int cmd_feedback(struct cli_ctx *, const struct cli_args *);
int cmd_note(struct cli_ctx *, const struct cli_args *);
int cmd_migrate(struct cli_ctx *, const struct cli_args *);
int cmd_cluster(struct cli_ctx *, const struct cli_args *);
int cmd_investigate(struct cli_ctx *, const struct cli_args *);
int cmd_policy(struct cli_ctx *, const struct cli_args *);
int cmd_channels(struct cli_ctx *, const struct cli_args *);
int cmd_notify(struct cli_ctx *, const struct cli_args *);
int cmd_sources(struct cli_ctx *, const struct cli_args *);
int cmd_rules(struct cli_ctx *, const struct cli_args *);
int cmd_stats(struct cli_ctx *, const struct cli_args *);
int cmd_psql(struct cli_ctx *, const struct cli_args *);
int cmd_purge(struct cli_ctx *, const struct cli_args *);
int cmd_erase(struct cli_ctx *, const struct cli_args *);
int cmd_export(struct cli_ctx *, const struct cli_args *);
int cmd_act(struct cli_ctx *, const struct cli_args *);
/* Checks a --key value: 1 to FEEDBACK_KEY_MAX bytes, no control
 * characters; 0, or -1 after printing why (a usage error;
 * cli_feedback.c). */
int cli_feedback_key_check(const char *cmd, const char *key);
/* Opens the console on ctx (connected already, or connecting now): what
 * `midwatch console` and `midwatch demo` end with (cli_console.c). */
int cli_console_open(struct cli_ctx *ctx);

/* Pulls the project's due sources (cli_sources.c), printing a summary line
 * when there are any: 0 ok, 1 a source failed (recorded), -1 database. */
int cli_sources_pull(struct cli_ctx *ctx);
/* Brings the project's channels in line with the configuration file's
 * `channel` lines (cli_channels.c; not with --readonly): the number of
 * bad lines (each named and skipped), or -1 on a database error.  Both
 * are printed. */
int cli_channels_sync(struct cli_ctx *ctx);
/* Creates and expires the Alertmanager silences that are due, printing a
 * line when any was (cli_sources.c); cmd names the caller in errors.
 * 0, or 1 when one failed (it is retried later). */
int cli_silences_push(struct cli_ctx *ctx, const char *cmd);

/* The --help text of channels and sources beyond the usage: what they do
 * and every --set KEY (cli_channels.c, cli_sources.c). */
void cli_channels_help(FILE *f);
void cli_sources_help(FILE *f);
void cli_rules_help(FILE *f);

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
/* Prints "midwatch: CMD: refused: --readonly (it writes)" and returns 1. */
int cli_refuse_readonly(const char *cmd);
/* The rule a project slug follows, for messages. */
#define CLI_SLUG_MAX 63
#define CLI_SLUG_RULE "a project slug is 1 to 63 characters: a letter or " \
	"digit, then letters, digits, '_', '.' or '-'"
/* 0 if slug follows the rule of midwatch.projects.slug, else -1 with
 * *cause naming the slug (sanitised) and the rule. */
int cli_project_check(const char *slug, char **cause);
int cmd_project(struct cli_ctx *, const struct cli_args *);
/* project set|unset|show: a project's policy overrides
 * (cli_project_settings.c); returns an exit status. */
int cli_project_settings(struct cli_ctx *, const struct cli_args *);

/* ---- roles (cli_access.c, cli_grant.c; sql/020_roles.sql) ----------------- */

/* What a PostgreSQL user may do in a project, weakest first. */
enum cli_role {
	CLI_ROLE_NONE = 0,	/* no grant: the project is invisible */
	CLI_ROLE_VIEWER,	/* midwatch_viewer: reads (as --readonly) */
	CLI_ROLE_OPERATOR,	/* midwatch_operator: reads and feedback */
	CLI_ROLE_ADMIN,		/* midwatch_admin: runs, ingest, rules, sources,
				 * channels, grants */
	CLI_ROLE_OWNER		/* owns the schema (or superuser): everything,
				 * migrations included; RLS does not apply */
};
/* The role a command (and subcommand, or NULL) needs. */
enum cli_role cli_cmd_role(const char *name, const char *sub);
/* "viewer", "operator", ...; and what the role allows, one phrase. */
const char *cli_role_name(enum cli_role r);
const char *cli_role_allows(enum cli_role r);
/* The role named s ("viewer"...), or -1. */
int cli_role_parse(const char *s);
/* The refusal of a command the user's role does not allow: "refused: your
 * role in project 'p' is viewer (read only: ...); CMD needs operator"
 * (malloc'd, for *cause). */
char *cli_role_refusal(const struct cli_ctx *ctx);
int cmd_grant(struct cli_ctx *, const struct cli_args *);
int cmd_revoke(struct cli_ctx *, const struct cli_args *);
int cmd_grants(struct cli_ctx *, const struct cli_args *);

#endif
