/*
 * cli_table.c - the command table: for every command its usage, one line
 * of help, its own options, how many positional arguments it takes, its
 * subcommands and its exit statuses, in one place (as tmux's cmd_entry).
 * The parser (cli_args.c), `midwatch --help`, every `midwatch CMD --help`
 * and every usage error are generated from it, so they cannot drift;
 * doc/interfaces.md describes the same commands.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/xmalloc.h"

/* Option lists shared by several commands. */
static const struct cli_opt cli_opts_none[] = { { NULL, 0 } };
/* --key K: one operator intent, recorded once however often it is retried. */
static const struct cli_opt cli_opts_key[] = { { "key", 1 }, { NULL, 0 } };

/* What every feedback command says about its exit status. */
#define CLI_FEEDBACK_EXITS "1 also when the target does not exist or the " \
	"action is refused for its state (doc/feedback.md)"

const struct cli_cmd cli_cmds[] = {
	{ .name = "console", .run = cmd_console, .usage = "[console]",
	    .help = "open the console (default on a terminal)",
	    .opts = cli_opts_none, .max_args = 0,
	    .more = "Keys: press ? in the console; doc/console.md describes "
	    "them." },
	{ .name = "demo", .run = cmd_demo,
	    .usage = "demo [--no-tui] [--seed N] [--emit FILE] [--truth FILE]",
	    .help = "load the bundled demo scenario, run the pipeline, open the "
	    "console",
	    .opts = (const struct cli_opt[]){ { "no-tui", 0 }, { "seed", 1 },
	    { "emit", 1 }, { "truth", 1 }, { NULL, 0 } }, .max_args = 0 },
	{ .name = "ingest", .run = cmd_ingest,
	    .usage = "ingest FILE... | - | --git REPO [--repo-name NAME] "
	    "[--since REV|DATE]",
	    .help = "ingest JSON Lines files (or stdin), or a git repository",
	    .opts = (const struct cli_opt[]){ { "git", 1 }, { "repo-name", 1 },
	    { "since", 1 }, { NULL, 0 } }, .max_args = -1,
	    .exits = "1 when nothing could be ingested (every line rejected, no "
	    "input readable) or the database failed; rejected lines alone are "
	    "not an error",
	    .more = "The format: doc/interfaces.md (doc/ingest.md has every "
	    "kind)." },
	{ .name = "run", .run = cmd_run, .usage = "run [--at TS] [--since TS]",
	    .help = "one pipeline run; exits non-zero if it failed or skipped "
	    "anything",
	    .opts = (const struct cli_opt[]){ { "at", 1 }, { "since", 1 },
	    { NULL, 0 } }, .max_args = 0,
	    .exits = "0 also when there was nothing new since the last run; 1 "
	    "when the run failed, skipped units (degraded), a pulled source "
	    "failed or the pipeline is locked" },
	{ .name = "status", .run = cmd_status,
	    .usage = "status [--json] [--max-age DURATION]",
	    .help = "the pipeline's health, as a monitoring check",
	    .opts = (const struct cli_opt[]){ { "json", 0 }, { "max-age", 1 },
	    { NULL, 0 } }, .max_args = 0,
	    .exits = "0 healthy, 1 degraded, 2 failing, 3 unknown (no database, "
	    "no project); a usage error is 2 too" },
	{ .name = "incidents", .run = cmd_incidents,
	    .usage = "incidents [--json] [--all]",
	    .help = "incidents with hypotheses, evidence, recommendations, alerts",
	    .opts = (const struct cli_opt[]){ { "json", 0 }, { "all", 0 },
	    { NULL, 0 } }, .max_args = 0,
	    .more = "--json prints the contract of doc/interfaces.md." },
	{ .name = "report", .run = cmd_report, .usage = "report INCIDENT_ID",
	    .help = "the incident report, markdown", .opts = cli_opts_none,
	    .min_args = 1, .max_args = 1, .args = "INCIDENT_ID" },
	{ .name = "alerts", .run = cmd_alerts, .usage = "alerts [--all] [--json]",
	    .help = "alerts (critical first, then newest) with id, severity, "
	    "status, source, labels, silence",
	    .opts = (const struct cli_opt[]){ { "all", 0 }, { "json", 0 },
	    { NULL, 0 } }, .max_args = 0 },
	{ .name = "investigate", .run = cmd_investigate,
	    .usage = "investigate --at TS [--service S] [--window D] [--json]",
	    .help = "an incident anchored at a moment, with ranked root causes",
	    .opts = (const struct cli_opt[]){ { "at", 1 }, { "service", 1 },
	    { "window", 1 }, { "json", 0 }, { NULL, 0 } }, .max_args = 0,
	    .exits = "1 also when the investigation was refused (an unknown "
	    "service, a moment outside the data), skipped units or found the "
	    "pipeline locked" },
	{ .name = "policy", .run = cmd_policy, .usage = "policy [--json | --markdown]",
	    .help = "the pipeline's thresholds, weights and windows, each named "
	    "once",
	    .opts = (const struct cli_opt[]){ { "json", 0 }, { "markdown", 0 },
	    { NULL, 0 } }, .max_args = 0 },
	{ .name = "ack", .run = cmd_feedback, .usage = "ack ALERT_ID [--key K]",
	    .help = "acknowledge an alert (a silence ends)", .opts = cli_opts_key,
	    .min_args = 1, .max_args = 1, .args = "ALERT_ID",
	    .exits = CLI_FEEDBACK_EXITS },
	{ .name = "resolve", .run = cmd_feedback, .usage = "resolve ALERT_ID [--key K]",
	    .help = "resolve an alert", .opts = cli_opts_key,
	    .min_args = 1, .max_args = 1, .args = "ALERT_ID",
	    .exits = CLI_FEEDBACK_EXITS },
	{ .name = "silence", .run = cmd_feedback,
	    .usage = "silence ALERT_ID [--for DURATION] [--key K]",
	    .help = "silence an alert (default 1h, at most 30d; 30m, 2h, 1h30m, "
	    "1d)",
	    .opts = (const struct cli_opt[]){ { "for", 1 }, { "key", 1 }, { NULL, 0 } },
	    .min_args = 1, .max_args = 1, .args = "ALERT_ID",
	    .exits = CLI_FEEDBACK_EXITS },
	{ .name = "unsilence", .run = cmd_feedback, .usage = "unsilence ALERT_ID [--key K]",
	    .help = "end an alert's silence (undoes silence)",
	    .opts = cli_opts_key, .min_args = 1, .max_args = 1,
	    .args = "ALERT_ID", .exits = CLI_FEEDBACK_EXITS },
	{ .name = "confirm", .run = cmd_feedback,
	    .usage = "confirm HYPOTHESIS_ID [--root-cause] [--key K]",
	    .help = "confirm a hypothesis (and as the incident's root cause)",
	    .opts = (const struct cli_opt[]){ { "root-cause", 0 }, { "key", 1 },
	    { NULL, 0 } },
	    .min_args = 1, .max_args = 1, .args = "HYPOTHESIS_ID",
	    .exits = CLI_FEEDBACK_EXITS },
	{ .name = "reject", .run = cmd_feedback, .usage = "reject HYPOTHESIS_ID [--key K]",
	    .help = "reject a hypothesis (its recommendations are held back)",
	    .opts = cli_opts_key, .min_args = 1, .max_args = 1,
	    .args = "HYPOTHESIS_ID", .exits = CLI_FEEDBACK_EXITS },
	{ .name = "dismiss", .run = cmd_feedback,
	    .usage = "dismiss RECOMMENDATION_ID [--key K]", .help = "dismiss a recommendation",
	    .opts = cli_opts_key, .min_args = 1, .max_args = 1,
	    .args = "RECOMMENDATION_ID", .exits = CLI_FEEDBACK_EXITS },
	{ .name = "done", .run = cmd_feedback, .usage = "done RECOMMENDATION_ID [--key K]",
	    .help = "mark a recommendation done", .opts = cli_opts_key,
	    .min_args = 1, .max_args = 1, .args = "RECOMMENDATION_ID",
	    .exits = CLI_FEEDBACK_EXITS },
	{ .name = "note", .run = cmd_note,
	    .usage = "note [--key K] incident|hypothesis|recommendation|alert|evidence ID "
	    "TEXT...",
	    .help = "add a note to an incident, hypothesis, recommendation, alert "
	    "or evidence item", .opts = cli_opts_key,
	    .min_args = 3, .max_args = -1, .args = "KIND ID TEXT", .text_at = 3,
	    .exits = CLI_FEEDBACK_EXITS,
	    .more = "The words of TEXT are joined by spaces; a word that starts "
	    "with '-' is text\nunless it is a global option (-- ends the "
	    "options)." },
	{ .name = "act", .run = cmd_act,
	    .usage = "act RECOMMENDATION_ID ACTION [--channel NAME] [--text T] "
	    "[--in D | --at TS] | --list",
	    .help = "act on a recommendation: send_message, "
	    "create_or_update_task, set_reminder",
	    .opts = (const struct cli_opt[]){ { "channel", 1 }, { "text", 1 },
	    { "at", 1 }, { "in", 1 }, { "key", 1 }, { "list", 0 },
	    { "incident", 1 }, { "json", 0 }, { NULL, 0 } },
	    .max_args = 2, .args = "RECOMMENDATION_ID ACTION",
	    .exits = "1 also when the recommendation or the channel does not "
	    "exist, the channel does not suit the action, or with --readonly "
	    "(nothing is written); an unknown action or a bad --in/--at is a "
	    "usage error",
	    .more = "send_message --channel NAME [--text TEXT]: a message to a "
	    "slack, webhook or log channel.\ncreate_or_update_task --channel "
	    "NAME [--text TEXT]: the incident's task in the tracker\n(a webhook "
	    "channel): the first request creates it, later ones update it.\n"
	    "set_reminder --in DURATION | --at TS [--text TEXT] [--channel "
	    "NAME]: at that time a\nnotification (default channel: log) and the "
	    "console remind.\nmidwatch notify, midwatch run and the console "
	    "deliver them, retried with the\nchannel's backoff; --list shows "
	    "the runs (doc/integrations.md)." },
	{ .name = "migrate", .run = cmd_migrate,
	    .usage = "migrate [--status | --check-queries]",
	    .help = "apply or list schema migrations; --check-queries prepares "
	    "every statement of sql/queries/ and compares it with its header",
	    .opts = (const struct cli_opt[]){ { "status", 0 },
		{ "check-queries", 0 }, { NULL, 0 } },
	    .max_args = 0 },
	{ .name = "cluster", .run = cmd_cluster, .usage = "cluster start|stop|status",
	    .help = "the embedded private PostgreSQL cluster: start, stop, or say "
	    "whether it runs and how to reach it",
	    .opts = cli_opts_none, .min_args = 1, .max_args = 1,
	    .args = "a subcommand", .subs = "start stop status",
	    .exits = "status: 0 running, 3 not running (or not created yet)" },
	{ .name = "psql", .run = cmd_psql, .usage = "psql [PSQL ARGUMENTS...]",
	    .help = "psql on the database midwatch uses (the arguments go to "
	    "psql)",
	    .opts = cli_opts_none, .max_args = -1, .flags = CLI_CMD_PASS,
	    .exits = "psql's own (midwatch execs it); 1 when psql or the "
	    "database cannot be found; 2 with --readonly",
	    .more = "Global options go before `psql`; every word after it is "
	    "psql's (psql's own\nhelp: midwatch psql -- --help).  Refused "
	    "with --readonly (a psql session\ncan always write): for "
	    "read-only SQL connect as a login role only in\nmidwatch_viewer." },
	{ .name = "channels", .run = cmd_channels,
	    .usage = "channels add|list|test|remove ...",
	    .help = "Slack / PagerDuty / webhook channels and their deliveries",
	    .opts = (const struct cli_opt[]){ { "set", 1 }, { "all-rules", 0 },
	    { "json", 0 }, { NULL, 0 } }, .min_args = 1, .max_args = -1,
	    .args = "a subcommand", .subs = "add list test remove",
	    .more_help = cli_channels_help },
	{ .name = "sources", .run = cmd_sources,
	    .usage = "sources add|list|show|test|remove ...",
	    .help = "Prometheus / Alertmanager sources every run pulls",
	    .opts = (const struct cli_opt[]){ { "set", 1 }, { "json", 0 },
	    { NULL, 0 } }, .min_args = 1, .max_args = -1,
	    .args = "a subcommand", .subs = "add list show test remove",
	    .more_help = cli_sources_help },
	{ .name = "rules", .run = cmd_rules,
	    .usage = "rules list|show|add|edit|enable|disable|test|apply ...",
	    .help = "alert rules: change them, audited; preview one over past "
	    "data",
	    .opts = (const struct cli_opt[]){ { "json", 0 }, { "kind", 1 },
	    { "source", 1 }, { "metric", 1 }, { "op", 1 }, { "value", 1 },
	    { "for", 1 }, { "direction", 1 }, { "window", 1 },
	    { "min-change", 1 }, { "signal-type", 1 }, { "config", 1 },
	    { "severity", 1 }, { "channel", 1 }, { "no-channels", 0 },
	    { "cooldown", 1 }, { "hold-down", 1 }, { "description", 1 },
	    { "disabled", 0 }, { "enabled", 0 }, { "since", 1 },
	    { "until", 1 }, { NULL, 0 } }, .min_args = 1, .max_args = -1,
	    .args = "a subcommand",
	    .subs = "list show add edit enable disable test apply",
	    .exits = "test: 0 also when the rule would fire nothing",
	    .more_help = cli_rules_help },
	{ .name = "stats", .run = cmd_stats,
	    .usage = "stats [--window day|week] [--report SLUG] [--json] | "
	    "recompute [--from TS] [--to TS]",
	    .help = "operational reports by day or week; recompute them",
	    .opts = (const struct cli_opt[]){ { "window", 1 }, { "report", 1 },
	    { "json", 0 }, { "from", 1 }, { "to", 1 }, { NULL, 0 } },
	    .max_args = 1,
	    .exits = "recompute: 1 when the run failed or the pipeline is locked",
	    .more = "The reports: incident volume, alert status counts, noisy "
	    "services and rules,\nresponse times, how often the top hypothesis "
	    "was confirmed.\nrecompute: a recompute run (audited) replacing the "
	    "snapshots of every day and week\nbucket from --from to --to "
	    "(default: all the data); every pipeline run recomputes\nthe "
	    "closed buckets that are due.  --json: doc/interfaces.md." },
	{ .name = "notify", .run = cmd_notify, .usage = "notify [--wait DURATION]",
	    .help = "deliver the notifications that are due, without a pipeline "
	    "run",
	    .opts = (const struct cli_opt[]){ { "wait", 1 }, { NULL, 0 } },
	    .max_args = 0,
	    .exits = "1 also when a message was dead-lettered or a requested "
	    "action failed for good",
	    .more = "Also delivers the actions requested on recommendations "
	    "(midwatch act).\nWith --wait, keeps delivering retries that fall "
	    "due within DURATION." },
	{ .name = "project", .run = cmd_project,
	    .usage = "project create SLUG [--name NAME] | list [--json] | set "
	    "KEY DURATION | unset KEY | show [--json]",
	    .help = "create a project, list them, or set its policy overrides",
	    .opts = (const struct cli_opt[]){ { "name", 1 }, { "json", 0 },
	    { NULL, 0 } }, .min_args = 1, .max_args = 3,
	    .args = "a subcommand", .subs = "create list set unset show",
	    .more = "KEY: incident.quiet_period, incident.reopen_window, "
	    "console.recent_resolved (doc/pipeline.md, Lifecycle)." },
	{ .name = "purge", .run = cmd_purge,
	    .usage = "purge [--dry-run] [--json] | --policies | --keep TABLE=N",
	    .help = "retention by hand: remove (or count) rows past their "
	    "table's policy",
	    .opts = (const struct cli_opt[]){ { "dry-run", 0 }, { "json", 0 },
	    { "policies", 0 }, { "keep", 1 }, { NULL, 0 } }, .max_args = 0,
	    .more = "Prints per table the rows removed (with --dry-run: that "
	    "would be, removing\nnothing).  --policies lists the policies; "
	    "--keep TABLE=DAYS (or =forever)\nchanges one, audited.  The "
	    "pipeline runner does the same once a day\n(doc/reliability.md, "
	    "Retention)." },
	{ .name = "erase", .run = cmd_erase, .usage = "erase --actor NAME",
	    .help = "pseudonymise a person's name everywhere (notes, payloads, "
	    "actors)",
	    .opts = (const struct cli_opt[]){ { "actor", 1 }, { NULL, 0 } },
	    .max_args = 0,
	    .more = "Every occurrence of NAME (any case, also inside longer "
	    "text) becomes one\nfresh pseudonym in every project; events keep "
	    "their id, type, target and\ntime.  Audited under the pseudonym, "
	    "never the name (doc/reliability.md)." },
	{ .name = "export", .run = cmd_export, .usage = "export --actor NAME",
	    .help = "everything held about a person, as JSON on stdout",
	    .opts = (const struct cli_opt[]){ { "actor", 1 }, { NULL, 0 } },
	    .max_args = 0,
	    .more = "The rows of every project that name NAME where erase would "
	    "look; audited\n(except with --readonly)." },
	{ .name = "grant", .run = cmd_grant,
	    .usage = "grant viewer|operator|admin LOGIN [--all-projects]",
	    .help = "let a PostgreSQL role reach the project (or every project) "
	    "in a role",
	    .opts = (const struct cli_opt[]){ { "all-projects", 0 },
	    { NULL, 0 } }, .min_args = 2, .max_args = 2, .args = "ROLE LOGIN",
	    .more = "Admins only; audited (grant.added, grant.changed).  "
	    "viewer reads, operator reads\nand records feedback, admin does "
	    "everything in the project.  LOGIN also\nbecomes a member of "
	    "midwatch_ROLE when you may make it one (README,\n"
	    "Configuration)." },
	{ .name = "revoke", .run = cmd_revoke,
	    .usage = "revoke LOGIN [--all-projects]",
	    .help = "take a PostgreSQL role's grant in the project (or every "
	    "project) back",
	    .opts = (const struct cli_opt[]){ { "all-projects", 0 },
	    { NULL, 0 } }, .min_args = 1, .max_args = 1, .args = "LOGIN",
	    .exits = "1 also when LOGIN has no such grant",
	    .more = "Admins only; audited (grant.revoked)." },
	{ .name = "grants", .run = cmd_grants, .usage = "grants [--json]",
	    .help = "who may reach the project, in which role",
	    .opts = (const struct cli_opt[]){ { "json", 0 }, { NULL, 0 } },
	    .max_args = 0, .more = "Admins only." },
	{ .name = NULL }
};

