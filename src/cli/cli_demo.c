/*
 * cli_demo.c - `midwatch demo [--no-tui] [--seed N] [--emit FILE] [--truth
 * FILE]`: the bundled scenario.  With --emit it only writes the generated
 * JSON Lines (and the ground truth with --truth) and touches no database.
 * Otherwise it generates the scenario into a temporary file, ingests it
 * through the ordinary ingest code (source "demo:seed=N", so running the
 * demo twice is harmless), runs the pipeline once, prints a one-line summary
 * and opens the console unless --no-tui.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/demo.h"
#include "midwatch/ingest.h"
#include "midwatch/pipeline.h"
#include "midwatch/xmalloc.h"

/* Opens path for writing ("-" is stdout). */
static FILE *
demo_open(const char *path, char **cause)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	if ((f = fopen(path, "w")) == NULL)
		*cause = xasprintf("%s: %s", path, strerror(errno));
	return f;
}

/* Closes what demo_open opened, reporting write errors; 0 or -1. */
static int
demo_close(FILE *f, const char *path, char **cause)
{
	int bad;

	if (f == NULL)
		return 0;
	bad = ferror(f);
	if (f == stdout)
		bad |= fflush(f) != 0;
	else
		bad |= fclose(f) != 0;
	if (bad && *cause == NULL)
		*cause = xasprintf("%s: write error", path);
	return bad ? -1 : 0;
}

/* --emit: writes the scenario (and its truth) and stops. */
static int
demo_emit(const char *emit, const char *truth, unsigned long seed)
{
	FILE *out = NULL, *tf = NULL;
	char *cause = NULL;
	int rc = -1;

	if ((out = demo_open(emit, &cause)) == NULL)
		goto out;
	if (truth != NULL && (tf = demo_open(truth, &cause)) == NULL)
		goto out;
	rc = demo_generate(out, tf, seed, &cause);
out:
	if (demo_close(out, emit, &cause) != 0)
		rc = -1;
	if (truth != NULL && demo_close(tf, truth, &cause) != 0)
		rc = -1;
	if (rc != 0)
		return cli_fail("demo", cause);
	return MW_EXIT_OK;
}

/* Counts what the run produced for the summary line: incidents that were
 * not suppressed by the gate, and alerts. */
static void
demo_counts(struct cli_ctx *ctx, long long *incidents, long long *alerts)
{
	struct db_res *r;
	char *cause = NULL;

	*incidents = *alerts = 0;
	r = DBQN(ctx->db, &cause, "cli/demo_counts", ctx->project_id_str);
	if (r == NULL) {
		free(cause);
		return;
	}
	*incidents = db_val_ll(r, 0, "incidents");
	*alerts = db_val_ll(r, 0, "alerts");
	db_res_free(r);
}

/* Loads the demo, runs the pipeline, opens the console. */
int
cmd_demo(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *emit = cli_args_get(a, "emit");
	const char *truth = cli_args_get(a, "truth");
	const char *seed_s = cli_args_get(a, "seed");
	const struct ingest_stats *st;
	struct pipeline_opts popts;
	unsigned long seed = 1;
	long long run_id = 0, incidents, alerts;
	struct ingest *in = NULL;
	FILE *tmp = NULL, *tf = NULL;
	char *cause = NULL, *source = NULL, *end;
	int no_tui = cli_args_has(a, "no-tui"), rc, prc;

	if (seed_s != NULL) {
		errno = 0;
		seed = strtoul(seed_s, &end, 10);
		if (*seed_s < '0' || *seed_s > '9' || *end != '\0' || errno != 0)
			return cli_usage_error(a->cmd, "--seed needs a "
			    "non-negative number, not %s", seed_s);
	}
	if (emit != NULL)
		return demo_emit(emit, truth, seed);
	/* demo is one of the commands that create a missing project */
	ctx->project_mode = CLI_PROJECT_CREATE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("demo", cause);
	if ((tmp = tmpfile()) == NULL) {
		cause = xasprintf("temporary file: %s", strerror(errno));
		goto fail;
	}
	if (truth != NULL && (tf = demo_open(truth, &cause)) == NULL)
		goto fail;
	rc = demo_generate(tmp, tf, seed, &cause);
	if (truth != NULL && demo_close(tf, truth, &cause) != 0)
		rc = -1;
	tf = NULL;
	if (rc != 0)
		goto fail;
	if (fflush(tmp) != 0 || ferror(tmp)) {
		cause = xstrdup("cannot write the scenario to a temporary file");
		goto fail;
	}
	rewind(tmp);

	in = ingest_new(ctx->db, ctx->project_id);
	source = xasprintf("demo:seed=%lu", seed);
	if (ingest_stream(in, tmp, source, &cause) != 0)
		goto fail;
	st = ingest_get_stats(in);
	printf("demo: seed %lu: %lld lines ingested into project %s (%lld new "
	    "rows, %lld rejected)\n", seed, ingest_valid_lines(st),
	    ctx->opts.project, ingest_new_rows(st), st->rejected);
	fflush(stdout);

	memset(&popts, 0, sizeof popts);
	popts.requested_by = ctx->actor;
	prc = pipeline_run(ctx->db, ctx->project_id, &popts, &run_id, &cause);
	if (prc < 0)
		goto fail;
	if (prc == 1) {
		fprintf(stderr, "midwatch: demo: pipeline not run: %s\n",
		    cause != NULL ? cause : "another process is running it");
		free(cause);
		cause = NULL;
		if (no_tui) {
			rc = MW_EXIT_ERROR;
			goto out;
		}
	} else {
		demo_counts(ctx, &incidents, &alerts);
		if (run_id != 0)
			printf("demo: pipeline run %lld completed: %lld incident%s, "
			    "%lld alert%s\n", run_id, incidents,
			    incidents == 1 ? "" : "s", alerts, alerts == 1 ? "" : "s");
		else
			printf("demo: pipeline had nothing new to do: %lld incident%s, "
			    "%lld alert%s\n", incidents, incidents == 1 ? "" : "s",
			    alerts, alerts == 1 ? "" : "s");
		fflush(stdout);
	}
	rc = MW_EXIT_OK;
	if (!no_tui) {
		ingest_free(in);
		in = NULL;
		fclose(tmp);
		tmp = NULL;
		/* still connected: the console shows the project just loaded */
		rc = cli_console_open(ctx);
	}
	goto out;
fail:
	rc = cli_fail("demo", cause);
out:
	ingest_free(in);
	if (tmp != NULL)
		fclose(tmp);
	free(source);
	return rc;
}
