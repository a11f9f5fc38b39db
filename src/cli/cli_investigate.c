/*
 * cli_investigate.c - `midwatch investigate --at TS [--service S]
 * [--window D] [--json]`: opens (or finds) the incident of a moment and
 * ranks its root causes (src/pipeline/investigate.c), then prints it as
 * `midwatch incidents` prints an incident - with --json exactly one object
 * of the `incidents --json` array's shape.  Exit 0 when the investigation
 * completed, 1 when it failed, was refused (an unknown service, a moment
 * outside the data, --readonly: it writes), skipped units or found the
 * pipeline locked, 2 on a usage error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/investigate.h"
#include "midwatch/model.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

#define INVESTIGATE_USAGE \
	"usage: midwatch investigate --at TS [--service S] [--window D] [--json]\n"

/* Says what the run skipped (stderr); returns how many units. */
static long long
cli_inv_skipped(struct cli_ctx *ctx, long long run_id)
{
	struct db_res *r;
	json_t *sk;
	char id[24], *cause = NULL;
	long long n;

	snprintf(id, sizeof id, "%lld", run_id);
	r = DBQ(ctx->db, &cause,
	    "SELECT skipped_units, (summary -> 'skipped')::text"
	    " FROM midwatch.pipeline_runs WHERE project_id = $1 AND id = $2",
	    ctx->project_id_str, id);
	if (r == NULL) {
		free(cause);
		return 0;
	}
	n = db_res_rows(r) > 0 ? db_res_ll(r, 0, 0) : 0;
	if (n > 0) {
		fprintf(stderr, "midwatch: investigate: run %lld completed "
		    "degraded: %lld unit%s skipped:\n", run_id, n,
		    n == 1 ? "" : "s");
		sk = db_res_get(r, 0, 1) != NULL ?
		    json_loads(db_res_get(r, 0, 1), 0, NULL) : NULL;
		fflush(stdout);
		/* cli_print_skipped prints to stdout: keep --json clean */
		if (sk != NULL) {
			size_t i;
			json_t *u;

			json_array_foreach(sk, i, u) {
				char *why = sanitize_text(json_string_value(
				    json_object_get(u, "reason")), 0);

				fprintf(stderr, "  %s %s %s: %s\n",
				    json_string_value(json_object_get(u, "stage")),
				    json_string_value(json_object_get(u, "unit")),
				    json_string_value(json_object_get(u, "id")), why);
				free(why);
			}
		}
		json_decref(sk);
	}
	db_res_free(r);
	return n;
}

