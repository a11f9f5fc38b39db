/*
 * test_conf.c - unit tests for the console configuration file parser:
 * settings, durations, booleans, bind/unbind/color lines, comments and
 * quoting, errors with FILE:LINE, the default path, reading a file; the
 * defaults of the settings table and doc/console.md's list of it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "midwatch/conf.h"

static const char example[] =
    "# midwatch console configuration\n"
    "\n"
    "db = host=/var/run/postgresql dbname=midwatch\n"
    "project = payments\n"
    "as = \"alice\"\n"
    "readonly = no\n"
    "pipeline-interval = 2m\n"
    "refresh-interval = 15s\n"
    "stale-ack = 1h30m\n"
    "color = yes\n"
    "ascii = off\n"
    "   # an indented comment\n"
    "bind K move-up\n"
    "unbind x\n"
    "color selected black cyan bold\n"
    "color critical red\n"
    "color title bold\n";

static void
test_conf_example(void **state)
{
	struct conf c;
	char *cause = NULL;

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_parse(&c, example, "config", &cause), 0);
	assert_string_equal(c.db, "host=/var/run/postgresql dbname=midwatch");
	assert_string_equal(c.project, "payments");
	assert_string_equal(c.actor, "alice");
	assert_int_equal(c.readonly, 0);
	assert_int_equal(c.pipeline_interval, 120);
	assert_int_equal(c.refresh_interval, 15);
	assert_int_equal(c.stale_ack, 5400);
	assert_int_equal(c.color, 1);
	assert_int_equal(c.ascii, 0);
	assert_int_equal(c.n_binds, 2);
	assert_string_equal(c.binds[0].key, "K");
	assert_string_equal(c.binds[0].action, "move-up");
	assert_string_equal(c.binds[0].where, "config:13");
	assert_string_equal(c.binds[1].key, "x");
	assert_null(c.binds[1].action);
	assert_int_equal(c.n_colors, 3);
	assert_string_equal(c.colors[0].slot, "selected");
	assert_string_equal(c.colors[0].fg, "black");
	assert_string_equal(c.colors[0].bg, "cyan");
	assert_string_equal(c.colors[0].attrs, "bold");
	assert_null(c.colors[1].bg);
	assert_null(c.colors[1].attrs);
	assert_string_equal(c.colors[2].fg, "default");	/* attributes only */
	assert_string_equal(c.colors[2].attrs, "bold");
	conf_free(&c);
	/* conf_free leaves it reusable, at the defaults. */
	assert_null(c.db);
	assert_int_equal(c.readonly, 0);
}

static void
test_conf_unset(void **state)
{
	struct conf c;
	char *cause = NULL;

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "", "empty", &cause), 0);
	assert_null(c.db);
	assert_null(c.project);
	/* What the file does not set is at the defaults of conf_options. */
	assert_int_equal(c.readonly, 0);
	assert_int_equal(c.pipeline_interval, 60);
	assert_int_equal(c.refresh_interval, 30);
	assert_int_equal(c.stale_ack, 1800);
	assert_int_equal(c.color, 1);
	assert_int_equal(c.ascii, 0);
	/* ... and the old names still read. */
	assert_int_equal(conf_parse(&c, "interval = 5m\ncolour = no\nactor = \n"
	    "database = x\n", "aliases", &cause), 0);
	assert_int_equal(c.pipeline_interval, 300);
	assert_int_equal(c.color, 0);
	assert_null(c.actor);
	assert_string_equal(c.db, "x");
	/* A later file adds to and overrides an earlier one. */
	assert_int_equal(conf_parse(&c, "project = a\n", "one", &cause), 0);
	assert_int_equal(conf_parse(&c, "project = b\npipeline-interval = 0\n", "two",
	    &cause), 0);
	assert_string_equal(c.project, "b");
	assert_int_equal(c.pipeline_interval, 0);
	conf_free(&c);
}

