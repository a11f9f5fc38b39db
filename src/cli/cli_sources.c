/*
 * cli_sources.c - `midwatch sources add|list|show|test|remove`: the pulled
 * sources of a project (Prometheus, Thanos or Mimir; Alertmanager) that
 * every `midwatch run` and the console's runner pull before the pipeline.
 * Secrets are named (--set key-env=NAME, --set key-file=PATH), never taken
 * on the command line, stored or printed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/jsonx.h"
#include "midwatch/net.h"
#include "midwatch/sanitize.h"
#include "midwatch/settings.h"
#include "midwatch/sources.h"
#include "midwatch/xmalloc.h"

#define SOURCES_USAGE \
	"usage: midwatch sources add prometheus|alertmanager NAME URL " \
	"[--set KEY=VALUE]...\n" \
	"       midwatch sources list [--json]\n" \
	"       midwatch sources show NAME [--json]\n" \
	"       midwatch sources test NAME\n" \
	"       midwatch sources remove NAME\n"

/* What the command line of one subcommand said. */
struct src_args {
	const char *sub;
	json_t *settings;
	const char **sets;	/* the --set values, applied once the kind is known */
	int nsets, json;
	char **pos;
	int npos;
};

static int
src_usage_error(const char *sub, char *cause)
{
	char *s = sanitize_text(cause, 0);

	fprintf(stderr, "midwatch: sources %s: %s\n" SOURCES_USAGE, sub, s);
	free(s);
	free(cause);
	return MW_EXIT_USAGE;
}

/* Reads the options of one subcommand (parsed against the command table),
 * refusing those of another; 0 or -1 with *cause. */
static int
src_parse(const struct cli_args *ca, struct src_args *a, char **cause)
{
	size_t i;

	a->sets = xcalloc(ca->n_opts + 1, sizeof *a->sets);
	for (i = 0; i < ca->n_opts; i++) {
		if (strcmp(ca->opts[i].name, "set") == 0) {
			if (strcmp(a->sub, "add") != 0) {
				*cause = xstrdup("--set is an option of sources add");
				return -1;
			}
			a->sets[a->nsets++] = ca->opts[i].value;
		} else if (strcmp(ca->opts[i].name, "json") == 0) {
			if (strcmp(a->sub, "list") != 0 &&
			    strcmp(a->sub, "show") != 0) {
				*cause = xstrdup("--json is an option of sources list "
				    "and show");
				return -1;
			}
			a->json = 1;
		}
	}
	a->pos = ca->argv + 2;
	a->npos = ca->argc - 2;
	return 0;
}

/* 1 if the URL carries user:password before its host. */
static int
url_has_userinfo(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return 0;
	p += 3;
	return memchr(p, '@', strcspn(p, "/?#")) != NULL;
}

/* sources add KIND NAME URL. */
static int
src_add(struct cli_ctx *ctx, struct src_args *a)
{
	const char *kind, *name, *url, *env;
	char *cause = NULL, *why;
	int i, rc;

	if (a->npos != 3)
		return src_usage_error("add", xstrdup(a->npos < 3 ?
		    "add needs a kind, a name and a URL" : "too many arguments"));
	kind = a->pos[0];
	name = a->pos[1];
	url = a->pos[2];
	if (!sources_kind_valid(kind))
		return src_usage_error("add", xasprintf("unknown source kind %s "
		    "(prometheus or alertmanager)", kind));
	if (!sources_name_valid(name))
		return src_usage_error("add", xasprintf("bad source name %s "
		    "(letters, digits, _ . -; at most 64)", name));
	if (net_url_check(url, &cause) != 0) {
		why = xasprintf("URL %s: %s", url, cause);
		free(cause);
		return src_usage_error("add", why);
	}
	if (url_has_userinfo(url))
		return src_usage_error("add", xstrdup("the URL holds credentials; "
		    "give the user with --set user=NAME and the password with "
		    "--set key-file=PATH or key-env=NAME instead"));
	for (i = 0; i < a->nsets; i++)
		if (sources_setting_parse(kind, a->settings, a->sets[i],
		    &cause) != 0)
			return src_usage_error("add", cause);
	if (json_object_get(a->settings, "user") != NULL &&
	    json_object_get(a->settings, "key-env") == NULL &&
	    json_object_get(a->settings, "key-file") == NULL)
		return src_usage_error("add", xstrdup("user needs its password: "
		    "--set key-env=NAME or --set key-file=PATH"));
	if (ctx->opts.readonly)
		return cli_refuse_readonly("sources add");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("sources add", cause);
	rc = sources_add(ctx->db, ctx->project_id, kind, name, url, a->settings,
	    ctx->actor, &cause);
	if (rc < 0)
		return cli_fail("sources add", cause);
	if (rc == 1) {
		fprintf(stderr, "midwatch: sources add: a source named %s exists "
		    "already (sources remove %s first)\n", name, name);
		return MW_EXIT_ERROR;
	}
	printf("source %s added (%s %s); every run pulls it\n", name, kind, url);
	env = jsonx_str(a->settings, "key-env", 0, NULL);
	if (env != NULL && getenv(env) == NULL)
		fprintf(stderr, "midwatch: sources add: warning: %s is not set in "
		    "this environment; set it where midwatch runs\n", env);
	return MW_EXIT_OK;
}