/* investigate --at TS [--service S] [--window D] [--json]. */
int
cmd_investigate(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "at", required_argument, NULL, 't' },
		{ "service", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		/* the global options are accepted after the subcommand too */
		{ "db", required_argument, NULL, 'D' },
		{ "project", required_argument, NULL, 'P' },
		{ "as", required_argument, NULL, 'A' },
		{ "readonly", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct investigate_opts io;
	struct investigate_result res;
	struct mw_snapshot *s;
	json_t *j;
	char *cause = NULL, *by, *svc, when[32];
	int ch, json = 0, has_at = 0, secs, rc;
	long long skipped;

	memset(&io, 0, sizeof io);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (timefmt_parse(optarg, &io.at) != 0) {
				fprintf(stderr, "midwatch: investigate: --at: not an "
				    "RFC 3339 timestamp: %s\n", optarg);
				return MW_EXIT_USAGE;
			}
			has_at = 1;
			break;
		case 's':
			if (*optarg == '\0') {
				fprintf(stderr, "midwatch: investigate: --service "
				    "must not be empty\n");
				return MW_EXIT_USAGE;
			}
			io.service = optarg;
			break;
		case 'w':
			if (conf_parse_duration(optarg, &secs) != 0 ||
			    secs < INVESTIGATE_MIN_WINDOW ||
			    secs > INVESTIGATE_MAX_WINDOW) {
				fprintf(stderr, "midwatch: investigate: --window: "
				    "not a duration from %ds to %dh (15m, 1h): %s\n",
				    INVESTIGATE_MIN_WINDOW,
				    INVESTIGATE_MAX_WINDOW / 3600, optarg);
				return MW_EXIT_USAGE;
			}
			io.window = secs;
			break;
		case 'j': json = 1; break;
		case 'D': ctx->opts.db = optarg; break;
		case 'P': ctx->opts.project = optarg; break;
		case 'A': ctx->opts.actor = optarg; break;
		case 'R': ctx->opts.readonly = 1; break;
		case 'h':
			fputs(INVESTIGATE_USAGE, stdout);
			return MW_EXIT_OK;
		case ':':
			fprintf(stderr, "midwatch: investigate: option %s needs a "
			    "value\n%s", argv[optind - 1], INVESTIGATE_USAGE);
			return MW_EXIT_USAGE;
		default:
			fprintf(stderr, "midwatch: investigate: unknown option %s\n%s",
			    argv[optind - 1], INVESTIGATE_USAGE);
			return MW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "midwatch: investigate: unexpected argument %s\n%s",
		    argv[optind], INVESTIGATE_USAGE);
		return MW_EXIT_USAGE;
	}
	if (!has_at) {
		fprintf(stderr, "midwatch: investigate: --at TS is required (the "
		    "moment to investigate)\n%s", INVESTIGATE_USAGE);
		return MW_EXIT_USAGE;
	}
	if (cli_project_check(ctx->opts.project, &cause) != 0) {
		cli_errorf("investigate: %s", cause);
		free(cause);
		return MW_EXIT_USAGE;
	}
	/* it opens an incident and writes its hypotheses */
	if (ctx->opts.readonly)
		return cli_refuse_readonly("investigate");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("investigate", cause);
	by = xasprintf("cli:%s", ctx->actor);
	io.requested_by = by;
	io.actor = ctx->actor;
	rc = investigate_run(ctx->db, ctx->project_id, &io, &res, &cause);
	free(by);
	if (rc != 0) {
		if (rc < 0 && res.run_id > 0) {
			fprintf(stderr, "midwatch: investigate: run %lld failed: %s\n",
			    res.run_id, cause != NULL ? cause : "?");
			free(cause);
			return MW_EXIT_ERROR;
		}
		return cli_fail("investigate", cause);
	}

	s = model_load_ids(ctx->db, ctx->project_id, &res.incident_id, 1, 0,
	    &cause);
	if (s == NULL)
		return cli_fail("investigate", cause);
	if (s->n_incidents != 1) {
		model_free(s);
		return cli_fail("investigate", xasprintf("incident %lld vanished",
		    res.incident_id));
	}
	timefmt_format(io.at, when, sizeof when);
	svc = io.service != NULL ? sanitize_text(io.service, 0) : NULL;
	/* What was done, on stdout for people, on stderr with --json. */
	if (res.reused)
		fprintf(json ? stderr : stdout, "%sincident %lld already covers "
		    "%s%s%s (investigation run %lld)\n", json ?
		    "midwatch: investigate: " : "", res.incident_id, when,
		    svc != NULL ? " on " : "", svc != NULL ? svc : "", res.run_id);
	else
		fprintf(json ? stderr : stdout, "%sinvestigation of %s%s%s (run "
		    "%lld): %d abnormal series on %d service%s%s\n",
		    json ? "midwatch: investigate: " : "", when,
		    svc != NULL ? " on " : "", svc != NULL ? svc : "", res.run_id,
		    res.signals, res.services, res.services == 1 ? "" : "s",
		    res.elsewhere > 0 ? "; more elsewhere, not joined to it by the "
		    "call graph" : "");
	free(svc);
	if (json) {
		j = model_incident_to_json(&s->incidents[0]);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		json_decref(j);
	} else
		cli_incidents_print(s);
	model_free(s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "midwatch: investigate: write error\n");
		return MW_EXIT_ERROR;
	}
	skipped = cli_inv_skipped(ctx, res.run_id);
	return skipped > 0 ? MW_EXIT_ERROR : MW_EXIT_OK;
}
