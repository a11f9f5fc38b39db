/*
 * cli_status.c - `midwatch status [--json] [--max-age DURATION]`: the
 * pipeline's health for people and for monitoring checks: the state and its
 * reason, the watermark, the last runs, the units the last run skipped and
 * the windows given up.  The exit status is the state, as a Nagios plugin's:
 * 0 healthy, 1 degraded, 2 failing (the last run failed, or no run completed
 * within --max-age, default 1h; 0 turns that off).  Errors reaching the
 * database exit 3 (UNKNOWN), so a check never reads them as healthy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

/* How many recent runs and gaps are listed. */
#define STATUS_RUNS "5"
#define STATUS_EXIT_UNKNOWN 3

/* The last runs and the windows given up, as JSON arrays (NULL on error). */
static json_t *
status_runs(struct cli_ctx *ctx, const char *which, char **cause)
{
	struct db_res *r;
	json_t *a;
	json_error_t jerr;
	int i, n;

	r = DBQN(ctx->db, cause, "cli/status_runs", ctx->project_id_str, which,
	    STATUS_RUNS);
	if (r == NULL)
		return NULL;
	a = json_loads(db_val(r, 0, "runs"), 0, &jerr);
	db_res_free(r);
	if (!json_is_array(a)) {
		json_decref(a);
		*cause = xstrdup("cannot read the runs");
		return NULL;
	}
	n = (int)json_array_size(a);
	for (i = 0; i < n; i++) {	/* errors quote data: clean them */
		json_t *o = json_array_get(a, (size_t)i);
		const char *e = json_string_value(json_object_get(o, "error"));
		char *c;

		if (e == NULL)
			continue;
		c = sanitize_text(e, 0);
		json_object_set_new(o, "error", json_string(c));
		free(c);
	}
	return a;
}

/* Prints the human form. */
static void
status_print(const struct cli_ctx *ctx, const struct mw_health *h,
    json_t *runs, json_t *gaps)
{
	json_t *o;
	size_t i;
	char *line;

	line = h->line != NULL ? sanitize_text(h->line, 0) : NULL;
	if (line != NULL)
		printf("%s\n", line);
	else
		printf("pipeline %s\n", model_health_name(h->state));
	free(line);
	printf("watermark %s\n", h->watermark != NULL ? h->watermark : "-");
	printf("role %s: %s\n", cli_role_name(ctx->role),
	    cli_role_allows(ctx->role));
	if (json_array_size(runs) > 0)
		printf("\n%-6s %-10s %-21s %-21s %-7s %s\n", "RUN", "STATUS",
		    "WINDOW START", "WINDOW END", "SKIPPED", "ERROR");
	json_array_foreach(runs, i, o) {
		printf("%-6lld %-10s %-21s %-21s %-7lld %s\n",
		    (long long)json_integer_value(json_object_get(o, "id")),
		    json_string_value(json_object_get(o, "status")),
		    json_string_value(json_object_get(o, "window_start")) ?: "-",
		    json_string_value(json_object_get(o, "window_end")) ?: "-",
		    (long long)json_integer_value(json_object_get(o,
		    "skipped_units")),
		    json_string_value(json_object_get(o, "error")) ?: "");
	}
	if (json_array_size(h->skipped) > 0)
		printf("\nskipped by run %lld:\n", h->last_run_id);
	cli_print_skipped("  ", h->skipped);
	if (json_array_size(gaps) > 0)
		printf("\nwindows given up:\n");
	json_array_foreach(gaps, i, o)
		printf("  run %lld: %s .. %s: %s\n",
		    (long long)json_integer_value(json_object_get(o, "id")),
		    json_string_value(json_object_get(o, "window_start")),
		    json_string_value(json_object_get(o, "window_end")),
		    json_string_value(json_object_get(o, "error")) ?: "");
}

/* The JSON form. */
static void
status_json(const struct cli_ctx *ctx, const struct mw_health *h,
    json_t *runs, json_t *gaps)
{
	json_t *o, *sk = json_array();
	json_t *u;
	size_t i;
	char *line = h->line != NULL ? sanitize_text(h->line, 0) : NULL;
	char ok[40];

	json_array_foreach(h->skipped, i, u) {
		json_t *c = json_object();
		const char *k;
		json_t *v;

		json_object_foreach(u, k, v) {
			char *t = sanitize_text(json_string_value(v), 0);

			json_object_set_new(c, k, json_string(t));
			free(t);
		}
		json_array_append_new(sk, c);
	}
	if (h->last_ok > 0)
		timefmt_format(h->last_ok, ok, sizeof ok);
	o = json_pack("{s:s, s:i, s:s?, s:s?, s:I, s:s?, s:s?, s:I, s:o, s:O,"
	    " s:O}",
	    "state", model_health_name(h->state), "exit", h->state,
	    "reason", line, "watermark", h->watermark,
	    "last_run_id", (json_int_t)h->last_run_id,
	    "last_run_status", h->last_run_status,
	    "last_completed_at", h->last_ok > 0 ? ok : NULL, "skipped_units", (json_int_t)h->skipped_units,
	    "skipped", sk, "runs", runs, "gaps", gaps);
	/* what this user may do in the project (sql/020_roles.sql) */
	json_object_set_new(o, "role", json_string(cli_role_name(ctx->role)));
	json_object_set_new(o, "role_allows",
	    json_string(cli_role_allows(ctx->role)));
	free(line);
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

int
cmd_status(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct mw_health h;
	json_t *runs = NULL, *gaps = NULL;
	char *cause = NULL;
	const char *v = cli_args_get(a, "max-age");
	int ch, json = cli_args_has(a, "json"), max_age = 3600;

	if (v != NULL && strcmp(v, "0") == 0)
		max_age = 0;
	else if (v != NULL && conf_parse_duration(v, &max_age) != 0)
		return cli_usage_error(a->cmd, "--max-age: not a duration (90s, "
		    "5m, 1h, 1d, 0 = off): %s", v);
	if (cli_connect(ctx, &cause) != 0) {
		cli_fail("status", cause);
		return STATUS_EXIT_UNKNOWN;
	}
	if (model_health_load(ctx->db, ctx->project_id, max_age, &h,
	    &cause) != 0) {
		cli_fail("status", cause);
		return STATUS_EXIT_UNKNOWN;
	}
	if ((runs = status_runs(ctx, "runs", &cause)) == NULL ||
	    (gaps = status_runs(ctx, "gaps", &cause)) == NULL) {
		json_decref(runs);
		model_health_free(&h);
		cli_fail("status", cause);
		return STATUS_EXIT_UNKNOWN;
	}
	if (json)
		status_json(ctx, &h, runs, gaps);
	else
		status_print(ctx, &h, runs, gaps);
	json_decref(runs);
	json_decref(gaps);
	ch = h.state;
	model_health_free(&h);
	if (fflush(stdout) != 0 || ferror(stdout))
		return STATUS_EXIT_UNKNOWN;
	return ch;
}
