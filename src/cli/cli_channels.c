/*
 * cli_channels.c - `midwatch channels add|list|test|remove` (notification
 * channels in the database) and `midwatch notify` (deliver what is due
 * without a pipeline run).  Secrets are named (--set key-env=NAME, --set
 * key-file=PATH), never taken on the command line, stored or printed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/net.h"
#include "midwatch/notify.h"
#include "midwatch/sanitize.h"
#include "midwatch/settings.h"
#include "midwatch/xmalloc.h"

#define CHANNELS_USAGE \
	"usage: midwatch channels add slack|pagerduty|webhook NAME URL " \
	"[--set KEY=VALUE]... [--all-rules]\n" \
	"       midwatch channels list [--json]\n" \
	"       midwatch channels test NAME\n" \
	"       midwatch channels remove NAME\n"
#define NOTIFY_USAGE "usage: midwatch notify [--wait DURATION]\n"

/* What the command line of one subcommand said. */
struct chan_args {
	const char *sub;	/* add, list, test, remove, notify */
	json_t *settings;	/* from --set */
	int all_rules, json, nsets;
	int wait_s;
	char **pos;		/* positional arguments */
	int npos;
};

/* Prints a usage error of a subcommand and returns the usage exit code. */
static int
chan_usage_error(const char *sub, char *cause)
{
	cli_errorf("%s: %s", sub, cause);
	fputs(strcmp(sub, "notify") == 0 ? NOTIFY_USAGE : CHANNELS_USAGE, stderr);
	free(cause);
	return MW_EXIT_USAGE;
}

/*
 * Reads the options of one subcommand (parsed against the command table)
 * into ca, refusing those of another subcommand; pos are the arguments
 * after the subcommand's name.  0 ok, -1 with *cause.
 */
static int
chan_parse(const struct cli_args *a, char **pos, int npos,
    struct chan_args *ca, char **cause)
{
	const char *v;
	size_t i;

	for (i = 0; i < a->n_opts; i++) {
		v = a->opts[i].value;
		if (strcmp(a->opts[i].name, "set") == 0) {
			if (strcmp(ca->sub, "add") != 0) {
				*cause = xstrdup("--set is an option of channels add");
				return -1;
			}
			if (setting_parse(notify_settings, ca->settings, v, cause) != 0)
				return -1;
			ca->nsets++;
		} else if (strcmp(a->opts[i].name, "all-rules") == 0) {
			if (strcmp(ca->sub, "add") != 0) {
				*cause = xstrdup("--all-rules is an option of "
				    "channels add");
				return -1;
			}
			ca->all_rules = 1;
		} else if (strcmp(a->opts[i].name, "json") == 0) {
			if (strcmp(ca->sub, "list") != 0) {
				*cause = xstrdup("--json is an option of channels "
				    "list");
				return -1;
			}
			ca->json = 1;
		} else if (strcmp(a->opts[i].name, "wait") == 0 &&
		    conf_parse_duration(v, &ca->wait_s) != 0) {
			*cause = xasprintf("--wait: not a duration (30s, 5m, 1h): "
			    "%s", v);
			return -1;
		}
	}
	ca->pos = pos;
	ca->npos = npos;
	return 0;
}

/* 1 if the URL carries user:password before its host. */
static int
url_has_userinfo(const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (p == NULL)
		return 0;
	p += 3;
	n = strcspn(p, "/?#");
	return memchr(p, '@', n) != NULL;
}

