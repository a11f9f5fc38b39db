/*
 * cli_run.c - `midwatch run [--at TS] [--since TS]`: one pipeline run, then a
 * summary (run id, window, counts per stage, skipped units).  Exits 0 when
 * the run completed whole or there was nothing new, 1 when it failed, skipped
 * units (degraded), a pulled source failed, or the pipeline is locked.
 * Pulled sources (midwatch sources) are pulled first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/notify.h"
#include "midwatch/pipeline.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

/* Prints one stage's counts as "  stage: k v, k v". */
static void
print_stage(const char *name, json_t *o)
{
	const char *k;
	json_t *v;
	int first = 1;

	printf("  %-12s", name);
	json_object_foreach(o, k, v) {
		if (!json_is_integer(v))
			continue;
		printf("%s%s %lld", first ? "" : ", ", k,
		    (long long)json_integer_value(v));
		first = 0;
	}
	printf("%s\n", first ? "-" : "");
}

/* Prints the units a run skipped (sanitised: reasons quote data). */
static void
print_skipped(json_t *sum, long long n)
{
	printf("  %-12s%lld unit%s\n", "skipped", n, n == 1 ? "" : "s");
	cli_print_skipped("    ", json_object_get(sum, "skipped"));
	if ((size_t)n > json_array_size(json_object_get(sum, "skipped")))
		printf("    (%lld more)\n", n - (long long)json_array_size(
		    json_object_get(sum, "skipped")));
}

/* Prints the stored summary of a run; *skipped gets its skipped units. */
static int
print_summary(struct cli_ctx *ctx, long long run_id, long long *skipped,
    char **cause)
{
	const struct pipeline_stage *st;
	struct db_res *r;
	json_t *sum, *o;
	json_error_t jerr;
	char id[24];

	snprintf(id, sizeof id, "%lld", run_id);
	r = DBQN(ctx->db, cause, "cli/run_summary", ctx->project_id_str, id);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) != 1) {
		db_res_free(r);
		*cause = xasprintf("run %s vanished", id);
		return -1;
	}
	printf("run %s %s: window %s .. %s (%ss)\n", id, db_val(r, 0, "status"),
	    db_val(r, 0, "window_start"), db_val(r, 0, "window_end"),
	    db_val(r, 0, "seconds") ? db_val(r, 0, "seconds") : "?");
	sum = json_loads(db_val(r, 0, "summary"), 0, &jerr);
	for (st = pipeline_stages; sum != NULL && st->name != NULL; st++)
		if ((o = json_object_get(sum, st->name)) != NULL &&
		    json_is_object(o))
			print_stage(st->name, o);
	/* the alerts no incident covered, investigated after the run */
	if (sum != NULL && (o = json_object_get(sum, "investigate")) != NULL &&
	    json_is_object(o))
		print_stage("investigate", o);
	*skipped = db_val_ll(r, 0, "skipped_units");
	if (*skipped > 0)
		print_skipped(sum, *skipped);
	json_decref(sum);
	db_res_free(r);
	return 0;
}

/* Reads option name as a timestamp into *t (*has set); returns the
 * value when it is not one, else NULL. */
static const char *
run_ts(const struct cli_args *a, const char *name, double *t, int *has)
{
	const char *v = cli_args_get(a, name);

	if (v == NULL)
		return NULL;
	if (timefmt_parse(v, t) != 0)
		return v;
	*has = 1;
	return NULL;
}

/* Runs the pipeline once. */
static int
run_pipeline(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct pipeline_opts po;
	char *cause = NULL, *by;
	long long run_id = 0, skipped = 0;
	const char *v;
	int rc, src_rc = 0, bad;	/* src_rc: a source or a channel line failed */

	memset(&po, 0, sizeof po);
	if ((v = run_ts(a, "at", &po.at, &po.has_at)) != NULL ||
	    (v = run_ts(a, "since", &po.since, &po.has_since)) != NULL)
		return cli_usage_error(a->cmd, "--%s: not an RFC 3339 timestamp: "
		    "%s", po.has_at ? "since" : "at", v);
	if (po.has_at && po.has_since && po.since > po.at)
		return cli_usage_error(a->cmd, "--since is after --at");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("run", cause);
	/* the configuration file's channels, before anything is queued */
	if ((bad = cli_channels_sync(ctx)) < 0)
		return MW_EXIT_ERROR;
	if (bad > 0)
		src_rc = 1;
	/* sources first, so the run judges what they hold (issue 9) */
	if ((rc = cli_sources_pull(ctx)) < 0)
		return MW_EXIT_ERROR;
	if (rc > 0)
		src_rc = 1;
	by = xasprintf("cli:%s", ctx->actor);
	po.requested_by = by;
	rc = pipeline_run(ctx->db, ctx->project_id, &po, &run_id, &cause);
	free(by);
	if (rc == 1)
		return cli_fail("run", cause);
	if (rc != 0) {
		if (run_id > 0) {
			fprintf(stderr, "midwatch: run: run %lld failed: %s\n", run_id,
			    cause);
			free(cause);
			if (print_summary(ctx, run_id, &skipped, &cause) != 0)
				free(cause);
			return MW_EXIT_ERROR;
		}
		return cli_fail("run", cause);
	}
	if (run_id == 0) {
		printf("%s (no data newer than the last completed run)\n",
		    PIPELINE_NOTHING_NEW);
		return src_rc > 0 ? MW_EXIT_ERROR : MW_EXIT_OK;
	}
	if (print_summary(ctx, run_id, &skipped, &cause) != 0)
		return cli_fail("run", cause);
	if (skipped > 0) {
		fprintf(stderr, "midwatch: run: run %lld completed degraded: %lld "
		    "unit%s skipped (see above; midwatch status)\n", run_id,
		    skipped, skipped == 1 ? "" : "s");
		return MW_EXIT_ERROR;
	}
	return src_rc > 0 ? MW_EXIT_ERROR : MW_EXIT_OK;
}

/* Runs the pipeline once, then delivers the notifications that are due
 * (issue 9): queued by this run or still waiting from earlier ones.  A
 * delivery problem is reported but does not change the run's exit code. */
int
cmd_run(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct notify_opts o = { 0, 1 };
	struct notify_counts c;
	char *cause = NULL;
	int rc = run_pipeline(ctx, a);

	if (ctx->db == NULL || ctx->project_id <= 0 || ctx->opts.readonly)
		return rc;
	cli_silences_push(ctx, "run");
	if (notify_deliver(ctx->db, ctx->project_id, &o, &c, &cause) != 0) {
		fprintf(stderr, "midwatch: run: notify: %s\n", cause);
		free(cause);
	} else if (c.attempts > 0)
		cli_notify_print(&c);
	return rc;
}
