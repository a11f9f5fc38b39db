/*
 * cli_args.c - global option parsing and the subcommand table.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/xmalloc.h"

const struct cli_cmd cli_cmds[] = {
	{ "console", cmd_console, "[console]", "open the console (default on a terminal)" },
	{ "demo", cmd_demo, "demo [--no-tui] [--seed N] [--emit FILE] [--truth FILE]",
	    "load the bundled demo scenario, run the pipeline, open the console" },
	{ "ingest", cmd_ingest, "ingest FILE... | - | --git REPO [--repo-name NAME]",
	    "ingest JSON Lines files (or stdin), or a git repository" },
	{ "run", cmd_run, "run [--at TS] [--since TS]",
	    "one pipeline run; exits non-zero if it failed or skipped anything" },
	{ "status", cmd_status, "status [--json] [--max-age DURATION]",
	    "the pipeline's health: exit 0 healthy, 1 degraded, 2 failing" },
	{ "incidents", cmd_incidents, "incidents [--json] [--all]",
	    "incidents with hypotheses, evidence, recommendations, alerts" },
	{ "report", cmd_report, "report INCIDENT_ID", "the incident report, markdown" },
	{ "alerts", cmd_alerts, "alerts [--all] [--json]",
	    "alerts with id, severity, status, source, labels, silence" },
	{ "investigate", cmd_investigate,
	    "investigate --at TS [--service S] [--window D] [--json]",
	    "an incident anchored at a moment, with ranked root causes" },
	{ "policy", cmd_policy, "policy [--json | --markdown]",
	    "the pipeline's thresholds, weights and windows, each named once" },
	{ "ack", cmd_feedback, "ack ALERT_ID [--key K]", "acknowledge an alert" },
	{ "resolve", cmd_feedback, "resolve ALERT_ID [--key K]", "resolve an alert" },
	{ "silence", cmd_feedback, "silence ALERT_ID [--for DURATION] [--key K]", "silence an alert" },
	{ "confirm", cmd_feedback, "confirm HYPOTHESIS_ID [--root-cause] [--key K]", "confirm a hypothesis" },
	{ "reject", cmd_feedback, "reject HYPOTHESIS_ID [--key K]", "reject a hypothesis" },
	{ "dismiss", cmd_feedback, "dismiss RECOMMENDATION_ID [--key K]", "dismiss a recommendation" },
	{ "done", cmd_feedback, "done RECOMMENDATION_ID [--key K]", "mark a recommendation done" },
	{ "note", cmd_note, "note [--key K] KIND ID TEXT", "add a note to an incident, hypothesis, recommendation or alert" },
	{ "migrate", cmd_migrate, "migrate [--status]", "apply or list schema migrations" },
	{ "cluster", cmd_cluster, "cluster start|stop|status",
	    "manage the embedded private PostgreSQL cluster" },
	{ "channels", cmd_channels, "channels add|list|test|remove ...",
	    "Slack / PagerDuty / webhook channels and their deliveries" },
	{ "sources", cmd_sources, "sources add|list|show|test|remove ...",
	    "Prometheus / Alertmanager sources every run pulls" },
	{ "notify", cmd_notify, "notify [--wait DURATION]",
	    "deliver the notifications that are due, without a pipeline run" },
	{ "project", cmd_project, "project create SLUG [--name NAME] | list [--json]",
	    "create a project, or list them" },
	{ NULL, NULL, NULL, NULL }
};

/* Prints the usage summary. */
void
cli_usage(FILE *f)
{
	const struct cli_cmd *c;

	fprintf(f, "usage: midwatch [--db CONNINFO] [--project SLUG] [--as NAME] "
	    "[--readonly] [--config FILE] [COMMAND [ARGS]]\n\ncommands:\n");
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(f, "  %-58s %s\n", c->usage, c->help);
	fprintf(f, "\nWith no --db and no libpq environment (PGHOST, PGDATABASE, "
	    "PGSERVICE, DATABASE_URL),\nmidwatch starts a private PostgreSQL "
	    "cluster under $XDG_STATE_HOME/midwatch.\nSee midwatch(1).\n");
}

/* Finds a subcommand. */
const struct cli_cmd *
cli_find(const char *name)
{
	const struct cli_cmd *c;

	for (c = cli_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/*
 * Parses global options from argv[1..] into opts without resetting it, up to
 * the first non-option.  Returns that index or -1 with *cause.
 */
int
cli_parse_more(int argc, char **argv, struct cli_opts *opts, char **cause)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "project", required_argument, NULL, 'p' },
		{ "as", required_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'c' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 0;	/* glibc: full reinitialisation */
	opterr = 0;
	/* "+": stop at the first non-option, which is the subcommand. */
	while ((ch = getopt_long(argc, argv, "+:hVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': opts->db = optarg; break;
		case 'p': opts->project = optarg; opts->project_given = 1; break;
		case 'a': opts->actor = optarg; break;
		case 'c': opts->config = optarg; break;
		case 'r': opts->readonly = 1; break;
		case 'h': opts->help = 1; break;
		case 'V': opts->version = 1; break;
		case 'v': opts->verbose = 1; break;
		case ':':
			*cause = xasprintf("option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			*cause = xasprintf("unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	/* A slug that breaks the rule is a usage error, before any SQL. */
	if (cli_project_check(opts->project, cause) != 0)
		return -1;
	return optind;
}

/* Parses the global options up to the subcommand, from the defaults. */
int
cli_parse_global(int argc, char **argv, struct cli_opts *opts, char **cause)
{
	memset(opts, 0, sizeof *opts);
	opts->project = "default";
	return cli_parse_more(argc, argv, opts, cause);
}

/* Parses a positive id. */
int
cli_parse_id(const char *s, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}