/* Checks the positional arguments of add; 0 or -1 with *cause. */
static int
chan_check_add(struct chan_args *a, char **cause)
{
	const char *kind, *name, *url;
	int secret;

	if (a->npos < 2 || a->npos > 3) {
		*cause = xstrdup(a->npos < 2 ? "add needs a kind and a name" :
		    "too many arguments");
		return -1;
	}
	kind = a->pos[0];
	name = a->pos[1];
	url = a->npos == 3 ? a->pos[2] : NULL;
	if (!notify_kind_valid(kind)) {
		*cause = xasprintf("unknown channel kind %s (slack, pagerduty or "
		    "webhook)", kind);
		return -1;
	}
	if (!setting_name_valid(name)) {
		*cause = xasprintf("bad channel name %s (letters, digits, _ . -; "
		    "at most 64)", name);
		return -1;
	}
	secret = json_object_get(a->settings, "key-env") != NULL ||
	    json_object_get(a->settings, "key-file") != NULL;
	if (url == NULL && strcmp(kind, "pagerduty") != 0) {
		*cause = xasprintf("a %s channel needs a URL", kind);
		return -1;
	}
	if (strcmp(kind, "pagerduty") == 0 && !secret) {
		*cause = xstrdup("a pagerduty channel needs its routing key: "
		    "--set key-env=NAME or --set key-file=PATH");
		return -1;
	}
	if (url != NULL && strcmp(url, "-") == 0) {
		if (strcmp(kind, "slack") != 0 || !secret) {
			*cause = xstrdup("URL - (the URL is the secret) is for a "
			    "slack channel with key-env or key-file");
			return -1;
		}
	} else if (url != NULL && net_url_check(url, cause) != 0) {
		char *why = xasprintf("URL %s: %s", url, *cause);

		free(*cause);
		*cause = why;
		return -1;
	} else if (url != NULL && url_has_userinfo(url)) {
		*cause = xstrdup("the URL holds credentials; give them with "
		    "--set key-file=PATH or key-env=NAME instead");
		return -1;
	}
	return 0;
}

/*
 * Makes the database's channels match the configuration file's `channel`
 * lines (added, or updated when they differ; audited).  A bad line is
 * named (FILE:LINE) and skipped: the others and the command go on.
 * Returns how many lines were bad, or -1 on a database error (printed).
 */
int
cli_channels_sync(struct cli_ctx *ctx)
{
	const struct conf_channel *cc;
	struct chan_args a;
	char *cause = NULL, *pos[3];
	int bad = 0, rc, rules;
	size_t i, k;

	if (ctx->conf == NULL || ctx->opts.readonly || ctx->db == NULL)
		return 0;
	for (i = 0; i < ctx->conf->n_channels; i++) {
		cc = &ctx->conf->channels[i];
		memset(&a, 0, sizeof a);
		a.sub = "add";
		a.settings = json_object();
		pos[0] = cc->kind;
		pos[1] = cc->name;
		pos[2] = cc->url;
		a.pos = pos;
		a.npos = cc->url != NULL ? 3 : 2;
		for (k = 0; k < cc->n_sets && cause == NULL; k++)
			if (setting_parse(notify_settings, a.settings, cc->sets[k],
			    &cause) != 0)
				break;
		if (cause == NULL && chan_check_add(&a, &cause) == 0) {
			rc = notify_channel_sync(ctx->db, ctx->project_id, cc->name,
			    cc->kind, cc->url, a.settings, cc->all_rules, ctx->actor,
			    cc->where, &rules, &cause);
			if (rc < 0) {
				json_decref(a.settings);
				cli_errorf("channel %s (%s): %s", cc->name, cc->where,
				    cause);
				free(cause);
				return -1;
			}
			if (rc > 0 || rules > 0)
				cli_errorf("channel %s %s from %s%s", cc->name,
				    rc == 1 ? "added" : rc == 2 ? "updated" :
				    "unchanged", cc->where, rules > 0 ?
				    ", on every alert rule" : "");
		} else {
			cli_errorf("%s: channel %s: %s (line skipped)", cc->where,
			    cc->name, cause);
			free(cause);
			cause = NULL;
			bad++;
		}
		json_decref(a.settings);
	}
	return bad;
}

/* channels add. */
static int
chan_add(struct cli_ctx *ctx, struct chan_args *a)
{
	char *cause = NULL;
	const char *env;
	int rc, rules;

	if (chan_check_add(a, &cause) != 0)
		return chan_usage_error("channels add", cause);
	if (ctx->opts.readonly)
		return cli_refuse_readonly("channels add");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("channels add", cause);
	rc = notify_channel_add(ctx->db, ctx->project_id, a->pos[1], a->pos[0],
	    a->npos == 3 ? a->pos[2] : NULL, a->settings, a->all_rules,
	    ctx->actor, &rules, &cause);
	if (rc < 0)
		return cli_fail("channels add", cause);
	if (rc == 1) {
		fprintf(stderr, "midwatch: channels add: a channel named %s exists "
		    "already (channels remove %s first)\n", a->pos[1], a->pos[1]);
		return MW_EXIT_ERROR;
	}
	printf("channel %s added (%s)", a->pos[1], a->pos[0]);
	if (a->all_rules)
		printf(", on %d alert rule%s", rules, rules == 1 ? "" : "s");
	printf("\n");
	env = json_string_value(json_object_get(a->settings, "key-env"));
	if (env != NULL && getenv(env) == NULL)
		fprintf(stderr, "midwatch: channels add: warning: %s is not set in "
		    "this environment; set it where midwatch delivers\n", env);
	return MW_EXIT_OK;
}

