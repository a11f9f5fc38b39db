/*
 * cli_args.c - the command-line parser: the global options (before the
 * command and after it), then a command's words read against its entry of
 * the command table (cli_table.c): its own options in any order, "--"
 * ending them, the count of positional arguments and the subcommand.
 * Every usage error says what was wrong ("unknown option --bogus",
 * "missing INCIDENT_ID", "unknown subcommand frob (start, stop,
 * status)").  Also the configuration file, read here once for every
 * command, and positive ids.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/buf.h"
#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/xmalloc.h"

/* The global options: every command takes them, anywhere on the line. */
enum cli_global { G_DB, G_PROJECT, G_AS, G_CONFIG, G_READONLY, G_HELP,
	G_VERSION, G_VERBOSE, G_COUNT };
static const struct cli_opt cli_globals[G_COUNT] = {
	[G_DB] = { "db", 1 }, [G_PROJECT] = { "project", 1 },
	[G_AS] = { "as", 1 }, [G_CONFIG] = { "config", 1 },
	[G_READONLY] = { "readonly", 0 }, [G_HELP] = { "help", 0 },
	[G_VERSION] = { "version", 0 }, [G_VERBOSE] = { "verbose", 0 },
};

/* Sets a global option; value is NULL for flags. */
static void
cli_set_global(struct cli_opts *o, enum cli_global g, const char *value)
{
	switch (g) {
	case G_DB: o->db = value; break;
	case G_PROJECT: o->project = value; o->project_given = 1; break;
	case G_AS: o->actor = value; break;
	case G_CONFIG: o->config = value; break;
	case G_READONLY: o->readonly = 1; break;
	case G_HELP: o->help = 1; break;
	case G_VERSION: o->version = 1; break;
	case G_VERBOSE: o->verbose = 1; break;
	case G_COUNT: break;
	}
}

/* The option called name (n bytes) in list (NULL-terminated), or NULL. */
static const struct cli_opt *
cli_opt_find(const struct cli_opt *list, size_t count, const char *name,
    size_t n)
{
	size_t i;

	for (i = 0; list != NULL && i < count && list[i].name != NULL; i++)
		if (strlen(list[i].name) == n && strncmp(list[i].name, name, n) == 0)
			return &list[i];
	return NULL;
}

/* "--json, --all": a command's own options, for messages. */
static char *
cli_opt_list(const struct cli_cmd *c)
{
	const struct cli_opt *o;
	struct buf b;

	buf_init(&b);
	for (o = c != NULL ? c->opts : NULL; o != NULL && o->name != NULL; o++)
		buf_printf(&b, "%s--%s%s", b.len > 0 ? ", " : "", o->name,
		    o->takes_value ? " VALUE" : "");
	return buf_steal(&b);
}

/*
 * Reads one option word at argv[*i] (a "--name", "--name=value" or short
 * "-h", "-v", "-V"): a global one into opts, else one of c's into a.
 * Takes the value from the next word when needed (*i moves on).  Returns
 * 0, 1 when the word is not an option of either (only when lenient: the
 * caller keeps it as text), or -1 with *cause.
 */
static int
cli_take_option(const struct cli_cmd *c, int argc, char **argv, int *i,
    struct cli_opts *opts, struct cli_args *a, int lenient, char **cause)
{
	const char *w = argv[*i], *name, *eq, *value = NULL;
	const struct cli_opt *g, *own = NULL;
	char *list;
	size_t n;

