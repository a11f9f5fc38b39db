/*
 * cli_stats.c - `midwatch stats [--window day|week] [--report SLUG]
 * [--json]`: the operational reports of the catalogue (incident volume,
 * alert status counts, noisy services and rules, response times, the top
 * hypothesis' precision) from their snapshots, a table per report; and
 * `midwatch stats recompute [--from TS] [--to TS]`, a recompute run
 * (stats.h).
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/stats.h"
#include "midwatch/timefmt.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"

/* Buckets a report's table shows (the newest); --json has them all. */
#define STATS_TEXT_BUCKETS 8

/* A metric value in its unit, or "-" when there is none. */
static void
stats_value(json_t *v, const char *unit, char *out, size_t len)
{
	units_format(json_is_number(v) ? json_number_value(v) : NAN, unit, out,
	    len);
}

/* The width of a metric's column: its name's, at least 8. */
static int
stats_width(json_t *metric)
{
	const char *n = json_string_value(json_object_get(metric, "name"));
	int w = n != NULL ? (int)strlen(n) : 1;

	return w < 8 ? 8 : w;
}

/* Prints one report as a table: bucket, dimension, then its metrics. */
static void
stats_print_report(json_t *rep, const char *window)
{
	json_t *metrics = json_object_get(rep, "metrics");
	json_t *buckets = json_object_get(rep, "buckets"), *b, *rows, *row, *m;
	const char *dim = json_string_value(json_object_get(rep, "dimension"));
	json_int_t top = json_integer_value(json_object_get(rep, "top"));
	size_t nb = json_array_size(buckets), i, k, r, first;
	char *name, *d, val[32];

	name = cli_clip(json_string_value(json_object_get(rep, "name")), 60);
	printf("%s (%s, %s buckets by %s)\n", name,
	    json_string_value(json_object_get(rep, "slug")), window,
	    dim != NULL ? dim : "-");
	free(name);
	if (nb == 0) {
		printf("  nothing computed yet (midwatch stats recompute)\n\n");
		return;
	}
	printf("  %-10s %-20s", "BUCKET", dim != NULL ? dim : "-");
	json_array_foreach(metrics, k, m)
		printf(" %*s", stats_width(m), json_string_value(json_object_get(m,
		    "name")));
	printf("\n");
	first = nb > STATS_TEXT_BUCKETS ? nb - STATS_TEXT_BUCKETS : 0;
	for (i = first; i < nb; i++) {
		b = json_array_get(buckets, i);
		rows = json_object_get(b, "rows");
		json_array_foreach(rows, r, row) {
			if (top > 0 && r >= (size_t)top)
				break;
			d = cli_clip(json_string_value(json_object_get(row,
			    "dimension_value")), 20);
			printf("  %-10.10s %-20s", json_string_value(
			    json_object_get(b, "bucket_start")), d);
			free(d);
			json_array_foreach(metrics, k, m) {
				stats_value(json_object_get(json_object_get(row,
				    "metrics"), json_string_value(json_object_get(m,
				    "name"))), json_string_value(json_object_get(m,
				    "unit")) ? json_string_value(json_object_get(m,
				    "unit")) : "count", val, sizeof val);
				printf(" %*s", stats_width(m), val);
			}
			printf("\n");
		}
	}
	if (first > 0)
		printf("  (%zu older buckets: --json has them all)\n", first);
	printf("\n");
}

/* stats recompute [--from TS] [--to TS]. */
static int
stats_recompute_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct stats_range range;
	long long run = 0, rows = 0;
	char *cause = NULL, from[40], to[40];
	const char *opt[2] = { "from", "to" };
	char *out[2] = { from, to };
	double t;
	int rc, i;

	memset(&range, 0, sizeof range);
	for (i = 0; i < 2; i++) {
		const char *v = cli_args_get(a, opt[i]);

		if (v == NULL)
			continue;
		if (timefmt_parse(v, &t) != 0)
			return cli_usage_error(a->cmd, "--%s: not an RFC 3339 time: %s",
			    opt[i], v);
		timefmt_format(t, out[i], 40);
		if (i == 0)
			range.from = from;
		else
			range.to = to;
	}
	if (ctx->opts.readonly)
		return cli_refuse_readonly("stats recompute");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("stats recompute", cause);
	range.requested_by = ctx->actor;
	rc = stats_recompute(ctx->db, ctx->project_id, &range, &run, &rows,
	    &cause);
	if (rc != 0) {
		if (run > 0)
			fprintf(stderr, "midwatch: stats recompute: run %lld failed\n",
			    run);
		return cli_fail("stats recompute", cause);
	}
	printf("stats run %lld completed: %lld snapshot rows\n", run, rows);
	return MW_EXIT_OK;
}

/* stats [--window day|week] [--report SLUG] [--json] | stats recompute. */
int
cmd_stats(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *window = cli_args_get(a, "window");
	const char *slug = cli_args_get(a, "report");
	char *cause = NULL;
	json_t *j, *rep;
	size_t i;

	if (a->argc > 1) {
		if (strcmp(a->argv[1], "recompute") != 0)
			return cli_usage_error(a->cmd, "unknown subcommand %s "
			    "(recompute)", a->argv[1]);
		if (window != NULL || slug != NULL || cli_args_has(a, "json"))
			return cli_usage_error(a->cmd, "recompute takes --from and "
			    "--to only");
		return stats_recompute_cmd(ctx, a);
	}
	if (cli_args_has(a, "from") || cli_args_has(a, "to"))
		return cli_usage_error(a->cmd, "--from and --to go with recompute");
	if (window != NULL && strcmp(window, "day") != 0 &&
	    strcmp(window, "week") != 0)
		return cli_usage_error(a->cmd, "--window: day or week, not %s",
		    window);
	if (window == NULL)
		window = "day";
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("stats", cause);
	/* A recompute whose runner died is shown failed (as `status` does). */
	if (db_reap_dead_runs(ctx->db, ctx->project_id, NULL, &cause) != 0)
		return cli_fail("stats", cause);
	j = stats_read(ctx->db, ctx->project_id, window, slug, &cause);
	if (j == NULL)
		return cli_fail("stats", cause);
	if (cli_args_has(a, "json")) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		json_array_foreach(json_object_get(j, "reports"), i, rep)
			stats_print_report(rep, window);
	}
	json_decref(j);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "midwatch: stats: write error\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}
