/*
 * cli_project_settings.c - a project's policy overrides (issue 10):
 * `midwatch project set KEY DURATION`, `project unset KEY` and `project
 * show [--json]`.  KEY is a policy entry a project may override
 * (policy_project_key: incident.quiet_period, incident.reopen_window,
 * console.recent_resolved); the value is stored in seconds in
 * projects.settings (sql/016_lifecycle.sql), read by the stages at every
 * run, so a change applies from the next run without recompiling.  Each
 * change writes an audit entry with the value before and after; set and
 * unset are refused with --readonly.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

/* Prints a usage error about the settings; returns 2. */
static int
settings_usage(char *cause)
{
	cli_errorf("project: %s", cause);
	free(cause);
	fprintf(stderr, "usage: midwatch project set KEY DURATION | unset KEY "
	    "| show [--json]\n  KEY: %s\n", policy_project_keys());
	return MW_EXIT_USAGE;
}

/* Writes settings[key] = value (seconds; NULL removes it) and its audit
 * entry in one statement; prints what changed.  Returns an exit status. */
static int
settings_write(struct cli_ctx *ctx, const char *verb, const char *key,
    const char *value)
{
	struct db_res *r;
	char *cause = NULL;

	if (ctx->opts.readonly)
		return cli_refuse_readonly(verb);
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail(verb, cause);
	r = DBQN(ctx->db, &cause, "cli/project_setting_write",
	    ctx->project_id_str, key, value, ctx->actor);
	if (r == NULL)
		return cli_fail(verb, cause);
	printf("%s: %s s (was %s)%s\n", key,
	    db_val(r, 0, "after") != NULL ? db_val(r, 0, "after") : "default",
	    db_val(r, 0, "before") != NULL ? db_val(r, 0, "before") :
	    "default", db_val_ll(r, 0, "changed") == 0 ?
	    "; nothing changed" : "");
	db_res_free(r);
	return MW_EXIT_OK;
}

/* project set KEY DURATION. */
static int
settings_set(struct cli_ctx *ctx, const struct cli_args *a)
{
	char val[24];
	int secs;

	if (a->argc != 4)
		return settings_usage(xstrdup("set needs a KEY and a DURATION"));
	if (policy_project_key(a->argv[2]) < 0)
		return settings_usage(xasprintf("unknown setting '%s'", a->argv[2]));
	if (conf_parse_duration(a->argv[3], &secs) != 0 || secs <= 0)
		return settings_usage(xasprintf("bad duration '%s' (90s, 45m, 2h, "
		    "1d; more than 0)", a->argv[3]));
	snprintf(val, sizeof val, "%d", secs);
	return settings_write(ctx, "project set", a->argv[2], val);
}

/* project unset KEY. */
static int
settings_unset(struct cli_ctx *ctx, const struct cli_args *a)
{
	if (a->argc != 3)
		return settings_usage(xstrdup("unset needs a KEY"));
	if (policy_project_key(a->argv[2]) < 0)
		return settings_usage(xasprintf("unknown setting '%s'", a->argv[2]));
	return settings_write(ctx, "project unset", a->argv[2], NULL);
}

/* Where a shown value comes from (set_here: set for the project). */
static const char *
settings_from(const struct db_res *r)
{
	const char *v = db_val(r, 0, "set_here");

	return v != NULL && strcmp(v, "t") == 0 ? "project" : "default";
}

/* project show [--json]: every per-project key, its value and where it
 * comes from. */
static int
settings_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct db_res *r;
	json_t *arr = NULL;
	char *cause = NULL, *keys, *k, *save = NULL, def[40];
	int id;

	if (a->argc != 2)
		return settings_usage(xasprintf("unexpected argument %s",
		    a->argv[2]));
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("project show", cause);
	if (cli_args_has(a, "json"))
		arr = json_array();
	else
		printf("%-26s %10s  %s\n", "SETTING", "SECONDS", "FROM");
	keys = xstrdup(policy_project_keys());
	for (k = strtok_r(keys, " ", &save); k != NULL;
	    k = strtok_r(NULL, " ", &save)) {
		id = policy_project_key(k);
		r = DBQN(ctx->db, &cause, "cli/project_setting",
		    ctx->project_id_str, k,
		    policy_param(def, sizeof def, (enum policy_id)id));
		if (r == NULL) {
			free(keys);
			json_decref(arr);
			return cli_fail("project show", cause);
		}
		if (arr != NULL)
			json_array_append_new(arr, json_pack("{s:s, s:f, s:s}",
			    "key", k, "seconds", db_val_f(r, 0, "seconds"), "from",
			    settings_from(r)));
		else
			printf("%-26s %10.0f  %s\n", k, db_val_f(r, 0, "seconds"),
			    settings_from(r));
		db_res_free(r);
	}
	free(keys);
	if (arr != NULL) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(arr);
	}
	return fflush(stdout) == 0 ? MW_EXIT_OK : MW_EXIT_ERROR;
}

/* project set|unset|show ... (see the top of the file). */
int
cli_project_settings(struct cli_ctx *ctx, const struct cli_args *a)
{
	if (cli_args_has(a, "name"))
		return settings_usage(xstrdup("--name is an option of project "
		    "create"));
	if (cli_args_has(a, "json") && strcmp(a->argv[1], "show") != 0)
		return settings_usage(xstrdup("--json is an option of project "
		    "list and project show"));
	if (strcmp(a->argv[1], "set") == 0)
		return settings_set(ctx, a);
	if (strcmp(a->argv[1], "unset") == 0)
		return settings_unset(ctx, a);
	return settings_show(ctx, a);
}
