/*
 * cli_grant.c - who may reach a project (sql/020_roles.sql): `midwatch
 * grant viewer|operator|admin LOGIN [--all-projects]` gives a PostgreSQL
 * role a role in the project (or in every project), `midwatch revoke LOGIN
 * [--all-projects]` takes it back, `midwatch grants [--json]` lists them.
 * Admins of the project only (cli_connect checks); each change is an
 * audit_entries row (grant.added, grant.changed, grant.revoked) with the
 * role before and after.  Granting also makes LOGIN a member of the group
 * role midwatch_ROLE when the caller may; else it says what a DBA runs.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* The grant's project: the project's id, or NULL for --all-projects. */
#define GRANT_PROJECT(ctx, all) ((all) ? NULL : (ctx)->project_id_str)

/* Refuses --all-projects to an admin of this project only. */
static int
grant_all_allowed(struct cli_ctx *ctx, int all, char **cause)
{
	struct db_res *r;
	int ok;

	if (!all || ctx->role == CLI_ROLE_OWNER)
		return 0;
	r = db_run(ctx->db, cause, "cli/grant_all_admin", 0, NULL);
	if (r == NULL)
		return -1;
	ok = strcmp(db_val(r, 0, "allowed"), "t") == 0;
	db_res_free(r);
	if (!ok)
		*cause = xstrdup("refused: --all-projects needs the admin role in "
		    "every project");
	return ok ? 0 : -1;
}

/* Does the PostgreSQL role exist?  1 yes, 0 no, -1 error. */
static int
grant_login_exists(struct cli_ctx *ctx, const char *login, char **cause)
{
	struct db_res *r = DBQN(ctx->db, cause, "cli/login_exists", login);
	int ok;

	if (r == NULL)
		return -1;
	ok = strcmp(db_val(r, 0, "exists"), "t") == 0;
	db_res_free(r);
	return ok;
}

/* midwatch grant ROLE LOGIN [--all-projects]. */
int
cmd_grant(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *role = a->argv[1], *login = a->argv[2];
	int all = cli_args_has(a, "all-projects"), rc;
	struct db_res *r;
	char *cause = NULL;

	if (cli_role_parse(role) < CLI_ROLE_VIEWER ||
	    cli_role_parse(role) > CLI_ROLE_ADMIN)
		return cli_usage_error(a->cmd, "ROLE is viewer, operator or "
		    "admin, not %s", role);
	if (cli_connect(ctx, &cause) != 0 ||
	    grant_all_allowed(ctx, all, &cause) != 0)
		return cli_fail("grant", cause);
	if ((rc = grant_login_exists(ctx, login, &cause)) <= 0)
		return cli_fail("grant", rc < 0 ? cause : xasprintf("no "
		    "PostgreSQL role '%s' (a DBA creates it: CREATE ROLE ... "
		    "LOGIN)", login));
	/* one statement: the grant and its audit entry together */
	r = DBQN(ctx->db, &cause, "cli/grant_upsert", GRANT_PROJECT(ctx, all),
	    login, role, ctx->actor, ctx->project_id_str);
	if (r == NULL)
		return cli_fail("grant", cause);
	if (strcmp(db_val(r, 0, "changed"), "t") != 0)
		printf("%s is %s in %s already\n", login, role, all ?
		    "every project" : ctx->opts.project);
	else if (db_val(r, 0, "before") != NULL)
		printf("%s is now %s in %s (was %s)\n", login, role, all ?
		    "every project" : ctx->opts.project, db_val(r, 0, "before"));
	else
		printf("%s is now %s in %s\n", login, role, all ?
		    "every project" : ctx->opts.project);
	db_res_free(r);
	/* the privileges come with the group role */
	r = DBQN(ctx->db, &cause, "cli/grant_member", login, role);
	if (r == NULL)
		return cli_fail("grant", cause);
	if (db_val(r, 0, "grant_member") != NULL)
		cli_errorf("grant: warning: %s is not a member of midwatch_%s and "
		    "you may not make it one (%s): a DBA runs GRANT midwatch_%s "
		    "TO %s;", login, role, db_val(r, 0, "grant_member"), role,
		    login);
	db_res_free(r);
	return MW_EXIT_OK;
}

/* midwatch revoke LOGIN [--all-projects]. */
int
cmd_revoke(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *login = a->argv[1];
	int all = cli_args_has(a, "all-projects");
	struct db_res *r;
	char *cause = NULL;

	if (cli_connect(ctx, &cause) != 0 ||
	    grant_all_allowed(ctx, all, &cause) != 0)
		return cli_fail("revoke", cause);
	r = DBQN(ctx->db, &cause, "cli/grant_revoke", GRANT_PROJECT(ctx, all),
	    login, ctx->actor, ctx->project_id_str);
	if (r == NULL)
		return cli_fail("revoke", cause);
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return cli_fail("revoke", xasprintf("%s has no grant in %s", login,
		    all ? "every project" : ctx->opts.project));
	}
	printf("%s is no longer %s in %s\n", login, db_val(r, 0, "role"), all ?
	    "every project" : ctx->opts.project);
	db_res_free(r);
	return MW_EXIT_OK;
}

/* midwatch grants [--json]: the grants reaching the project. */
int
cmd_grants(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct db_res *r;
	json_t *arr, *o;
	char *cause = NULL, *m;
	int i;

	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("grants", cause);
	r = DBQN(ctx->db, &cause, "cli/grants", ctx->project_id_str);
	if (r == NULL)
		return cli_fail("grants", cause);
	if (cli_args_has(a, "json")) {
		arr = json_array();
		for (i = 0; i < db_res_rows(r); i++) {
			o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:b}",
			    "member", db_val(r, i, "member"), "role",
			    db_val(r, i, "role"), "all_projects",
			    strcmp(db_val(r, i, "all_projects"), "t") == 0,
			    "granted_by", db_val(r, i, "granted_by"),
			    "granted_at", db_val(r, i, "granted_at"),
			    "in_group_role",
			    strcmp(db_val(r, i, "in_group_role"), "t") == 0);
			if (o != NULL)
				json_array_append_new(arr, o);
		}
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(arr);
	} else if (db_res_rows(r) == 0)
		printf("no grants in %s: only the schema's owner reaches it "
		    "(midwatch grant ROLE LOGIN)\n", ctx->opts.project);
	else {
		printf("%-24s %-9s %-10s %-20s %s\n", "MEMBER", "ROLE", "PROJECT",
		    "GRANTED (UTC)", "BY");
		for (i = 0; i < db_res_rows(r); i++) {
			m = cli_clip(db_val(r, i, "member"), 24);
			printf("%-24s %-9s %-10s %-20s %s%s\n", m,
			    db_val(r, i, "role"),
			    strcmp(db_val(r, i, "all_projects"), "t") == 0 ?
			    "*" : "this", db_val(r, i, "granted_at"),
			    db_val(r, i, "granted_by"),
			    strcmp(db_val(r, i, "in_group_role"), "t") == 0 ? "" :
			    "  (not in its group role: no privileges)");
			free(m);
		}
	}
	db_res_free(r);
	return MW_EXIT_OK;
}
