/*
 * cli_common.c - what every subcommand needs: reaching the database (the
 * embedded cluster when none is named), migrating it, finding the project,
 * and reporting errors the same way (sanitised: they quote input and server
 * messages).  With --readonly nothing is created or migrated and the session
 * is read-only; only ingest and demo create a missing project.
 */
#include "config.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/buf.h"
#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

/* How many known projects "no project" lists (a parameter: text). */
#define CLI_KNOWN_MAX "10"

/* getenv with a const signature for db_conninfo_resolve. */
static const char *
cli_getenv(const char *name)
{
	return getenv(name);
}

/* The operator's name: --as, else $MIDWATCH_ACTOR, else the login name. */
static char *
cli_actor(const struct cli_opts *o)
{
	struct passwd *pw;
	const char *e;

	if (o->actor != NULL && *o->actor != '\0')
		return xstrdup(o->actor);
	if ((e = getenv("MIDWATCH_ACTOR")) != NULL && *e != '\0')
		return xstrdup(e);
	if ((e = getenv("USER")) != NULL && *e != '\0')
		return xstrdup(e);
	pw = getpwuid(getuid());
	return xstrdup(pw != NULL ? pw->pw_name : "unknown");
}

/* Resolves the database (see cli.h). */
int
cli_resolve(struct cli_ctx *ctx, char **cause)
{
	char *dir, *why = NULL;
	int rc;

	ctx->conninfo = db_conninfo_resolve(ctx->opts.db, cli_getenv);
	if (ctx->conninfo == NULL) {
		dir = db_cluster_dir(cli_getenv);
		/* --readonly creates and starts nothing, not even the
		 * embedded cluster or its database. */
		if (ctx->opts.readonly) {
			rc = db_cluster_reach(dir, &ctx->conninfo, cause);
			free(dir);
			return rc;
		}
		if (db_cluster_ensure(dir, &ctx->conninfo, &why) != 0) {
			*cause = xasprintf("embedded database in %s: %s", dir, why);
			free(why);
			free(dir);
			return -1;
		}
		free(dir);
	}
	return 0;
}

/* Resolves the database and connects, read-only with --readonly (see
 * cli.h). */
int
cli_open(struct cli_ctx *ctx, char **cause)
{
	if (ctx->actor == NULL)
		ctx->actor = cli_actor(&ctx->opts);
	if (ctx->opts.readonly)
		db_readonly_process();
	if (cli_resolve(ctx, cause) != 0)
		return -1;
	ctx->db = db_open(ctx->conninfo, cause);
	return ctx->db == NULL ? -1 : 0;
}

/* Does the user own the schema (a member of its owner, or superuser)?  Then
 * row-level security does not apply and migrations are theirs to apply.
 * Without a schema yet, whoever connects creates it. */
int
cli_owner(struct cli_ctx *ctx, char **cause)
{
	struct db_res *r;

	r = db_run(ctx->db, cause, "cli/owner", 0, NULL);
	if (r == NULL)
		return -1;
	ctx->owner = strcmp(db_val(r, 0, "owner"), "t") == 0;
	/* in none of the group roles: say so, rather than "permission
	 * denied for schema midwatch" */
	if (!ctx->owner && strcmp(db_val(r, 0, "usage"), "t") != 0) {
		*cause = xasprintf("%s is in none of the roles midwatch_viewer, "
		    "midwatch_operator, midwatch_admin (an admin runs 'midwatch "
		    "grant ROLE %s')", db_val(r, 0, "login"),
		    db_val(r, 0, "login"));
		db_res_free(r);
		return -1;
	}
	db_res_free(r);
	return 0;
}

/* Says so when the group roles of sql/020_roles.sql are missing: the user
 * who migrated could not create them (no CREATEROLE), and the migration went
 * on without them. */
void
cli_roles_warn(struct cli_ctx *ctx)
{
	struct db_res *r;
	char *cause = NULL;

	r = db_run(ctx->db, &cause, "cli/missing_roles", 0, NULL);
	if (r == NULL) {
		free(cause);
		return;
	}
	if (db_val(r, 0, "missing") != NULL)
		cli_errorf("warning: roles %s do not exist and %s may not create "
		    "them: only the schema's owner can use midwatch until a "
		    "superuser runs 'SELECT midwatch.setup_roles();' "
		    "(README, Configuration)", db_val(r, 0, "missing"),
		    db_val(r, 0, "login"));
	db_res_free(r);
}

