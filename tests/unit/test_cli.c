/*
 * test_cli.c - unit tests for argument parsing and conninfo resolution.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* argv literals: -Wwrite-strings makes them const, getopt wants char **. */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

#include "midwatch/cli.h"
#include "midwatch/db.h"

/* A fake environment: NAME=VALUE pairs. */
static const char *const *fake_env;

static const char *
fake_getenv(const char *name)
{
	size_t n = strlen(name);
	const char *const *e;

	for (e = fake_env; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* Resolves with env and compares (want NULL = embedded default). */
static void
expect_conninfo(const char *cli, const char *const *env, const char *want)
{
	char *got;

	fake_env = env;
	got = db_conninfo_resolve(cli, fake_getenv);
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
test_conninfo(void **state)
{
	const char *none[] = { "HOME=/home/x", NULL };
	const char *url[] = { "DATABASE_URL=postgresql://h/db", "PGHOST=x", NULL };
	const char *host[] = { "PGHOST=/tmp", NULL };
	const char *svc[] = { "PGSERVICE=prod", NULL };
	const char *dbn[] = { "PGDATABASE=mw", NULL };
	const char *empty[] = { "PGHOST=", "DATABASE_URL=", NULL };

	(void)state;
	expect_conninfo(NULL, none, NULL);
	expect_conninfo("dbname=cli", url, "dbname=cli");
	expect_conninfo("", none, NULL);
	expect_conninfo(NULL, url, "postgresql://h/db");
	expect_conninfo(NULL, host, "");
	expect_conninfo(NULL, svc, "");
	expect_conninfo(NULL, dbn, "");
	expect_conninfo(NULL, empty, NULL);
}

static void
test_cluster_dir(void **state)
{
	const char *explicit[] = { "MIDWATCH_STATE_DIR=/s", "XDG_STATE_HOME=/x", NULL };
	const char *xdg[] = { "XDG_STATE_HOME=/x", "HOME=/h", NULL };
	char *d;

	(void)state;
	fake_env = explicit;
	d = db_cluster_dir(fake_getenv);
	assert_string_equal(d, "/s");
	free(d);
	fake_env = xdg;
	d = db_cluster_dir(fake_getenv);
	assert_string_equal(d, "/x/midwatch");
	free(d);
}

static void
test_parse_global(void **state)
{
	struct cli_opts o;
	char *cause = NULL;
	char *a1[] = { "midwatch", "--db", "dbname=x", "--project", "shop",
	    "--as", "alice", "incidents", "--json", NULL };
	char *a2[] = { "midwatch", NULL };
	char *a3[] = { "midwatch", "--bogus", NULL };
	char *a4[] = { "midwatch", "--db", NULL };
	char *a5[] = { "midwatch", "-V", NULL };
	char *a6[] = { "midwatch", "--readonly", "--project=", NULL };

	(void)state;
	assert_int_equal(cli_parse_global(9, a1, &o, &cause), 7);
	assert_string_equal(o.db, "dbname=x");
	assert_string_equal(o.project, "shop");
	assert_string_equal(o.actor, "alice");
	assert_int_equal(cli_parse_global(1, a2, &o, &cause), 1);
	assert_string_equal(o.project, "default");
	assert_null(o.db);
	assert_int_equal(cli_parse_global(2, a3, &o, &cause), -1);
	assert_non_null(strstr(cause, "--bogus"));
	free(cause);
	cause = NULL;
	assert_int_equal(cli_parse_global(2, a4, &o, &cause), -1);
	assert_non_null(strstr(cause, "needs a value"));
	free(cause);
	cause = NULL;
	assert_int_equal(cli_parse_global(2, a5, &o, &cause), 2);
	assert_true(o.version);
	assert_int_equal(cli_parse_global(3, a6, &o, &cause), -1);
	free(cause);
}

static void
test_find_and_ids(void **state)
{
	long long id;

	(void)state;
	assert_non_null(cli_find("incidents"));
	assert_non_null(cli_find("ack"));
	assert_non_null(cli_find("migrate"));
	assert_null(cli_find("nope"));
	assert_int_equal(cli_parse_id("42", &id), 0);
	assert_true(id == 42);
	assert_int_equal(cli_parse_id("0", &id), -1);
	assert_int_equal(cli_parse_id("-3", &id), -1);
	assert_int_equal(cli_parse_id("12x", &id), -1);
	assert_int_equal(cli_parse_id("", &id), -1);
}

/* The rule of midwatch.projects.slug, checked in C (issue 11). */
static void
test_project_slug(void **state)
{
	static const char *good[] = { "default", "a", "Team.A-1", "p_2", "9lives",
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123" };
	static const char *bad[] = { "", "-x", "_x", ".x", "a b", "a/b", "a\tb",
	    "x\033[31m", "caf\xc3\xa9",
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234" };
	char *cause = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < MW_ARRAY_LEN(good); i++)
		assert_int_equal(cli_project_check(good[i], &cause), 0);
	for (i = 0; i < MW_ARRAY_LEN(bad); i++) {
		assert_int_equal(cli_project_check(bad[i], &cause), -1);
		assert_non_null(strstr(cause, CLI_SLUG_RULE));
		assert_null(strchr(cause, '\033'));
		free(cause);
		cause = NULL;
	}
}

/* Parses argv (a command's words) against its table entry into o, a. */
static int
parse(const char *cmd, int argc, char **argv, struct cli_opts *o,
    struct cli_args *a, char **cause)
{
	memset(o, 0, sizeof *o);
	o->project = "default";
	return cli_args_parse(cli_find(cmd), argc, argv, o, a, cause);
}

/* --readonly anywhere on the line; every command declares its access. */
static void
test_readonly(void **state)
{
	char *a1[] = { "note", "incident", "--readonly", "1", "text", NULL };
	char *a2[] = { "note", "incident", "1", "--", "--readonly", NULL };
	char *a3[] = { "note", "incident", "1", "looked", "--readonly", NULL };
	struct cli_opts o;
	struct cli_args a;
	const struct cli_cmd *c;
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse("note", 5, a1, &o, &a, &cause), 0);
	assert_true(o.readonly);
	assert_int_equal(a.argc, 4);
	assert_string_equal(a.argv[2], "1");
	assert_null(a.argv[4]);
	cli_args_free(&a);
	assert_int_equal(parse("note", 5, a2, &o, &a, &cause), 0);
	assert_false(o.readonly);
	assert_string_equal(a.argv[3], "--readonly");
	cli_args_free(&a);
	assert_int_equal(parse("note", 5, a3, &o, &a, &cause), 0);
	assert_true(o.readonly);
	assert_int_equal(a.argc, 4);
	cli_args_free(&a);
	for (c = cli_cmds; c->name != NULL; c++)
		if (!cli_cmd_access_declared(c->name))
			fail_msg("command %s: declare what it does with --readonly "
			    "in src/cli/cli_access.c", c->name);
	assert_int_equal(cli_cmd_access("run"), CLI_ACCESS_WRITES);
	assert_int_equal(cli_cmd_access("incidents"), CLI_ACCESS_READS);
	assert_int_equal(cli_cmd_access("no-such-command"), CLI_ACCESS_WRITES);
}

/* The role each command needs (sql/020_roles.sql): every reading command
 * (and reading form) viewer, every writing one more; the feedback commands
 * operator; applying migrations the owner; an unknown command admin. */
static void
test_roles(void **state)
{
	static const char *const feedback[] = { "ack", "resolve", "silence",
	    "unsilence", "confirm", "reject", "dismiss", "done", "note" };
	static const char *const reads[][2] = { { "channels", "list" },
	    { "project", "list" }, { "sources", "show" }, { "rules", "test" } };
	const struct cli_cmd *c;
	size_t i;
	int r;

	(void)state;
	for (c = cli_cmds; c->name != NULL; c++) {
		r = cli_cmd_role(c->name, NULL);
		if (cli_cmd_access(c->name) == CLI_ACCESS_WRITES &&
		    r < CLI_ROLE_OPERATOR)
			fail_msg("command %s writes but a viewer may run it",
			    c->name);
		if (r < CLI_ROLE_VIEWER || r > CLI_ROLE_OWNER)
			fail_msg("command %s: no role", c->name);
	}
	for (i = 0; i < MW_ARRAY_LEN(feedback); i++)
		assert_int_equal(cli_cmd_role(feedback[i], NULL),
		    CLI_ROLE_OPERATOR);
	for (i = 0; i < MW_ARRAY_LEN(reads); i++)
		assert_int_equal(cli_cmd_role(reads[i][0], reads[i][1]),
		    CLI_ROLE_VIEWER);
	assert_int_equal(cli_cmd_role("rules", "add"), CLI_ROLE_ADMIN);
	assert_int_equal(cli_cmd_role("channels", "remove"), CLI_ROLE_ADMIN);
	assert_int_equal(cli_cmd_role("run", NULL), CLI_ROLE_ADMIN);
	assert_int_equal(cli_cmd_role("grants", NULL), CLI_ROLE_ADMIN);
	assert_int_equal(cli_cmd_role("incidents", NULL), CLI_ROLE_VIEWER);
	assert_int_equal(cli_cmd_role("migrate", NULL), CLI_ROLE_OWNER);
	assert_int_equal(cli_cmd_role("no-such-command", NULL), CLI_ROLE_ADMIN);
	for (r = CLI_ROLE_NONE; r <= CLI_ROLE_OWNER; r++)
		assert_int_equal(cli_role_parse(cli_role_name(r)), r);
	assert_int_equal(cli_role_parse("boss"), -1);
}

/* Every command takes the global options after its name, its own options
 * in any order, and says what is wrong. */
static void
test_command_options(void **state)
{
	char *run[] = { "run", "--db", "dbname=x", "--at", "2026-01-01T00:00:00Z",
	    "--project=shop", "--as", "bob", NULL };
	char *inc[] = { "incidents", "--bogus", NULL };
	char *rep[] = { "report", NULL };
	char *rep2[] = { "report", "1", "2", NULL };
	char *cl[] = { "cluster", "frob", NULL };
	char *sil[] = { "silence", "12", "--for=1h30m", NULL };
	char *flag[] = { "incidents", "--json=yes", NULL };
	char *val[] = { "run", "--at", NULL };
	char *note[] = { "note", "alert", "3", "-5%", "errors", "--as", "x", NULL };
	char *psql[] = { "psql", "-c", "select 1", "--readonly", "--db", "y", NULL };
	char *help[] = { "migrate", "--help", "extra", NULL };
	struct cli_opts o;
	struct cli_args a;
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse("run", 8, run, &o, &a, &cause), 0);
	assert_string_equal(o.db, "dbname=x");
	assert_string_equal(o.project, "shop");
	assert_string_equal(o.actor, "bob");
	assert_string_equal(cli_args_get(&a, "at"), "2026-01-01T00:00:00Z");
	assert_null(cli_args_get(&a, "since"));
	cli_args_free(&a);
	assert_int_equal(parse("incidents", 2, inc, &o, &a, &cause), -1);
	assert_non_null(strstr(cause, "unknown option --bogus"));
	assert_non_null(strstr(cause, "--json, --all"));
	free(cause);
	cli_args_free(&a);
	assert_int_equal(parse("report", 1, rep, &o, &a, &cause), -1);
	assert_string_equal(cause, "missing INCIDENT_ID");
	free(cause);
	cli_args_free(&a);
	assert_int_equal(parse("report", 3, rep2, &o, &a, &cause), -1);
	assert_non_null(strstr(cause, "unexpected argument 2"));
	free(cause);
	cli_args_free(&a);
	assert_int_equal(parse("cluster", 2, cl, &o, &a, &cause), -1);
	assert_string_equal(cause, "unknown subcommand frob (start, stop or status)");
	free(cause);
	cli_args_free(&a);
	assert_int_equal(parse("silence", 3, sil, &o, &a, &cause), 0);
	assert_string_equal(cli_args_get(&a, "for"), "1h30m");
	assert_true(cli_args_has(&a, "for"));
	assert_false(cli_args_has(&a, "root-cause"));
	cli_args_free(&a);
	assert_int_equal(parse("incidents", 2, flag, &o, &a, &cause), -1);
	assert_non_null(strstr(cause, "takes no value"));
	free(cause);
	cli_args_free(&a);
	assert_int_equal(parse("run", 2, val, &o, &a, &cause), -1);
	assert_non_null(strstr(cause, "--at needs a value"));
	free(cause);
	cli_args_free(&a);
	/* note's TEXT: a dash word is text, a global option is an option */
	assert_int_equal(parse("note", 7, note, &o, &a, &cause), 0);
	assert_int_equal(a.argc, 5);
	assert_string_equal(a.argv[3], "-5%");
	assert_string_equal(o.actor, "x");
	cli_args_free(&a);
	/* psql: every word is psql's, but --readonly */
	assert_int_equal(parse("psql", 6, psql, &o, &a, &cause), 0);
	assert_true(o.readonly);
	assert_null(o.db);
	assert_int_equal(a.argc, 5);
	assert_string_equal(a.argv[3], "--db");
	cli_args_free(&a);
	/* --help: nothing else is checked */
	assert_int_equal(parse("migrate", 3, help, &o, &a, &cause), 0);
	assert_true(o.help);
	cli_args_free(&a);
}

/* Every command of the table is complete: usage, help, and its own
 * options named once. */
static void
test_command_table(void **state)
{
	const struct cli_cmd *c;
	const struct cli_opt *x, *y;

	(void)state;
	for (c = cli_cmds; c->name != NULL; c++) {
		assert_non_null(c->run);
		assert_non_null(c->usage);
		assert_non_null(c->help);
		if (c->min_args > 0 && c->args == NULL)
			fail_msg("command %s: name its arguments (.args)", c->name);
		for (x = c->opts; x != NULL && x->name != NULL; x++)
			for (y = x + 1; y->name != NULL; y++)
				if (strcmp(x->name, y->name) == 0)
					fail_msg("command %s: option %s twice", c->name,
					    x->name);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conninfo),
		cmocka_unit_test(test_cluster_dir),
		cmocka_unit_test(test_parse_global),
		cmocka_unit_test(test_find_and_ids),
		cmocka_unit_test(test_project_slug),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_command_options),
		cmocka_unit_test(test_command_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
