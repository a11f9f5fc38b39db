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
#include "midwatch/sqltext.h"
#include "midwatch/xmalloc.h"

/* The grant's project: the project's id, or NULL for --all-projects. */
#define GRANT_PROJECT(ctx, all) ((all) ? NULL : (ctx)->project_id_str)

/*
 * Upserts the grant ($1 project or NULL, $2 member, $3 role, $4 actor) and
 * audits it in the command's project ($5) when it changed anything;
 * returns the role before (NULL: new) and whether it changed.
 */
static const char grant_sql_upsert[] =
    "WITH before AS ("
    "  SELECT role FROM midwatch.project_grants"
    "   WHERE member = $2 AND project_id IS NOT DISTINCT FROM $1::bigint),"
    " up AS ("
    "  INSERT INTO midwatch.project_grants (project_id, member, role, granted_by)"
    "  VALUES ($1::bigint, $2, $3, $4)"
    "  ON CONFLICT (member, project_id) DO UPDATE SET role = EXCLUDED.role,"
    "   granted_by = EXCLUDED.granted_by, granted_at = now()"
    "   WHERE project_grants.role <> EXCLUDED.role"
    "  RETURNING id),"
    " aud AS ("
    "  INSERT INTO midwatch.audit_entries (project_id, actor, action, target,"
    "   details)"
    "  SELECT $5::bigint, $4, CASE WHEN (SELECT role FROM before) IS NULL"
    "   THEN 'grant.added' ELSE 'grant.changed' END, 'grant:' || $2,"
    "   jsonb_build_object('member', $2, 'all_projects', $1::bigint IS NULL,"
    "    'before', (SELECT role FROM before), 'after', $3)"
    "   FROM up)"
    " SELECT (SELECT role FROM before), EXISTS (SELECT 1 FROM up)";

/* Deletes the grant ($1 project or NULL, $2 member) and audits it. */
static const char grant_sql_revoke[] =
    "WITH del AS ("
    "  DELETE FROM midwatch.project_grants"
    "   WHERE member = $2 AND project_id IS NOT DISTINCT FROM $1::bigint"
    "  RETURNING role),"
    " aud AS ("
    "  INSERT INTO midwatch.audit_entries (project_id, actor, action, target,"
    "   details)"
    "  SELECT $4::bigint, $3, 'grant.revoked', 'grant:' || $2,"
    "   jsonb_build_object('member', $2, 'all_projects', $1::bigint IS NULL,"
    "    'before', role, 'after', NULL) FROM del)"
    " SELECT role FROM del";

/* Refuses --all-projects to an admin of this project only. */
static int
grant_all_allowed(struct cli_ctx *ctx, int all, char **cause)
{
	struct db_res *r;
	int ok;

	if (!all || ctx->role == CLI_ROLE_OWNER)
		return 0;
	r = db_query(ctx->db, cause, "SELECT EXISTS (SELECT 1 FROM"
	    " midwatch.project_access WHERE all_projects AND role = 'admin')",
	    0, NULL);
	if (r == NULL)
		return -1;
	ok = strcmp(db_res_get(r, 0, 0), "t") == 0;
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
	struct db_res *r = DBQ(ctx->db, cause,
	    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", login);
	int ok;

	if (r == NULL)
		return -1;
	ok = strcmp(db_res_get(r, 0, 0), "t") == 0;
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
	r = DBQ(ctx->db, &cause, grant_sql_upsert, GRANT_PROJECT(ctx, all),
	    login, role, ctx->actor, ctx->project_id_str);
	if (r == NULL)
		return cli_fail("grant", cause);
	if (strcmp(db_res_get(r, 0, 1), "t") != 0)
		printf("%s is %s in %s already\n", login, role, all ?
		    "every project" : ctx->opts.project);
	else if (db_res_get(r, 0, 0) != NULL)
		printf("%s is now %s in %s (was %s)\n", login, role, all ?
		    "every project" : ctx->opts.project, db_res_get(r, 0, 0));
	else
		printf("%s is now %s in %s\n", login, role, all ?
		    "every project" : ctx->opts.project);
	db_res_free(r);
	/* the privileges come with the group role */
	r = DBQ(ctx->db, &cause, "SELECT midwatch.grant_member($1, $2)", login,
	    role);
	if (r == NULL)
		return cli_fail("grant", cause);
	if (db_res_get(r, 0, 0) != NULL)
		cli_errorf("grant: warning: %s is not a member of midwatch_%s and "
		    "you may not make it one (%s): a DBA runs GRANT midwatch_%s "
		    "TO %s;", login, role, db_res_get(r, 0, 0), role, login);
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
	r = DBQ(ctx->db, &cause, grant_sql_revoke, GRANT_PROJECT(ctx, all),
	    login, ctx->actor, ctx->project_id_str);
	if (r == NULL)
		return cli_fail("revoke", cause);
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return cli_fail("revoke", xasprintf("%s has no grant in %s", login,
		    all ? "every project" : ctx->opts.project));
	}
	printf("%s is no longer %s in %s\n", login, db_res_get(r, 0, 0), all ?
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
	r = DBQ(ctx->db, &cause,
	    "SELECT g.member, g.role, g.project_id IS NULL,"
	    " coalesce(g.granted_by, '-'),"
	    " " SQL_RFC3339("g.granted_at") ","
	    " coalesce((SELECT pg_has_role(g.member, 'midwatch_' || g.role,"
	    "  'MEMBER') FROM pg_roles gr, pg_roles mr WHERE gr.rolname ="
	    "  'midwatch_' || g.role AND mr.rolname = g.member), false)"
	    " FROM midwatch.project_grants g"
	    " WHERE g.project_id = $1::bigint OR g.project_id IS NULL"
	    " ORDER BY g.member COLLATE \"C\", g.project_id NULLS FIRST",
	    ctx->project_id_str);
	if (r == NULL)
		return cli_fail("grants", cause);
	if (cli_args_has(a, "json")) {
		arr = json_array();
		for (i = 0; i < db_res_rows(r); i++) {
			o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:b}",
			    "member", db_res_get(r, i, 0), "role",
			    db_res_get(r, i, 1), "all_projects",
			    strcmp(db_res_get(r, i, 2), "t") == 0, "granted_by",
			    db_res_get(r, i, 3), "granted_at", db_res_get(r, i, 4),
			    "in_group_role", strcmp(db_res_get(r, i, 5), "t") == 0);
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
			m = cli_clip(db_res_get(r, i, 0), 24);
			printf("%-24s %-9s %-10s %-20s %s%s\n", m,
			    db_res_get(r, i, 1), strcmp(db_res_get(r, i, 2), "t") == 0 ?
			    "*" : "this", db_res_get(r, i, 4), db_res_get(r, i, 3),
			    strcmp(db_res_get(r, i, 5), "t") == 0 ? "" :
			    "  (not in its group role: no privileges)");
			free(m);
		}
	}
	db_res_free(r);
	return MW_EXIT_OK;
}
