/*
 * cli_ingest.c - `midwatch ingest FILE... | -` and `midwatch ingest --git
 * REPO [--repo-name NAME] [--since REV|DATE]`: JSON Lines files, stdin or a
 * git repository into the project's raw tables, then a summary.  Exits 1
 * only when nothing could be ingested (every line rejected, no input
 * readable) or the database failed; rejected lines alone are not an error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

#define INGEST_USAGE \
	"usage: midwatch ingest FILE... | -\n" \
	"       midwatch ingest --git REPO [--repo-name NAME] [--since REV|DATE]\n"

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
	char *payload = xasprintf("{\"table\":\"ingest\",\"project_id\":%lld,"
	    "\"rows\":%lld}", ctx->project_id, rows);
	char *cause = NULL;

	if (db_notify(ctx->db, "midwatch", payload, &cause) != 0)
		free(cause);
	free(payload);
}

/* Ingests the named files and/or repository, prints the summary. */
int
cmd_ingest(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "git", required_argument, NULL, 'g' },
		{ "repo-name", required_argument, NULL, 'n' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		/* the global options are accepted after the subcommand too */
		{ "db", required_argument, NULL, 'D' },
		{ "project", required_argument, NULL, 'P' },
		{ "as", required_argument, NULL, 'A' },
		{ "readonly", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	const char *git = NULL, *repo_name = NULL, *since = NULL;
	const struct ingest_stats *st;
	struct ingest *in = NULL;
	char *cause = NULL;
	int ch, i, rc = MW_EXIT_OK, dbfail = 0, failed;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'g': git = optarg; break;
		case 'D': ctx->opts.db = optarg; break;
		case 'P': ctx->opts.project = optarg; break;
		case 'A': ctx->opts.actor = optarg; break;
		case 'R': ctx->opts.readonly = 1; break;
		case 'n': repo_name = optarg; break;
		case 's': since = optarg; break;
		case 'h':
			fputs(INGEST_USAGE, stdout);
			return MW_EXIT_OK;
		case ':':
			fprintf(stderr, "midwatch: ingest: option %s needs a value\n%s",
			    argv[optind - 1], INGEST_USAGE);
			return MW_EXIT_USAGE;
		default:
			fprintf(stderr, "midwatch: ingest: unknown option %s\n%s",
			    argv[optind - 1], INGEST_USAGE);
			return MW_EXIT_USAGE;
		}
	}
	if (git == NULL && (repo_name != NULL || since != NULL)) {
		fprintf(stderr, "midwatch: ingest: --repo-name and --since go with "
		    "--git\n%s", INGEST_USAGE);
		return MW_EXIT_USAGE;
	}
	if (git == NULL && optind >= argc) {
		fprintf(stderr, "midwatch: ingest: name a file, - for stdin, or "
		    "--git REPO\n%s", INGEST_USAGE);
		return MW_EXIT_USAGE;
	}
	if (cli_project_check(ctx->opts.project, &cause) != 0) {
		cli_errorf("ingest: %s", cause);
		free(cause);
		return MW_EXIT_USAGE;
	}
	if (ctx->opts.readonly)
		return cli_refuse_readonly("ingest");
	/* ingest is one of the commands that create a missing project */
	ctx->project_mode = CLI_PROJECT_CREATE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("ingest", cause);

	in = ingest_new(ctx->db, ctx->project_id);
	for (i = optind; i < argc && !dbfail; i++) {
		failed = ingest_get_stats(in)->sources_failed;
		if (ingest_file(in, argv[i], &cause) != 0) {
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
