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

/* Says what the run skipped (stderr); returns how many units. */
static long long
cli_inv_skipped(struct cli_ctx *ctx, long long run_id)
{
	struct db_res *r;
	json_t *sk;
	char id[24], *cause = NULL;
	long long n;

	snprintf(id, sizeof id, "%lld", run_id);
	r = DBQN(ctx->db, &cause, "cli/run_skipped", ctx->project_id_str, id);
	if (r == NULL) {
		free(cause);
		return 0;
	}
	n = db_res_rows(r) > 0 ? db_val_ll(r, 0, "skipped_units") : 0;
	if (n > 0) {
		fprintf(stderr, "midwatch: investigate: run %lld completed "
		    "degraded: %lld unit%s skipped:\n", run_id, n,
		    n == 1 ? "" : "s");
		sk = db_val(r, 0, "skipped") != NULL ?
		    json_loads(db_val(r, 0, "skipped"), 0, NULL) : NULL;
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
cmd_investigate(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct investigate_opts io;
	struct investigate_result res;
	struct mw_snapshot *s;
	json_t *j;
	const char *at = cli_args_get(a, "at"), *win = cli_args_get(a, "window");
	char *cause = NULL, *by, *svc, when[32];
	int json = cli_args_has(a, "json"), secs, rc;
	long long skipped;

	memset(&io, 0, sizeof io);
	if (at == NULL)
		return cli_usage_error(a->cmd, "--at TS is required (the moment "
		    "to investigate)");
	if (timefmt_parse(at, &io.at) != 0)
		return cli_usage_error(a->cmd, "--at: not an RFC 3339 timestamp: "
		    "%s", at);
	io.service = cli_args_get(a, "service");
	if (io.service != NULL && *io.service == '\0')
		return cli_usage_error(a->cmd, "--service must not be empty");
	if (win != NULL) {
		if (conf_parse_duration(win, &secs) != 0 ||
		    secs < INVESTIGATE_MIN_WINDOW || secs > INVESTIGATE_MAX_WINDOW)
			return cli_usage_error(a->cmd, "--window: not a duration "
			    "from %ds to %dh (15m, 1h): %s", INVESTIGATE_MIN_WINDOW,
			    INVESTIGATE_MAX_WINDOW / 3600, win);
		io.window = secs;
	}
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

	s = model_load_shown(ctx->db, ctx->project_id, &res.incident_id, 1, 0,
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
