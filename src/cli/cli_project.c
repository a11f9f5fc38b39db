/*
 * cli_project.c - `midwatch project create SLUG [--name NAME]` (the one way,
 * besides ingest and demo, to make a project) and `midwatch project list
 * [--json]` (slug, name, creation, open incidents, active alerts, last
 * completed run).  A slug that breaks the rule is a usage error (2); an
 * existing slug is an error (1); create is refused with --readonly.
 * set, unset and show (a project's policy overrides) are in
 * cli_project_settings.c.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

#define PROJECT_USAGE \
	"usage: midwatch project create SLUG [--name NAME]\n" \
	"       midwatch project list [--json]\n"
/* The longest project name, in bytes. */
#define PROJECT_NAME_MAX 200

/* Prints a usage error (sanitised: it may quote input); returns 2. */
static int
project_usage(char *cause)
{
	cli_errorf("project: %s", cause);
	free(cause);
	fputs(PROJECT_USAGE, stderr);
	return MW_EXIT_USAGE;
}

/* 1 if name is 1..PROJECT_NAME_MAX bytes of printable UTF-8 (nothing
 * sanitize_text would change). */
static int
project_name_ok(const char *name)
{
	char *clean;
	int ok;

	if (*name == '\0' || strlen(name) > PROJECT_NAME_MAX)
		return 0;
	clean = sanitize_text(name, 0);
	ok = strcmp(clean, name) == 0;
	free(clean);
	return ok;
}

/* project create SLUG [--name NAME]. */
static int
project_create(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = cli_args_get(a, "name"), *slug;
	struct db_res *r;
	char *cause = NULL, *s;

	if (cli_args_has(a, "json"))
		return project_usage(xstrdup("--json is an option of project list"));
	if (a->argc != 3)
		return project_usage(xstrdup("create needs a SLUG"));
	slug = a->argv[2];
	if (cli_project_check(slug, &cause) != 0)
		return project_usage(cause);
	if (name == NULL)
		name = slug;
	if (!project_name_ok(name))
		return project_usage(xasprintf("--name: 1 to %d bytes of printable "
		    "UTF-8", PROJECT_NAME_MAX));
	if (ctx->opts.readonly)
		return cli_refuse_readonly("project create");
	ctx->project_mode = CLI_PROJECT_NONE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("project create", cause);
	r = DBQN(ctx->db, &cause, "cli/project_add", slug, name);
	if (r == NULL)
		return cli_fail("project create", cause);
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return cli_fail("project create", xasprintf("project '%s' exists "
		    "already", slug));
	}
	s = cli_clip(name, 80);
	printf("project %s created (id %s, name %s)\n", slug,
	    db_val(r, 0, "id"), s);
	free(s);
	db_res_free(r);
	return MW_EXIT_OK;
}

/* project list [--json]. */
static int
project_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct db_res *r;
	json_t *arr, *o;
	char *cause = NULL, *name;
	int json = cli_args_has(a, "json"), i;

	if (cli_args_has(a, "name"))
		return project_usage(xstrdup("--name is an option of project "
		    "create"));
	if (a->argc > 2)
		return project_usage(xasprintf("unexpected argument %s",
		    a->argv[2]));
	ctx->project_mode = CLI_PROJECT_NONE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("project list", cause);
	r = db_run(ctx->db, &cause, "cli/project_list", 0, NULL);
	if (r == NULL)
		return cli_fail("project list", cause);
	if (json) {
		arr = json_array();
		for (i = 0; i < db_res_rows(r); i++) {
			o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s?}",
			    "slug", db_val(r, i, "slug"),
			    "name", db_val(r, i, "name"),
			    "created_at", db_val(r, i, "created_at"),
			    "open_incidents",
			    (json_int_t)db_val_ll(r, i, "open_incidents"),
			    "active_alerts",
			    (json_int_t)db_val_ll(r, i, "active_alerts"),
			    "last_run_at", db_val(r, i, "last_run_at"));
			if (o != NULL)
				json_array_append_new(arr, o);
		}
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(arr);
	} else if (db_res_rows(r) == 0)
		printf("no projects (midwatch project create SLUG, midwatch "
		    "ingest FILE or midwatch demo)\n");
	else {
		printf("%-24s %-20s %-20s %9s %6s  %s\n", "SLUG", "CREATED (UTC)",
		    "LAST RUN (UTC)", "INCIDENTS", "ALERTS", "NAME");
		for (i = 0; i < db_res_rows(r); i++) {
			name = cli_clip(db_val(r, i, "name"), 60);
			printf("%-24s %-20s %-20s %9lld %6lld  %s\n",
			    db_val(r, i, "slug"), db_val(r, i, "created_at"),
			    db_val(r, i, "last_run_at") != NULL ?
			    db_val(r, i, "last_run_at") : "-",
			    db_val_ll(r, i, "open_incidents"),
			    db_val_ll(r, i, "active_alerts"), name);
			free(name);
		}
	}
	db_res_free(r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "midwatch: project list: write error\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}

/* midwatch project create|list|set|unset|show ... */
int
cmd_project(struct cli_ctx *ctx, const struct cli_args *a)
{
	if (strcmp(a->argv[1], "create") == 0)
		return project_create(ctx, a);
	if (strcmp(a->argv[1], "list") != 0)
		return cli_project_settings(ctx, a);
	return project_list(ctx, a);
}
