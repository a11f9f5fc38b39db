/*
 * cli_person.c - a person's data (seed 003): `midwatch erase --actor NAME`
 * pseudonymises them everywhere midwatch.personal_data_columns says a name
 * can be (actor columns, notes, feedback payloads, details), in every
 * project, keeping every event's skeleton; `midwatch export --actor NAME`
 * prints everything held about them as JSON.  Both are SQL functions
 * (sql/019_housekeeping.sql) so the two find the same rows; both write an
 * audit entry, the erasure's naming only the pseudonym.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* The --actor of an erase or export, or NULL after a usage error message. */
static const char *
person_actor(const struct cli_args *a)
{
	const char *name = cli_args_get(a, "actor");

	if (name == NULL || strlen(name) < 2) {
		cli_usage_error(a->cmd, "--actor NAME is required (at least 2 "
		    "characters)");
		return NULL;
	}
	return name;
}

/* midwatch erase --actor NAME */
int
cmd_erase(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct db_res *r;
	const char *name, *tables;
	char *cause = NULL;

	if ((name = person_actor(a)) == NULL)
		return MW_EXIT_USAGE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("erase", cause);
	r = DBQN(ctx->db, &cause, "cli/erase_person", name,
	    ctx->project_id_str, ctx->actor);
	if (r == NULL)
		return cli_fail("erase", cause);
	tables = db_val(r, 0, "tables");
	printf("erased: %s rows now name %s%s%s%s\n", db_val(r, 0, "total"),
	    db_val(r, 0, "pseudonym"), *tables != '\0' ? " (" : "", tables,
	    *tables != '\0' ? ")" : "");
	db_res_free(r);
	return MW_EXIT_OK;
}

/* midwatch export --actor NAME */
int
cmd_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct db_res *r;
	const char *name;
	char *cause = NULL;

	if ((name = person_actor(a)) == NULL)
		return MW_EXIT_USAGE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("export", cause);
	r = DBQN(ctx->db, &cause, "cli/export_person", name,
	    ctx->project_id_str, ctx->actor,
	    ctx->opts.readonly ? "false" : "true");
	if (r == NULL)
		return cli_fail("export", cause);
	printf("%s\n", db_val(r, 0, "export"));
	db_res_free(r);
	if (ctx->opts.readonly)
		fprintf(stderr, "midwatch: export: not audited (read-only "
		    "session)\n");
	return MW_EXIT_OK;
}