/* A string member or "-". */
static const char *
str_or_dash(json_t *o, const char *key)
{
	const char *v = jsonx_str(o, key, 0, NULL);

	return v != NULL && *v != '\0' ? v : "-";
}

/* One line of the table. */
static void
src_print_row(json_t *s)
{
	char *name = sanitize_text(str_or_dash(s, "name"), 0);
	char *url = sanitize_text(str_or_dash(s, "url"), 0);
	char *err;
	const char *status = str_or_dash(s, "status");

	printf("%-16s %-12s %-6s %-20s %7lld  %s\n", name, str_or_dash(s, "kind"),
	    status, str_or_dash(s, "last_ok_at"),
	    (long long)json_integer_value(json_object_get(s, "errors")), url);
	if (strcmp(status, "error") == 0) {
		err = sanitize_text(str_or_dash(s, "last_error"), 0);
		printf("%-16s %lld failed pull%s in a row, next try %s: %s\n", "",
		    (long long)json_integer_value(json_object_get(s, "retries")),
		    json_integer_value(json_object_get(s, "retries")) == 1 ? "" :
		    "s", str_or_dash(s, "next_retry_at"), err);
		free(err);
	}
	free(name);
	free(url);
}

/* sources show NAME: everything about one, settings included. */
static void
src_print_one(json_t *s)
{
	json_t *set = json_object_get(s, "settings"), *v;
	const char *k;
	char *t, *d;

	src_print_row(s);
	d = json_dumps(json_object_get(s, "cursor"), JSON_COMPACT);
	t = sanitize_text(d != NULL ? d : "{}", 0);
	printf("  cursor        %s\n  last attempt  %s\n", t,
	    str_or_dash(s, "last_attempt_at"));
	free(t);
	free(d);
	json_object_foreach(set, k, v) {
		d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		t = sanitize_text(json_is_string(v) ? json_string_value(v) :
		    d != NULL ? d : "?", 0);
		printf("  %-13s %s\n", k, t);
		free(t);
		free(d);
	}
}

/* sources list / show. */
static int
src_list(struct cli_ctx *ctx, struct src_args *a)
{
	const char *sub = strcmp(a->sub, "show") == 0 ? "show" : "list";
	char *cause = NULL, *full = xasprintf("sources %s", sub);
	json_t *list, *s;
	size_t i;
	int rc = MW_EXIT_OK;

	if (*sub == 's' ? a->npos != 1 : a->npos != 0) {
		free(full);
		return src_usage_error(sub, xstrdup(*sub == 's' ?
		    "show needs one source name" : "unexpected argument"));
	}
	if (cli_connect(ctx, &cause) != 0) {
		rc = cli_fail(full, cause);
		free(full);
		return rc;
	}
	list = sources_list(ctx->db, ctx->project_id, *sub == 's' ? a->pos[0] :
	    NULL, &cause);
	if (list == NULL) {
		rc = cli_fail(full, cause);
		free(full);
		return rc;
	}
	if (*sub == 's' && json_array_size(list) == 0) {
		fprintf(stderr, "midwatch: sources show: no source named %s\n",
		    a->pos[0]);
		rc = MW_EXIT_ERROR;
	} else if (a->json) {
		json_dumpf(*sub == 's' ? json_array_get(list, 0) : list, stdout,
		    JSON_INDENT(2));
		printf("\n");
	} else {
		printf("%-16s %-12s %-6s %-20s %7s  %s\n", "NAME", "KIND",
		    "STATUS", "LAST OK", "ERRORS", "URL");
		json_array_foreach(list, i, s) {
			if (*sub == 's')
				src_print_one(s);
			else
				src_print_row(s);
		}
		if (json_array_size(list) == 0)
			printf("(no sources: midwatch sources add prometheus|"
			    "alertmanager NAME URL)\n");
	}
	json_decref(list);
	free(full);
	return rc;
}

/* sources test NAME. */
static int
src_test(struct cli_ctx *ctx, struct src_args *a)
{
	char *cause = NULL, *report = NULL, *s;
	int rc;

	if (a->npos != 1)
		return src_usage_error("test", xstrdup("test needs one source "
		    "name"));
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("sources test", cause);
	rc = sources_test(ctx->db, ctx->project_id, a->pos[0], &report, &cause);
	if (rc < 0)
		return cli_fail("sources test", cause);
	if (rc == 2) {
		fprintf(stderr, "midwatch: sources test: no source named %s\n",
		    a->pos[0]);
		return MW_EXIT_ERROR;
	}
	s = sanitize_text(report != NULL ? report : "", 0);
	if (rc == 0)
		printf("source %s: ok: %s\n", a->pos[0], s);
	else
		fprintf(stderr, "midwatch: sources test: source %s failed: %s\n",
		    a->pos[0], s);
	free(s);
	free(report);
	return rc == 0 ? MW_EXIT_OK : MW_EXIT_ERROR;
}

