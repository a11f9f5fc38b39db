/*
 * cli_purge.c - `midwatch purge [--dry-run] [--json]`: retention by hand,
 * the same as the runner's daily housekeeping does (housekeeping.h), with
 * per table the rows it removes (or, with --dry-run, would remove); and
 * `purge --policies` / `purge --keep TABLE=DAYS|forever`, which show and
 * change the policies (global: metric partitions are shared), audited.
 * A purge holds the project's pipeline lock, as the runner's housekeeping
 * does, so it never runs in the middle of a pipeline run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/housekeeping.h"
#include "midwatch/jsonx.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

/* Prints the policies, one table a line. */
static int
purge_policies(struct cli_ctx *ctx)
{
	struct db_res *r;
	char *cause = NULL;
	int i;

	r = DBQN(ctx->db, &cause, "cli/retention_policies",
	    ctx->project_id_str);
	if (r == NULL)
		return cli_fail("purge", cause);
	printf("%-22s %-14s %-8s %s\n", "TABLE", "BY", "KEEP", "NOTE");
	for (i = 0; i < db_res_rows(r); i++)
		printf("%-22s %-14s %-8s %s\n", db_val(r, i, "table_name"),
		    db_val(r, i, "ts_column"), db_val(r, i, "keep"),
		    db_val(r, i, "note"));
	db_res_free(r);
	return MW_EXIT_OK;
}

/* --keep TABLE=DAYS|forever: changes one policy, with an audit entry. */
static int
purge_keep(struct cli_ctx *ctx, const char *arg)
{
	struct db_res *r;
	const char *eq = strchr(arg, '=');
	char *table, *cause = NULL, *end;
	const char *days;
	long n = 0;

	if (eq == NULL || eq == arg)
		return cli_usage_error(cli_find("purge"),
		    "--keep takes TABLE=DAYS or TABLE=forever");
	days = eq + 1;
	if (strcmp(days, "forever") != 0) {
		n = strtol(days, &end, 10);
		if (*days == '\0' || *end != '\0' || n < 1 || n > 36500)
			return cli_usage_error(cli_find("purge"),
			    "--keep %s: days from 1 to 36500, or forever", arg);
	}
	table = xstrndup(arg, (size_t)(eq - arg));
	r = DBQN(ctx->db, &cause, "cli/retention_keep", ctx->project_id_str,
	    table, days, ctx->actor);
	if (r == NULL) {
		free(table);
		return cli_fail("purge", cause);
	}
	if (db_res_rows(r) == 0) {
		cli_errorf("purge: no retention policy for table '%s'", table);
		db_res_free(r);
		free(table);
		return MW_EXIT_ERROR;
	}
	db_res_free(r);
	printf("%s: kept %s%s\n", table, days, n > 0 ? " days" : "");
	free(table);
	return MW_EXIT_OK;
}

/* Prints what retention removed (or would), per table. */
static void
purge_print(json_t *tables, long long total, int dry, int as_json)
{
	const char *table;
	json_t *v;

	if (as_json) {
		json_t *o = json_pack("{s:b, s:O, s:I}", "dry_run", dry,
		    "tables", tables, "total", (json_int_t)total);
		char *s = jsonx_dump(o);

		printf("%s\n", s);
		free(s);
		json_decref(o);
		return;
	}
	printf("%-22s %12s\n", "TABLE", dry ? "WOULD REMOVE" : "REMOVED");
	json_object_foreach(tables, table, v)
		printf("%-22s %12lld\n", table, (long long)json_integer_value(v));
	printf("%-22s %12lld\n", "total", total);
}

/* midwatch purge */
int
cmd_purge(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *tables = NULL;
	char *cause = NULL;
	long long total;
	int dry = cli_args_has(a, "dry-run"), rc;

	if (cli_args_has(a, "keep") + cli_args_has(a, "policies") +
	    (dry || cli_args_has(a, "json")) > 1)
		return cli_usage_error(a->cmd, "--keep, --policies and a purge "
		    "are separate");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("purge", cause);
	if (cli_args_has(a, "policies"))
		return purge_policies(ctx);
	if (cli_args_has(a, "keep"))
		return purge_keep(ctx, cli_args_get(a, "keep"));
	/* under the pipeline lock, as the runner's housekeeping: never in
	 * the middle of a run (a dry run changes nothing and takes none) */
	if (!dry && (rc = db_try_lock(ctx->db, DB_LOCK_PIPELINE +
	    ctx->project_id, &cause)) != 1) {
		if (rc < 0)
			return cli_fail("purge", cause);
		fprintf(stderr, "midwatch: purge: waiting for the pipeline run "
		    "in progress\n");
		if (db_lock(ctx->db, DB_LOCK_PIPELINE + ctx->project_id,
		    &cause) != 0)
			return cli_fail("purge", cause);
	}
	rc = housekeeping_retention(ctx->db, ctx->project_id, dry, ctx->actor,
	    "purge", &tables, &total, &cause);
	if (!dry && db_alive(ctx->db)) {
		char *why = NULL;

		if (db_unlock(ctx->db, DB_LOCK_PIPELINE + ctx->project_id,
		    &why) != 0)
			free(why);
	}
	if (rc != 0)
		return cli_fail("purge", cause);
	purge_print(tables, total, dry, cli_args_has(a, "json"));
	json_decref(tables);
	return MW_EXIT_OK;
}