	if (w[1] != '-') {
		/* the short forms of the global flags */
		if (strcmp(w, "-h") == 0 || strcmp(w, "-v") == 0 ||
		    strcmp(w, "-V") == 0) {
			cli_set_global(opts, w[1] == 'h' ? G_HELP : w[1] == 'v' ?
			    G_VERBOSE : G_VERSION, NULL);
			return 0;
		}
		g = NULL;
		goto unknown;
	}
	name = w + 2;
	eq = strchr(name, '=');
	n = eq != NULL ? (size_t)(eq - name) : strlen(name);
	g = cli_opt_find(cli_globals, G_COUNT, name, n);
	if (g == NULL && c != NULL)
		own = cli_opt_find(c->opts, (size_t)-1, name, n);
	if (g == NULL && own == NULL)
		goto unknown;
	if ((g != NULL ? g : own)->takes_value) {
		if (eq != NULL)
			value = eq + 1;
		else if (*i + 1 < argc)
			value = argv[++*i];
		else {
			*cause = xasprintf("option --%.*s needs a value", (int)n, name);
			return -1;
		}
	} else if (eq != NULL) {
		*cause = xasprintf("option --%.*s takes no value", (int)n, name);
		return -1;
	}
	if (g != NULL)
		cli_set_global(opts, (enum cli_global)(g - cli_globals), value);
	else {
		a->opts = xreallocarray(a->opts, a->n_opts + 1, sizeof *a->opts);
		a->opts[a->n_opts].name = own->name;
		a->opts[a->n_opts].value = value;
		a->n_opts++;
	}
	return 0;
unknown:
	if (lenient)
		return 1;
	list = cli_opt_list(c);
	if (c != NULL && *list != '\0')
		*cause = xasprintf("unknown option %s (%s takes %s and the global "
		    "options)", w, c->name, list);
	else if (c != NULL)
		*cause = xasprintf("unknown option %s (%s takes only the global "
		    "options)", w, c->name);
	else
		*cause = xasprintf("unknown option %s", w);
	free(list);
	return -1;
}

/* Parses the global options up to the command (see cli.h). */
int
cli_parse_global(int argc, char **argv, struct cli_opts *opts, char **cause)
{
	int i;

	memset(opts, 0, sizeof *opts);
	opts->project = "default";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		if (cli_take_option(NULL, argc, argv, &i, opts, NULL, 0,
		    cause) != 0)
			return -1;
	}
	/* A slug that breaks the rule is a usage error, before any SQL. */
	if (cli_project_check(opts->project, cause) != 0)
		return -1;
	return i;
}

/* Adds a positional argument. */
static void
cli_args_push(struct cli_args *a, char *w)
{
	a->argv[a->argc++] = w;
	a->argv[a->argc] = NULL;
}

/* "start, stop or status" from "start stop status" (malloc'd). */
static char *
cli_subs_list(const char *subs)
{
	const char *last = strrchr(subs, ' ');
	struct buf b;
	const char *s;

	buf_init(&b);
	for (s = subs; *s != '\0'; s++) {
		if (*s != ' ')
			buf_addc(&b, *s);
		else
			buf_adds(&b, s == last ? " or " : ", ");
	}
	return buf_steal(&b);
}

/* Checks the count of positional arguments and the subcommand. */
static int
cli_args_check(const struct cli_cmd *c, const struct cli_args *a,
    char **cause)
{
	int n = a->argc - 1;
	const char *s, *end;
	char *list;
	size_t len;

	if (c->subs != NULL) {
		list = cli_subs_list(c->subs);
		if (n == 0) {
			*cause = xasprintf("name a subcommand (%s)", list);
			free(list);
			return -1;
		}
		len = strlen(a->argv[1]);
		for (s = c->subs; *s != '\0'; s = *end != '\0' ? end + 1 : end) {
			end = s + strcspn(s, " ");
			if ((size_t)(end - s) == len &&
			    strncmp(s, a->argv[1], len) == 0)
				break;
		}
		if (*s == '\0') {
			*cause = xasprintf("unknown subcommand %s (%s)", a->argv[1],
			    list);
			free(list);
			return -1;
		}
		free(list);
	}
	if (n < c->min_args) {
		*cause = xasprintf("missing %s", c->args != NULL ? c->args :
		    "arguments");
		return -1;
	}
	if (c->max_args >= 0 && n > c->max_args) {
		*cause = c->max_args == 0 ? xasprintf("unexpected argument %s "
		    "(%s takes no arguments, only options)", a->argv[c->max_args + 1],
		    c->name) : xasprintf("unexpected argument %s (after %s)",
		    a->argv[c->max_args + 1], c->args != NULL ? c->args :
		    "the arguments");
		return -1;
	}
	return 0;
}

/* Parses a command's words (see cli.h). */
int
cli_args_parse(const struct cli_cmd *c, int argc, char **argv,
    struct cli_opts *opts, struct cli_args *a, char **cause)
{
	int i, rc, only_args = 0, text;