/* How a channel names its secret, for the table: "key-env NAME" or "-". */
static void
chan_secret_desc(json_t *settings, char *out, size_t len)
{
	const char *env = json_string_value(json_object_get(settings, "key-env"));
	const char *file = json_string_value(json_object_get(settings,
	    "key-file"));

	if (env != NULL)
		snprintf(out, len, "key-env %s", env);
	else if (file != NULL)
		snprintf(out, len, "key-file %s", file);
	else
		snprintf(out, len, "-");
}

/* channels list. */
static int
chan_list(struct cli_ctx *ctx, struct chan_args *a)
{
	char *cause = NULL, *s, *t, secret[600];
	json_t *list, *c;
	size_t i;
	int bad;

	if (a->npos != 0)
		return chan_usage_error("channels list", xasprintf("unexpected "
		    "argument %s", a->pos[0]));
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("channels list", cause);
	if ((bad = cli_channels_sync(ctx)) < 0)
		return MW_EXIT_ERROR;
	if ((list = notify_channel_list(ctx->db, ctx->project_id, &cause)) == NULL)
		return cli_fail("channels list", cause);
	if (a->json) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(list);
		return bad > 0 ? MW_EXIT_ERROR : MW_EXIT_OK;
	}
	printf("%-20s %-10s %7s %7s %7s  %s\n", "NAME", "KIND", "PENDING", "SENT",
	    "DEAD", "TARGET");
	json_array_foreach(list, i, c) {
		const char *url = json_string_value(json_object_get(c, "url"));
		const char *kind = json_string_value(json_object_get(c, "kind"));

		s = sanitize_text(json_string_value(json_object_get(c, "name")), 0);
		t = sanitize_text(url != NULL ? url : kind == NULL ?
		    "(not configured: midwatch channels add)" :
		    strcmp(kind, "log") == 0 ? "(midwatch log)" :
		    "(URL from the secret)", 0);
		printf("%-20s %-10s %7lld %7lld %7lld  %s", s, kind ? kind : "?",
		    (long long)json_integer_value(json_object_get(c, "pending")),
		    (long long)json_integer_value(json_object_get(c, "sent")),
		    (long long)json_integer_value(json_object_get(c, "dead")), t);
		chan_secret_desc(json_object_get(c, "settings"), secret,
		    sizeof secret);
		if (strcmp(secret, "-") != 0) {
			free(t);
			t = sanitize_text(secret, 0);
			printf("  %s", t);
		}
		printf("\n");
		free(s);
		free(t);
		if (json_is_string(json_object_get(c, "last_error"))) {
			s = sanitize_text(json_string_value(json_object_get(c,
			    "last_error")), 0);
			printf("%-20s last attempt %s failed: %s\n", "",
			    json_string_value(json_object_get(c,
			    "last_attempt_at")), s);
			free(s);
		}
	}
	json_decref(list);
	return bad > 0 ? MW_EXIT_ERROR : MW_EXIT_OK;
}

/* channels test NAME. */
static int
chan_test(struct cli_ctx *ctx, struct chan_args *a)
{
	char *cause = NULL, *report = NULL, *s;
	int rc;

	if (a->npos != 1)
		return chan_usage_error("channels test", xstrdup(a->npos == 0 ?
		    "test needs a channel name" : "too many arguments"));
	/* it sends a message and records the attempt */
	if (ctx->opts.readonly)
		return cli_refuse_readonly("channels test");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("channels test", cause);
	if (cli_channels_sync(ctx) < 0)
		return MW_EXIT_ERROR;
	rc = notify_channel_test(ctx->db, ctx->project_id, a->pos[0], &report,
	    &cause);
	if (rc < 0)
		return cli_fail("channels test", cause);
	if (rc == 2) {
		fprintf(stderr, "midwatch: channels test: no channel named %s\n",
		    a->pos[0]);
		return MW_EXIT_ERROR;
	}
	s = sanitize_text(report, 0);
	if (rc == 0)
		printf("channel %s: ok: %s\n", a->pos[0], s);
	else
		fprintf(stderr, "midwatch: channels test: channel %s failed: %s\n",
		    a->pos[0], s);
	free(s);
	free(report);
	return rc == 0 ? MW_EXIT_OK : MW_EXIT_ERROR;
}