/* Parsing text must fail with exactly want. */
static void
expect_error(const char *text, const char *want)
{
	struct conf c;
	char *cause = NULL;

	conf_init(&c);
	assert_int_equal(conf_parse(&c, text, "f", &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	conf_free(&c);
}

static void
test_conf_errors(void **state)
{
	(void)state;
	expect_error("colour-scheme = dark\n", "f:1: unknown setting 'colour-scheme'");
	expect_error("\n\nreadonly = maybe\n", "f:3: readonly wants yes or no, not 'maybe'");
	expect_error("pipeline-interval = soon\n",
	    "f:1: pipeline-interval wants a duration (60, 90s, 5m, 2h), not 'soon'");
	expect_error("refresh-interval = 0\n", "f:1: refresh-interval must be at least 1s");
	expect_error("just words\n",
	    "f:1: expected 'name = value', 'bind', 'unbind', 'color' or 'channel', not 'just words'");
	expect_error("channel solo\n",
	    "f:1: usage: channel NAME KIND [URL] [KEY=VALUE]... [all-rules]");
	expect_error("channel a webhook http://h/x loud\n",
	    "f:1: channel a: 'loud' is neither a URL (scheme://...), a KEY=VALUE "
	    "setting nor all-rules");
	expect_error("bind j\n", "f:1: usage: bind KEY ACTION");
	expect_error("bind j move-down now\n", "f:1: unexpected 'now' after the action");
	expect_error("unbind\n", "f:1: usage: unbind KEY");
	expect_error("color selected\n",
	    "f:1: usage: color SLOT FOREGROUND [BACKGROUND] [ATTRIBUTE...]");
	expect_error("= x\n", "f:1: missing setting name before '='");
	expect_error("project =\n", "f:1: project must not be empty");
}

/* `channel` lines: name, kind, the URL only right after the kind, settings
 * and all-rules in any order, where each came from. */
static void
test_conf_channels(void **state)
{
	struct conf c;
	char *cause = NULL;

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "channel = not a directive? no:\n", "f",
	    &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(conf_parse(&c,
	    "# two\n"
	    "channel hooks webhook https://h/x?a=b retry-base=5s all-rules\n"
	    "  channel pager pagerduty key-env=PD max-attempts=3\n", "f", &cause),
	    0);
	assert_null(cause);
	assert_int_equal(c.n_channels, 2);
	assert_string_equal(c.channels[0].name, "hooks");
	assert_string_equal(c.channels[0].kind, "webhook");
	assert_string_equal(c.channels[0].url, "https://h/x?a=b");
	assert_int_equal(c.channels[0].n_sets, 1);
	assert_string_equal(c.channels[0].sets[0], "retry-base=5s");
	assert_int_equal(c.channels[0].all_rules, 1);
	assert_string_equal(c.channels[0].where, "f:2");
	assert_null(c.channels[1].url);
	assert_int_equal(c.channels[1].n_sets, 2);
	assert_string_equal(c.channels[1].sets[1], "max-attempts=3");
	assert_int_equal(c.channels[1].all_rules, 0);
	assert_string_equal(c.channels[1].where, "f:3");
	conf_free(&c);
	assert_int_equal(c.n_channels, 0);
}

static void
test_conf_durations(void **state)
{
	int s;

	(void)state;
	assert_int_equal(conf_parse_duration("60", &s), 0);
	assert_int_equal(s, 60);
	assert_int_equal(conf_parse_duration("90s", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(conf_parse_duration("5m", &s), 0);
	assert_int_equal(s, 300);
	assert_int_equal(conf_parse_duration("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(conf_parse_duration("1d", &s), 0);
	assert_int_equal(s, 86400);
	assert_int_equal(conf_parse_duration("1h30m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(conf_parse_duration("0", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(conf_parse_duration("", &s), -1);
	assert_int_equal(conf_parse_duration("-5", &s), -1);
	assert_int_equal(conf_parse_duration("5x", &s), -1);
	assert_int_equal(conf_parse_duration("m", &s), -1);
	assert_int_equal(conf_parse_duration("99999999999", &s), -1);
	assert_int_equal(conf_parse_bool("Yes"), 1);
	assert_int_equal(conf_parse_bool("off"), 0);
	assert_int_equal(conf_parse_bool("2"), -1);
}

/* A getenv for tests. */
static const char *test_xdg;
static const char *test_home;

static const char *
fake_getenv(const char *name)
{
	if (strcmp(name, "XDG_CONFIG_HOME") == 0)
		return test_xdg;
	if (strcmp(name, "HOME") == 0)
		return test_home;
	return NULL;
}

static void
test_conf_paths(void **state)
{
	char *p;

	(void)state;
	test_xdg = "/x/conf";
	test_home = "/home/al";
	p = conf_default_path(fake_getenv);
	assert_string_equal(p, "/x/conf/midwatch/config");
	free(p);
	test_xdg = NULL;
	p = conf_default_path(fake_getenv);
	assert_string_equal(p, "/home/al/.config/midwatch/config");
	free(p);
	test_xdg = "relative";	/* ignored, as the XDG spec says */
	p = conf_default_path(fake_getenv);
	assert_string_equal(p, "/home/al/.config/midwatch/config");
	free(p);
	test_xdg = NULL;
	test_home = NULL;
	assert_null(conf_default_path(fake_getenv));
}

static void
test_conf_file(void **state)
{
	char path[] = "/tmp/mwconfXXXXXX";
	struct conf c;
	char *cause = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "project = from-file\r\nbind K move-up", 35), 35);
	close(fd);
	conf_init(&c);
	assert_int_equal(conf_load_file(&c, path, &cause), 0);
	assert_string_equal(c.project, "from-file");	/* CRLF tolerated */
	assert_int_equal(c.n_binds, 1);		/* no final newline needed */
	conf_free(&c);
	unlink(path);
	assert_int_equal(conf_load_file(&c, path, &cause), -1);
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	conf_free(&c);
}

/* doc/console.md lists the settings as conf_options says (between its
 * conf markers), so the documentation cannot drift from the parser. */
static void
test_conf_doc(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path, *text, *begin, *end, *table;
	FILE *f;
	long n;

	(void)state;
	if (top == NULL)
		top = "..";
	path = malloc(strlen(top) + 32);
	assert_non_null(path);
	sprintf(path, "%s/doc/console.md", top);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	begin = strstr(text, "<!-- conf:begin -->\n");
	end = strstr(text, "<!-- conf:end -->");
	assert_non_null(begin);
	assert_non_null(end);
	begin += strlen("<!-- conf:begin -->\n");
	assert_true(end > begin);
	*end = '\0';
	table = conf_options_markdown();
	assert_string_equal(begin, table);
	free(table);
	free(text);
	free(path);
}

/* --help comes from the same table: every setting is listed under its name
 * with its default, and a setting with a flag as --NAME; the defaults are
 * the ones conf_init sets. */
static void
test_conf_usage(void **state)
{
	char *u, *g, line[128];
	struct conf c;
	size_t i;

	(void)state;
	g = conf_options_usage(0);
	u = conf_options_usage(1);
	u = realloc(u, strlen(u) + 2);
	assert_non_null(u);
	memmove(u + 1, u, strlen(u) + 1);
	u[0] = '\n';
	conf_init(&c);
	assert_non_null(strstr(u, "\n  --db CONNINFO "));
	assert_non_null(strstr(u, "  --readonly "));
	assert_null(strstr(g, "stale-ack"));
	assert_non_null(strstr(g, "  --project SLUG "));
	for (i = 0; i < conf_n_options; i++) {
		snprintf(line, sizeof line, "\n  %-18s %s (default: ",
		    conf_options[i].name, conf_options[i].help);
		assert_non_null(strstr(u, line));
		if (conf_options[i].flag != NULL) {
			snprintf(line, sizeof line, "\n  --%s", conf_options[i].name);
			assert_non_null(strstr(u, line));
		}
	}
	assert_int_equal(c.stale_ack, 1800);
	assert_non_null(strstr(u, "stale-ack          older acknowledgements stand out (default: 30m)"));
	assert_non_null(strstr(u, "color              colours (no: monochrome even on a colour terminal) (default: yes)"));
	conf_free(&c);
	free(u);
	free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_example),
		cmocka_unit_test(test_conf_unset),
		cmocka_unit_test(test_conf_doc),
		cmocka_unit_test(test_conf_usage),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_conf_channels),
		cmocka_unit_test(test_conf_durations),
		cmocka_unit_test(test_conf_paths),
		cmocka_unit_test(test_conf_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