	memset(a, 0, sizeof *a);
	a->cmd = c;
	a->argv = xcalloc((size_t)argc + 2, sizeof *a->argv);
	cli_args_push(a, argv[0]);
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (c->flags & CLI_CMD_PASS) {
			/* psql's own words; --readonly counts anywhere, and a
			 * first --help is ours */
			if (strcmp(w, "--readonly") == 0 && !only_args)
				opts->readonly = 1;
			else if (i == 1 && strcmp(w, "--help") == 0)
				opts->help = 1;
			else {
				if (strcmp(w, "--") == 0)
					only_args = 1;
				cli_args_push(a, argv[i]);
			}
			continue;
		}
		if (only_args || w[0] != '-' || w[1] == '\0') {
			cli_args_push(a, argv[i]);
			continue;
		}
		if (strcmp(w, "--") == 0) {
			only_args = 1;
			continue;
		}
		text = c->text_at > 0 && a->argc >= c->text_at;
		rc = cli_take_option(c, argc, argv, &i, opts, a, text, cause);
		if (rc < 0)
			return -1;
		if (rc > 0)
			cli_args_push(a, argv[i]);	/* text, not an option */
	}
	if (opts->help || opts->version)
		return 0;
	if (cli_project_check(opts->project, cause) != 0)
		return -1;
	return cli_args_check(c, a, cause);
}

/* Frees what cli_args_parse allocated. */
void
cli_args_free(struct cli_args *a)
{
	free(a->argv);
	free(a->opts);
	memset(a, 0, sizeof *a);
}

/* 1 if option name was given. */
int
cli_args_has(const struct cli_args *a, const char *name)
{
	size_t i = 0;

	return cli_args_next(a, name, &i) != NULL;
}

/* The last value of option name, or NULL. */
const char *
cli_args_get(const struct cli_args *a, const char *name)
{
	const char *v, *last = NULL;
	size_t i = 0;

	while ((v = cli_args_next(a, name, &i)) != NULL)
		last = v;
	return last;
}

/* The next occurrence of option name from *i: its value ("" for a flag),
 * or NULL when there is none; *i moves past it. */
const char *
cli_args_next(const struct cli_args *a, const char *name, size_t *i)
{
	for (; *i < a->n_opts; (*i)++) {
		if (strcmp(a->opts[*i].name, name) == 0) {
			const char *v = a->opts[*i].value;

			(*i)++;
			return v != NULL ? v : "";
		}
	}
	return NULL;
}

/* getenv with the signature conf_default_path wants. */
static const char *
cli_getenv_conf(const char *name)
{
	return getenv(name);
}

/* Reads the configuration file and merges it (see cli.h). */
int
cli_config(struct cli_ctx *ctx, char **cause)
{
	struct conf *c = xcalloc(1, sizeof *c);
	const char *e;
	char *path;
	int rc = 0;

	conf_init(c);
	ctx->conf = c;
	if (ctx->opts.config != NULL)
		rc = conf_load_file(c, ctx->opts.config, cause);
	else if ((path = conf_default_path(cli_getenv_conf)) != NULL) {
		if (access(path, F_OK) == 0)
			rc = conf_load_file(c, path, cause);
		free(path);
	}
	if (rc != 0)
		return -1;
	/* The command line wins over the file; the file's db wins over the
	 * libpq environment (it is passed on as --db would be). */
	if (ctx->opts.db == NULL && c->db != NULL)
		ctx->opts.db = c->db;
	if (!ctx->opts.project_given && c->project != NULL)
		ctx->opts.project = c->project;
	if (ctx->opts.actor == NULL && c->actor != NULL &&
	    ((e = getenv("MIDWATCH_ACTOR")) == NULL || *e == '\0'))
		ctx->opts.actor = c->actor;
	if (c->readonly == 1)
		ctx->opts.readonly = 1;
	return 0;
}

/* Frees the configuration. */
void
cli_config_free(struct cli_ctx *ctx)
{
	if (ctx->conf == NULL)
		return;
	conf_free(ctx->conf);
	free(ctx->conf);
	ctx->conf = NULL;
}

/* Parses a positive id. */
int
cli_parse_id(const char *s, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}