/* Migrates, or with --readonly (or as a user who does not own the schema)
 * only checks that nothing is pending. */
static int
cli_schema(struct cli_ctx *ctx, char **cause)
{
	int applied, pending;

	if (cli_owner(ctx, cause) != 0)
		return -1;
	if (ctx->opts.readonly || !ctx->owner) {
		if (db_migrate_pending(ctx->db, db_sql_dir(), &pending, cause) != 0)
			return -1;
		if (pending > 0) {
			*cause = xasprintf("database schema is behind (%d pending "
			    "migration%s); run 'midwatch migrate' %s", pending,
			    pending == 1 ? "" : "s", ctx->owner ?
			    "without --readonly" : "as the schema's owner");
			return -1;
		}
		return 0;
	}
	if (db_migrate(ctx->db, db_sql_dir(), &applied, cause) != 0)
		return -1;
	if (applied > 0) {
		log_info("applied %d schema migration(s)", applied);
		cli_roles_warn(ctx);
	}
	return 0;
}

/* "no project 'X' (known: a, b, c)": the project does not exist. */
static char *
cli_no_project(struct cli_ctx *ctx, const char *slug)
{
	struct db_res *r;
	struct buf b;
	char *cause = NULL, *s;
	long long total;
	int i, n;

	r = DBQN(ctx->db, &cause, "cli/projects_known", CLI_KNOWN_MAX);
	if (r == NULL) {
		s = xasprintf("no project '%s' (%s)", slug, cause);
		free(cause);
		return s;
	}
	n = db_res_rows(r);
	buf_init(&b);
	buf_printf(&b, "no project '%s' ", slug);
	if (n == 0 && !ctx->owner)	/* row-level security hides them */
		buf_adds(&b, "(you reach no project: an admin grants you one, "
		    "midwatch grant ROLE LOGIN)");
	else if (n == 0)
		buf_adds(&b, "(no projects yet: run 'midwatch demo' or 'midwatch "
		    "ingest FILE', or 'midwatch project create SLUG')");
	else {
		buf_adds(&b, "(known: ");
		for (i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i > 0 ? ", " : "",
			    db_val(r, i, "slug"));
		total = db_val_ll(r, 0, "total");
		if (total > n)
			buf_printf(&b, ", ... %lld more", total - n);
		buf_adds(&b, ")");
	}
	db_res_free(r);
	return buf_steal(&b);
}

/* Finds the project (creating it in CLI_PROJECT_CREATE mode). */
static int
cli_project(struct cli_ctx *ctx, char **cause)
{
	struct db_res *r;

	r = DBQN(ctx->db, cause, "cli/project_id", ctx->opts.project);
	/* only when it is missing: an INSERT, even one that conflicts, needs
	 * the right to create projects (admin of every project, under RLS) */
	if (r != NULL && db_res_rows(r) < 1 &&
	    ctx->project_mode == CLI_PROJECT_CREATE) {
		db_res_free(r);
		r = DBQN(ctx->db, cause, "cli/project_create",
		    ctx->opts.project);
	}
	if (r == NULL)
		return -1;
	if (db_res_rows(r) < 1) {
		db_res_free(r);
		*cause = cli_no_project(ctx, ctx->opts.project);
		return -1;
	}
	ctx->project_id = db_val_ll(r, 0, "id");
	snprintf(ctx->project_id_str, sizeof ctx->project_id_str, "%lld",
	    ctx->project_id);
	db_res_free(r);
	return 0;
}

/* What the user may do in the project (sql/020_roles.sql): the schema's
 * owner everything; anyone else what project_grants gives them.  A command
 * the role does not allow is refused; a viewer's session is read-only, as
 * with --readonly. */
