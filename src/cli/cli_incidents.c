/*
 * cli_incidents.c - `midwatch incidents [--json] [--all]` (the read model as
 * the JSON contract of doc/interfaces.md or a readable table) and `midwatch report
 * INCIDENT_ID` (the stored markdown report).  Both read through model.c and
 * incident_reports only, so they show what the console shows.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"

/* How many hypotheses the table shows under each incident. */
#define CLI_INC_TOP_HYPOTHESES 3

/* Formats an incident window compactly into out: "2026-11-16 13:05-13:40"
 * (the end with its date when it falls on another day). */
static void
cli_inc_window(double start, double end, char *out, size_t len)
{
	char a[32], b[32];

	timefmt_format(start, a, sizeof a);
	timefmt_format(end, b, sizeof b);
	if (strncmp(a, b, 10) == 0)
		snprintf(out, len, "%.10s %.5s-%.5s", a, a + 11, b + 11);
	else
		snprintf(out, len, "%.10s %.5s-%.5s %.5s", a, a + 11, b + 5,
		    b + 11);
}

/* Prints the readable table of incidents with their top hypotheses. */
static void
cli_inc_table(const struct mw_snapshot *s, int all)
{
	const struct mw_incident *inc;
	const struct mw_hypothesis *h;
	char win[48], conf[16], *svc, *title, *ref;
	size_t i, j, shown;

	if (s->n_incidents == 0) {
		printf("no %sincidents\n", all ? "" : "open ");
		return;
	}
	printf("%-6s %-10s %-8s %-16s %-28s %s\n", "ID", "STATUS", "SEVERITY",
	    "SERVICE", "WINDOW (UTC)", "TITLE");
	for (i = 0; i < s->n_incidents; i++) {
		inc = &s->incidents[i];
		cli_inc_window(inc->window_start, inc->window_end, win, sizeof win);
		svc = cli_clip(inc->service, 16);
		title = cli_clip(inc->title != NULL && *inc->title != '\0' ?
		    inc->title : inc->trigger_type, 60);
		printf("%-6lld %-10s %-8s %-16s %-28s %s\n", inc->id, inc->status,
		    inc->severity, svc, win, title);
		free(svc);
		free(title);
		shown = inc->n_hypotheses < CLI_INC_TOP_HYPOTHESES ?
		    inc->n_hypotheses : CLI_INC_TOP_HYPOTHESES;
		for (j = 0; j < shown; j++) {
			h = &inc->hypotheses[j];
			title = cli_clip(h->title, 60);
			ref = h->ref != NULL ? cli_clip(h->ref, 24) : NULL;
			units_confidence(h->confidence, conf, sizeof conf);
			printf("       %d. %-10s %s  %s%s%s%s  [hypothesis %lld%s]\n",
			    h->rank, h->type, conf, title,
			    ref != NULL ? " (" : "", ref != NULL ? ref : "",
			    ref != NULL ? ")" : "", h->id,
			    strcmp(h->status, "proposed") != 0 ?
			    (strcmp(h->status, "confirmed") == 0 ? ", confirmed" :
			    ", rejected") : "");
			free(title);
			free(ref);
		}
		if (inc->n_hypotheses > shown)
			printf("       (%zu more hypotheses)\n",
			    inc->n_hypotheses - shown);
		if (inc->n_recommendations > 0 || inc->n_alerts > 0)
			printf("       %zu recommendation%s, %zu alert%s\n",
			    inc->n_recommendations,
			    inc->n_recommendations == 1 ? "" : "s", inc->n_alerts,
			    inc->n_alerts == 1 ? "" : "s");
	}
}

/* Prints incidents as `midwatch incidents` does (see cli.h). */
void
cli_incidents_print(const struct mw_snapshot *s)
{
	cli_inc_table(s, 1);
}

/* incidents [--json] [--all]. */
int
cmd_incidents(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct mw_snapshot *s;
	json_t *j;
	char *cause = NULL;
	int json = cli_args_has(a, "json"), all = cli_args_has(a, "all");

	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("incidents", cause);
	/* --all also lists recommendations the evidence gate holds back. */
	s = model_load(ctx->db, ctx->project_id, all, all, &cause);
	if (s == NULL)
		return cli_fail("incidents", cause);
	/* A degraded or failing pipeline is never mistaken for a quiet one:
	 * said on the first line (on stderr with --json, which keeps its
	 * array shape). */
	if (s->health_line != NULL) {
		char *line = sanitize_text(s->health_line, 0);

		if (json)
			fprintf(stderr, "midwatch: incidents: %s\n", line);
		else
			printf("%s\n", line);
		free(line);
	}
	if (json) {
		j = model_to_json(s);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		json_decref(j);
	} else
		cli_inc_table(s, all);
	model_free(s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "midwatch: incidents: write error\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}

/* report INCIDENT_ID: prints the stored markdown report. */
int
cmd_report(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct db_res *r;
	char *cause = NULL, *md;
	long long id;
	size_t n;

	if (cli_parse_id(a->argv[1], &id) != 0)
		return cli_usage_error(a->cmd, "INCIDENT_ID must be a positive "
		    "number (midwatch incidents lists them), not %s", a->argv[1]);
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("report", cause);
	r = DBQN(ctx->db, &cause, "cli/report", ctx->project_id_str,
	    a->argv[1]);
	if (r == NULL)
		return cli_fail("report", cause);
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return cli_fail("report", xasprintf("no incident %lld", id));
	}
	if (db_val_null(r, 0, "markdown")) {
		db_res_free(r);
		return cli_fail("report", xasprintf("no report for incident %lld "
		    "yet (the pipeline writes it: midwatch run)", id));
	}
	/* Written sanitised by the report stage; cleaned again in case the
	 * row came from elsewhere. */
	md = sanitize_text(db_val(r, 0, "markdown"), 1);
	db_res_free(r);
	n = strlen(md);
	fputs(md, stdout);
	if (n == 0 || md[n - 1] != '\n')
		fputc('\n', stdout);
	free(md);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "midwatch: report: write error\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}