/* sources remove NAME. */
static int
src_remove(struct cli_ctx *ctx, struct src_args *a)
{
	char *cause = NULL;
	int rc;

	if (a->npos != 1)
		return src_usage_error("remove", xstrdup("remove needs one source "
		    "name"));
	if (ctx->opts.readonly)
		return cli_refuse_readonly("sources remove");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("sources remove", cause);
	rc = sources_remove(ctx->db, ctx->project_id, a->pos[0], ctx->actor,
	    &cause);
	if (rc < 0)
		return cli_fail("sources remove", cause);
	if (rc == 1) {
		fprintf(stderr, "midwatch: sources remove: no source named %s\n",
		    a->pos[0]);
		return MW_EXIT_ERROR;
	}
	printf("source %s removed (its dead letters stay)\n", a->pos[0]);
	return MW_EXIT_OK;
}

/* The help of sources beyond its usage (see cli.h). */
void
cli_sources_help(FILE *f)
{
	fprintf(f, SOURCES_USAGE "\n"
	    "Pulled sources of the project: every `midwatch run` (and the\n"
	    "console's runner) pulls each one before the pipeline runs.  A\n"
	    "prometheus URL may be Prometheus, Thanos Query or Mimir (with its\n"
	    "path prefix, e.g. http://mimir:8080/prometheus).  A failing source\n"
	    "is retried with backoff; `sources list` shows its state.  Secrets\n"
	    "are never stored: only the variable's or file's name is.\n\n");
	sources_settings_help(f);
}

/* midwatch sources SUBCOMMAND ... */
int
cmd_sources(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct src_args a;
	char *cause = NULL;
	int rc;

	memset(&a, 0, sizeof a);
	a.sub = ca->argv[1];
	a.settings = json_object();
	if (src_parse(ca, &a, &cause) != 0)
		rc = src_usage_error(a.sub, cause);
	else if (strcmp(a.sub, "add") == 0)
		rc = src_add(ctx, &a);
	else if (strcmp(a.sub, "test") == 0)
		rc = src_test(ctx, &a);
	else if (strcmp(a.sub, "remove") == 0)
		rc = src_remove(ctx, &a);
	else
		rc = src_list(ctx, &a);
	json_decref(a.settings);
	free(a.sets);
	return rc;
}

/* Pulls the due sources and prints what happened (see cli.h). */
int
cli_sources_pull(struct cli_ctx *ctx)
{
	struct sources_counts c;
	char *cause = NULL, *s;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (sources_pull(ctx->db, ctx->project_id, (double)ts.tv_sec +
	    ts.tv_nsec / 1e9, 0, &c, &cause) != 0) {
		s = sanitize_text(cause, 0);
		fprintf(stderr, "midwatch: sources: %s\n", s);
		free(s);
		free(cause);
		return -1;
	}
	if (c.pulled + c.failed + c.waiting + c.idle == 0)
		return 0;
	printf("  %-12s%d pulled, %d failed, %d waiting to retry", "sources",
	    c.pulled, c.failed, c.waiting);
	if (c.idle > 0)
		printf(", %d with nothing new", c.idle);
	printf("; %lld points, %lld alert events, %lld resolved, %lld "
	    "rejected\n", c.points, c.alerts, c.resolved, c.rejected);
	if (c.first_error != NULL) {
		s = sanitize_text(c.first_error, 0);
		fprintf(stderr, "midwatch: run: source %s\n", s);
		free(s);
	}
	sources_counts_free(&c);
	return c.failed > 0 ? 1 : 0;
}

/* Pushes the due Alertmanager silences (see cli.h). */
int
cli_silences_push(struct cli_ctx *ctx, const char *cmd)
{
	struct sources_silence_counts c;
	char *cause = NULL, *s;

	if (sources_push_silences(ctx->db, ctx->project_id, &c, &cause) != 0) {
		s = sanitize_text(cause, 0);
		fprintf(stderr, "midwatch: %s: alertmanager silences: %s\n", cmd, s);
		free(s);
		free(cause);
		return 1;
	}
	if (c.created + c.expired + c.retrying + c.dead > 0)
		printf("  %-12s%d alertmanager silence%s created, %d expired, %d to retry, %d "
		    "given up\n", "silences", c.created, c.created == 1 ? "" :
		    "s", c.expired, c.retrying, c.dead);
	if (c.first_error != NULL) {
		s = sanitize_text(c.first_error, 0);
		fprintf(stderr, "midwatch: %s: alertmanager silence: %s\n", cmd, s);
		free(s);
	}
	free(c.first_error);
	return c.retrying + c.dead > 0;
}