static int
cli_role(struct cli_ctx *ctx, char **cause)
{
	struct db_res *r;
	int role;

	if (ctx->owner)
		ctx->role = CLI_ROLE_OWNER;
	else {
		r = DBQN(ctx->db, cause, "cli/project_role",
		    ctx->project_id_str);
		if (r == NULL)
			return -1;
		role = cli_role_parse(db_val(r, 0, "project_role"));
		db_res_free(r);
		ctx->role = role < 0 ? CLI_ROLE_NONE : role;
	}
	if (ctx->role < ctx->need) {
		*cause = cli_role_refusal(ctx);
		return -1;
	}
	if (ctx->role == CLI_ROLE_VIEWER && !ctx->opts.readonly) {
		ctx->opts.readonly = 1;
		db_readonly_process();	/* the connections made from now on */
		if (db_run_exec(ctx->db, cause, "cli/session_readonly", 0,
		    NULL) != 0)
			return -1;
	}
	return 0;
}

/* Connects, migrates and resolves the project (see cli.h). */
int
cli_connect(struct cli_ctx *ctx, char **cause)
{
	if (ctx->project_mode != CLI_PROJECT_NONE &&
	    cli_project_check(ctx->opts.project, cause) != 0)
		return -1;	/* before any SQL sees it */
	if (ctx->opts.readonly && ctx->project_mode == CLI_PROJECT_CREATE) {
		*cause = xstrdup("refused: --readonly (it writes)");
		return -1;
	}
	if (cli_open(ctx, cause) != 0 || cli_schema(ctx, cause) != 0)
		return -1;
	if (ctx->project_mode == CLI_PROJECT_NONE) {
		ctx->role = ctx->owner ? CLI_ROLE_OWNER : CLI_ROLE_NONE;
		return 0;
	}
	if (cli_project(ctx, cause) != 0)
		return -1;
	return cli_role(ctx, cause);
}

/* Closes the connection and frees the context's strings. */
void
cli_disconnect(struct cli_ctx *ctx)
{
	db_close(ctx->db);
	ctx->db = NULL;
	free(ctx->conninfo);
	ctx->conninfo = NULL;
	free(ctx->actor);
	ctx->actor = NULL;
}

/* Reports an error of cmd and returns the runtime-error exit code.  The
 * cause may quote --project, --db or a server message: sanitised. */
int
cli_fail(const char *cmd, char *cause)
{
	cli_errorf("%s: %s", cmd, cause ? cause : "failed");
	free(cause);
	return MW_EXIT_ERROR;
}

/* Prints "midwatch: MESSAGE" sanitised (see cli.h). */
void
cli_errorf(const char *fmt, ...)
{
	va_list ap;
	char *msg, *clean;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	clean = sanitize_text(msg, 0);
	fprintf(stderr, "midwatch: %s\n", clean);
	free(clean);
	free(msg);
}

/* Prints a run's skipped units (see cli.h). */
void
cli_print_skipped(const char *indent, json_t *skipped)
{
	json_t *u;
	size_t i;
	char *id, *why;

	json_array_foreach(skipped, i, u) {
		id = sanitize_text(json_string_value(json_object_get(u, "id")), 0);
		why = sanitize_text(json_string_value(json_object_get(u,
		    "reason")), 0);
		printf("%s%s %s %s: %s\n", indent,
		    json_string_value(json_object_get(u, "stage")),
		    json_string_value(json_object_get(u, "unit")), id, why);
		free(id);
		free(why);
	}
}

/*
 * Returns a malloc'd single-line, sanitised copy of s cut to at most width
 * characters (UTF-8 aware; "..." marks a cut), or "-" for NULL/empty.
 */
char *
cli_clip(const char *s, size_t width)
{
	char *clean;
	size_t chars = 0, i, cut = 0;

	if (s == NULL || *s == '\0')
		return xstrdup("-");
	clean = sanitize_text(s, 0);
	for (i = 0; clean[i] != '\0'; i++) {
		if (((unsigned char)clean[i] & 0xc0) == 0x80)
			continue;
		if (chars == width - 3)
			cut = i;
		if (++chars > width) {
			memcpy(clean + cut, "...", 4);
			break;
		}
	}
	return clean;
}
