/*
 * cli_ingest.c - `midwatch ingest FILE... | -` and `midwatch ingest --git
 * REPO [--repo-name NAME] [--since REV|DATE]`: JSON Lines files, stdin or a
 * git repository into the project's raw tables, then a summary.  Exits 1
 * only when nothing could be ingested (every line rejected, no input
 * readable) or the database failed; rejected lines alone are not an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/jsonx.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

/* Prints cause (sanitised: it may quote a file name) as a warning. */
static void
ingest_warn(const char *cause)
{
	char *clean = sanitize_text(cause, 0);

	fprintf(stderr, "midwatch: ingest: %s\n", clean);
	free(clean);
}

/* Tells listening consoles that new raw data arrived (best effort):
 * NOTIFY midwatch {"table":"ingest","project_id":N,"rows":M}. */
static void
ingest_notify(struct cli_ctx *ctx, long long rows)
{
	char *payload = jsonx_pack("{s:s, s:I, s:I}", "table", "ingest",
	    "project_id", (json_int_t)ctx->project_id, "rows", (json_int_t)rows);
	char *cause = NULL;

	if (db_notify(ctx->db, "midwatch", payload, &cause) != 0)
		free(cause);
	free(payload);
}

/* Ingests the named files and/or repository, prints the summary. */
int
cmd_ingest(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *git = cli_args_get(a, "git");
	const char *repo_name = cli_args_get(a, "repo-name");
	const char *since = cli_args_get(a, "since");
	const struct ingest_stats *st;
	struct ingest *in = NULL;
	char *cause = NULL;
	int i, rc = MW_EXIT_OK, dbfail = 0, failed;

	if (git == NULL && (repo_name != NULL || since != NULL))
		return cli_usage_error(a->cmd, "--repo-name and --since go with "
		    "--git");
	if (git == NULL && a->argc < 2)
		return cli_usage_error(a->cmd, "name a file, - for stdin, or "
		    "--git REPO");
	/* ingest is one of the commands that create a missing project */
	ctx->project_mode = CLI_PROJECT_CREATE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("ingest", cause);

	in = ingest_new(ctx->db, ctx->project_id);
	for (i = 1; i < a->argc && !dbfail; i++) {
		failed = ingest_get_stats(in)->sources_failed;
		if (ingest_file(in, a->argv[i], &cause) != 0) {
			ingest_warn(cause);
			free(cause);
			cause = NULL;
			/* an unreadable file is reported and skipped; a
			 * database failure stops everything */
			if (ingest_get_stats(in)->sources_failed == failed ||
			    !db_alive(ctx->db))
				dbfail = 1;
		}
	}
	if (git != NULL && !dbfail) {
		if (ingest_git(in, git, repo_name, since, &cause) != 0) {
			ingest_warn(cause);
			free(cause);
			cause = NULL;
			if (!db_alive(ctx->db))
				dbfail = 1;
		}
	}
	ingest_print_summary(in, stdout);
	st = ingest_get_stats(in);
	if (!dbfail && ingest_new_rows(st) > 0)
		ingest_notify(ctx, ingest_new_rows(st));
	if (dbfail)
		rc = MW_EXIT_ERROR;
	else if (ingest_valid_lines(st) == 0 &&
	    (st->rejected > 0 || st->sources_failed > 0)) {
		fprintf(stderr, "midwatch: ingest: nothing could be ingested\n");
		rc = MW_EXIT_ERROR;
	}
	ingest_free(in);
	return rc;
}
