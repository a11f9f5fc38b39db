/*
 * cli_common.c - what every subcommand needs: reaching the database (the
 * embedded cluster when none is named), migrating it, finding the project,
 * and reporting errors the same way.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/sanitize.h"
#include "midwatch/xmalloc.h"

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

/* Connects, migrates and resolves the project (see cli.h). */
int
cli_connect(struct cli_ctx *ctx, char **cause)
{
	char *dir, *why = NULL;
	struct db_res *r;
	int applied;

	ctx->actor = cli_actor(&ctx->opts);
	ctx->conninfo = db_conninfo_resolve(ctx->opts.db, cli_getenv);
	if (ctx->conninfo == NULL) {
		dir = db_cluster_dir(cli_getenv);
		if (db_cluster_ensure(dir, &ctx->conninfo, &why) != 0) {
			*cause = xasprintf("embedded database in %s: %s", dir, why);
			free(why);
			free(dir);
			return -1;
		}
		free(dir);
	}
	ctx->db = db_open(ctx->conninfo, cause);
	if (ctx->db == NULL)
		return -1;
	if (db_migrate(ctx->db, db_sql_dir(), &applied, cause) != 0)
		return -1;
	if (applied > 0)
		log_info("applied %d schema migration(s)", applied);
	r = DBQ(ctx->db, cause,
	    "WITH ins AS (INSERT INTO midwatch.projects (slug, name) "
	    "VALUES ($1, $1) ON CONFLICT (slug) DO NOTHING RETURNING id) "
	    "SELECT id FROM ins UNION ALL "
	    "SELECT id FROM midwatch.projects WHERE slug = $1", ctx->opts.project);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) < 1) {
		db_res_free(r);
		*cause = xasprintf("cannot find or create project %s", ctx->opts.project);
		return -1;
	}
	ctx->project_id = db_res_ll(r, 0, 0);
	snprintf(ctx->project_id_str, sizeof ctx->project_id_str, "%lld",
	    ctx->project_id);
	db_res_free(r);
	return 0;
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

/* Reports an error of cmd and returns the runtime-error exit code. */
int
cli_fail(const char *cmd, char *cause)
{
	fprintf(stderr, "midwatch: %s: %s\n", cmd, cause ? cause : "failed");
	free(cause);
	return MW_EXIT_ERROR;
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