/* Finds a command. */
const struct cli_cmd *
cli_find(const char *name)
{
	const struct cli_cmd *c;

	for (c = cli_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The global options (and the configuration file's settings when settings
 * is non-zero), as every --help lists them: from the settings table,
 * conf_options. */
static void
cli_global_help(FILE *f, int settings)
{
	char *t = conf_options_usage(settings);

	fprintf(f, "\nglobal options (before or after the command):\n%s", t);
	free(t);
}

/* Prints the usage summary. */
void
cli_usage(FILE *f)
{
	const struct cli_cmd *c;

	fprintf(f, "usage: midwatch [--db CONNINFO] [--project SLUG] [--as NAME] "
	    "[--readonly] [--config FILE] [COMMAND [ARGS]]\n\ncommands:\n");
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(f, "  %-58s %s\n", c->usage, c->help);
	cli_global_help(f, 1);
	fprintf(f, "\nExit status: 0 ok, 1 error, 2 usage error (and what "
	    "`midwatch COMMAND --help` adds).\nWith no --db and no libpq "
	    "environment (PGHOST, PGDATABASE, PGSERVICE, DATABASE_URL),\n"
	    "midwatch starts a private PostgreSQL cluster under "
	    "$XDG_STATE_HOME/midwatch.\nSee midwatch(1) and "
	    "doc/interfaces.md.\n");
}

/* Prints a command's --help. */
void
cli_cmd_help(const struct cli_cmd *c, FILE *f)
{
	const struct cli_opt *o;
	int col, w;

	fprintf(f, "usage: midwatch %s\n\n%c%s.\n", c->usage,
	    c->help[0] >= 'a' && c->help[0] <= 'z' ? c->help[0] - 'a' + 'A' :
	    c->help[0], c->help + 1);
	if (c->more != NULL)
		fprintf(f, "%s\n", c->more);
	if (c->opts != NULL && c->opts[0].name != NULL) {
		fprintf(f, "\noptions:");
		col = 8;
		for (o = c->opts; o->name != NULL; o++) {
			w = 3 + (int)strlen(o->name) + (o->takes_value ? 6 : 0);
			if (col + w > 78) {	/* wrap under the first */
				fputs("\n       ", f);
				col = 7;
			}
			fprintf(f, " --%s%s", o->name, o->takes_value ? " VALUE" : "");
			col += w;
		}
		fputc('\n', f);
	}
	cli_global_help(f, 0);
	fprintf(f, "\nexit status: 0 ok, 1 error, 2 usage error");
	if (c->exits != NULL)
		fprintf(f, ";\n  %s", c->exits);
	fputs(".\n", f);
	if (c->more_help != NULL) {
		fputc('\n', f);
		c->more_help(f);
	}
}

/* Prints a usage error of command c (see cli.h). */
int
cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cli_errorf("%s: %s", c->name, msg);
	free(msg);
	fprintf(stderr, "usage: midwatch %s\n(midwatch %s --help says more)\n",
	    c->usage, c->name);
	return MW_EXIT_USAGE;
}