/* channels remove NAME. */
static int
chan_remove(struct cli_ctx *ctx, struct chan_args *a)
{
	char *cause = NULL;
	long long dead;
	int rc, rules;

	if (a->npos != 1)
		return chan_usage_error("channels remove", xstrdup(a->npos == 0 ?
		    "remove needs a channel name" : "too many arguments"));
	if (ctx->opts.readonly)
		return cli_refuse_readonly("channels remove");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("channels remove", cause);
	rc = notify_channel_remove(ctx->db, ctx->project_id, a->pos[0],
	    ctx->actor, &rules, &dead, &cause);
	if (rc < 0)
		return cli_fail("channels remove", cause);
	if (rc == 1) {
		fprintf(stderr, "midwatch: channels remove: no channel named %s\n",
		    a->pos[0]);
		return MW_EXIT_ERROR;
	}
	printf("channel %s removed (from %d alert rule%s; %lld undelivered "
	    "message%s dead-lettered)\n", a->pos[0], rules, rules == 1 ? "" : "s",
	    dead, dead == 1 ? "" : "s");
	return MW_EXIT_OK;
}

/* The help of channels beyond its usage (see cli.h). */
void
cli_channels_help(FILE *f)
{
	fprintf(f, CHANNELS_USAGE "\n"
	    "Notification channels of the project.  Alert rules name channels by\n"
	    "NAME; --all-rules adds the channel to every rule.  A pagerduty URL\n"
	    "defaults to " NET_PAGERDUTY_URL "; a slack URL of - means the\n"
	    "secret (key-env/key-file) is the incoming-webhook URL.  Secrets are\n"
	    "never stored: only the variable's or file's name is.\n\n");
	fprintf(f, "settings (--set KEY=VALUE):\n");
	setting_help(notify_settings, f);
}

/* midwatch channels SUBCOMMAND ... */
int
cmd_channels(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct chan_args ca;
	char *cause = NULL, *sub;
	int rc;

	memset(&ca, 0, sizeof ca);
	ca.sub = a->argv[1];
	sub = xasprintf("channels %s", ca.sub);
	ca.settings = json_object();
	if (chan_parse(a, a->argv + 2, a->argc - 2, &ca, &cause) != 0)
		rc = chan_usage_error(sub, cause);
	else if (strcmp(ca.sub, "add") == 0)
		rc = chan_add(ctx, &ca);
	else if (strcmp(ca.sub, "list") == 0)
		rc = chan_list(ctx, &ca);
	else if (strcmp(ca.sub, "test") == 0)
		rc = chan_test(ctx, &ca);
	else
		rc = chan_remove(ctx, &ca);
	json_decref(ca.settings);
	free(sub);
	return rc;
}

/* Prints what a delivery did, as `notify` and `run` show it. */
void
cli_notify_print(const struct notify_counts *c)
{
	printf("  %-12s%lld sent, %lld to retry, %lld dead-lettered, %lld "
	    "waiting (%lld attempt%s)\n", "notify", c->sent, c->retrying, c->dead,
	    c->pending, c->attempts, c->attempts == 1 ? "" : "s");
	if (c->act_attempts > 0)
		printf("  %-12s%lld succeeded, %lld to retry, %lld failed (%lld "
		    "attempt%s; midwatch act --list)\n", "actions",
		    c->act_succeeded, c->act_retrying, c->act_failed,
		    c->act_attempts, c->act_attempts == 1 ? "" : "s");
}

/* midwatch notify [--wait DURATION] */
int
cmd_notify(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct notify_opts o = { 0, 0 };
	struct notify_counts c;
	struct chan_args ca;
	char *cause = NULL;
	int bad;

	memset(&ca, 0, sizeof ca);
	ca.sub = "notify";
	if (chan_parse(a, a->argv + 1, a->argc - 1, &ca, &cause) != 0)
		return chan_usage_error("notify", cause);
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("notify", cause);
	if ((bad = cli_channels_sync(ctx)) < 0)
		return MW_EXIT_ERROR;
	o.wait_s = ca.wait_s;
	cli_silences_push(ctx, "notify");
	if (notify_deliver(ctx->db, ctx->project_id, &o, &c, &cause) != 0)
		return cli_fail("notify", cause);
	cli_notify_print(&c);
	return c.dead > 0 || c.act_failed > 0 || bad > 0 ? MW_EXIT_ERROR :
	    MW_EXIT_OK;
}
