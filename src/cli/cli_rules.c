/*
 * cli_rules.c - `midwatch rules list|show|add|edit|enable|disable|test|
 * apply`: the project's alert rules, changed from flags or declared in a
 * file (so rules can live in git), each change audited, and `rules test`
 * showing what a rule would have fired over past data without writing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "midwatch/cli.h"
#include "midwatch/conf.h"
#include "midwatch/jsonx.h"
#include "midwatch/pipeline.h"
#include "midwatch/rules.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

#define RULES_USAGE \
	"usage: midwatch rules list [--json]\n" \
	"       midwatch rules show NAME [--json]\n" \
	"       midwatch rules add NAME CONDITION [OPTIONS]\n" \
	"       midwatch rules edit NAME [CONDITION] [OPTIONS]\n" \
	"       midwatch rules enable|disable NAME\n" \
	"       midwatch rules test NAME --since TS [--until TS] [--json]\n" \
	"       midwatch rules apply FILE\n"

/* What the command line said. */
struct rules_args {
	const char *sub;
	json_t *set;		/* top-level fields given */
	json_t *cfg;		/* config fields given */
	json_t *config;		/* --config (replaces config) */
	json_t *channels;	/* --channel / --no-channels, or NULL */
	const char *since, *until;
	int json;
	char **pos;
	int npos;
};

static int
rules_usage_error(const char *sub, char *cause)
{
	char *s = sanitize_text(cause, 0);

	fprintf(stderr, "midwatch: rules %s: %s\n" RULES_USAGE, sub, s);
	free(s);
	free(cause);
	return MW_EXIT_USAGE;
}

/* A duration option into obj[key] in seconds; 0 or -1 with *cause. */
static int
opt_duration(json_t *obj, const char *key, const char *opt, const char *v,
    char **cause)
{
	int secs;

	if (conf_parse_duration(v, &secs) != 0) {
		*cause = xasprintf("--%s: not a duration (30s, 5m, 1h): %s", opt, v);
		return -1;
	}
	json_object_set_new(obj, key, json_integer(secs));
	return 0;
}

/* A --value: a number when it reads as one, else text. */
static json_t *
opt_value(const char *v)
{
	char *end;
	double x = strtod(v, &end);

	return *v != '\0' && *end == '\0' ? json_real(x) : json_string(v);
}

/* Reads the options (parsed against the command table), in order, so a
 * later one wins (--no-channels, --enabled); 0 or -1 with *cause. */
static int
rules_parse(const struct cli_args *ca, struct rules_args *a, char **cause)
{
	static const struct { const char *opt, *key; int top; } strs[] = {
		{ "kind", "kind", 1 }, { "severity", "severity", 1 },
		{ "description", "description", 1 }, { "source", "source", 0 },
		{ "metric", "metric", 0 }, { "op", "op", 0 },
		{ "direction", "direction", 0 }, { "signal-type", "signal_type", 0 },
	};
	static const struct { const char *opt, *key; int top; } durs[] = {
		{ "for", "for_seconds", 0 }, { "window", "window_seconds", 0 },
		{ "cooldown", "cooldown_seconds", 1 },
		{ "hold-down", "hold_down_seconds", 1 },
	};
	json_error_t e;
	const char *n, *v;
	char *end;
	double x;
	size_t i, k;

	for (i = 0; i < ca->n_opts; i++) {
		n = ca->opts[i].name;
		v = ca->opts[i].value;
		for (k = 0; k < MW_ARRAY_LEN(strs); k++)
			if (strcmp(n, strs[k].opt) == 0)
				break;
		if (k < MW_ARRAY_LEN(strs)) {
			json_object_set_new(strs[k].top ? a->set : a->cfg,
			    strs[k].key, json_string(v));
			continue;
		}
		for (k = 0; k < MW_ARRAY_LEN(durs); k++)
			if (strcmp(n, durs[k].opt) == 0)
				break;
		if (k < MW_ARRAY_LEN(durs)) {
			if (opt_duration(durs[k].top ? a->set : a->cfg,
			    durs[k].key, n, v, cause) != 0)
				return -1;
			continue;
		}
		if (strcmp(n, "json") == 0)
			a->json = 1;
		else if (strcmp(n, "value") == 0)
			json_object_set_new(a->cfg, "value", opt_value(v));
		else if (strcmp(n, "min-change") == 0) {
			x = strtod(v, &end);
			if (*v == '\0' || *end != '\0') {
				*cause = xasprintf("--min-change: not a number: %s", v);
				return -1;
			}
			json_object_set_new(a->cfg, "min_change_ratio", json_real(x));
		} else if (strcmp(n, "config") == 0) {
			json_decref(a->config);
			a->config = json_loads(v, 0, &e);
			if (!json_is_object(a->config)) {
				*cause = xasprintf("--config: not a JSON object (%s)",
				    a->config == NULL ? e.text : "another JSON value");
				return -1;
			}
		} else if (strcmp(n, "channel") == 0) {
			if (a->channels == NULL)
				a->channels = json_array();
			json_array_append_new(a->channels, json_string(v));
		} else if (strcmp(n, "no-channels") == 0) {
			json_decref(a->channels);
			a->channels = json_array();
		} else if (strcmp(n, "disabled") == 0)
			json_object_set_new(a->set, "enabled", json_false());
		else if (strcmp(n, "enabled") == 0)
			json_object_set_new(a->set, "enabled", json_true());
		else if (strcmp(n, "since") == 0)
			a->since = v;
		else if (strcmp(n, "until") == 0)
			a->until = v;
	}
	a->pos = ca->argv + 2;
	a->npos = ca->argc - 2;
	return 0;
}

/* Applies the flags to rule (an existing one, or a fresh one for add). */
static void
rules_merge(json_t *rule, struct rules_args *a)
{
	json_t *cfg;

	json_object_update(rule, a->set);
	if (a->config != NULL)
		json_object_set(rule, "config", a->config);
	cfg = json_object_get(rule, "config");
	if (!json_is_object(cfg)) {
		cfg = json_object();
		json_object_set_new(rule, "config", cfg);
	}
	json_object_update(cfg, a->cfg);
	/* the source follows from what was given, when it was not named */
	if (json_object_get(cfg, "source") == NULL) {
		if (json_object_get(cfg, "signal_type") != NULL)
			json_object_set_new(cfg, "source", json_string("signal"));
		else if (json_object_get(cfg, "metric") != NULL)
			json_object_set_new(cfg, "source", json_string("metric"));
	}
	if (json_object_get(rule, "kind") == NULL)
		json_object_set_new(rule, "kind", json_string(
		    json_object_get(cfg, "signal_type") != NULL ? "pattern" :
		    json_object_get(cfg, "direction") != NULL ? "trend" :
		    "threshold"));
	if (a->channels != NULL)
		json_object_set(rule, "channels", a->channels);
}

/* The stored rule of that name for editing (listing fields removed), or
 * NULL (*cause set when the database failed). */
static json_t *
rules_load(struct cli_ctx *ctx, const char *name, char **cause)
{
	static const char *const extra[] = { "last_triggered_at", "alerts",
	    "fired", "active_alerts", "last_fired_at", NULL };
	json_t *l = rules_list(ctx->db, ctx->project_id, name, cause), *r;
	int i;

	if (l == NULL)
		return NULL;
	r = json_incref(json_array_get(l, 0));
	json_decref(l);
	for (i = 0; r != NULL && extra[i] != NULL; i++)
		json_object_del(r, extra[i]);
	return r;
}

/* add / edit / enable / disable. */
static int
rules_change(struct cli_ctx *ctx, struct rules_args *a)
{
	const char *verbs[] = { "unchanged", "added", "changed" };
	char *cause = NULL, *full = xasprintf("rules %s", a->sub);
	json_t *rule;
	int what, rc, add = strcmp(a->sub, "add") == 0;

	if (a->npos != 1) {
		free(full);
		return rules_usage_error(a->sub, xstrdup(a->npos == 0 ?
		    "name a rule" : "too many arguments (quote a name with "
		    "spaces)"));
	}
	if (strcmp(a->sub, "enable") == 0)
		json_object_set_new(a->set, "enabled", json_true());
	else if (strcmp(a->sub, "disable") == 0)
		json_object_set_new(a->set, "enabled", json_false());
	if (ctx->opts.readonly) {
		rc = cli_refuse_readonly(full);
		free(full);
		return rc;
	}
	if (cli_connect(ctx, &cause) != 0) {
		rc = cli_fail(full, cause);
		free(full);
		return rc;
	}
	rule = rules_load(ctx, a->pos[0], &cause);
	if (rule == NULL && cause != NULL) {
		rc = cli_fail(full, cause);
		free(full);
		return rc;
	}
	if (add && rule != NULL) {
		fprintf(stderr, "midwatch: rules add: a rule named %s exists "
		    "(rules edit changes it)\n", a->pos[0]);
		json_decref(rule);
		free(full);
		return MW_EXIT_ERROR;
	}
	if (!add && rule == NULL) {
		fprintf(stderr, "midwatch: %s: no rule named %s (rules list)\n",
		    full, a->pos[0]);
		free(full);
		return MW_EXIT_ERROR;
	}
	if (add)
		rule = json_pack("{s:s, s:s, s:b, s:[], s:i}", "name", a->pos[0],
		    "severity", "medium", "enabled", 1, "channels",
		    "cooldown_seconds", 900);
	rules_merge(rule, a);
	if (rules_put(ctx->db, ctx->project_id, rule, ctx->actor, &what,
	    &cause) != 0) {
		json_decref(rule);
		/* a bad field is the user's to fix: a usage error */
		rc = rules_usage_error(a->sub, cause);
		free(full);
		return rc;
	}
	printf("rule %s %s\n", a->pos[0], verbs[what]);
	json_decref(rule);
	free(full);
	return MW_EXIT_OK;
}

/* A string member or "-". */
static const char *
s_or_dash(json_t *o, const char *k)
{
	const char *v = jsonx_str(o, k, 0, NULL);

	return v != NULL && *v != '\0' ? v : "-";
}

/* list / show. */
static int
rules_show(struct cli_ctx *ctx, struct rules_args *a)
{
	int show = strcmp(a->sub, "show") == 0;
	char *cause = NULL, *name, *cond, *chs, *d;
	json_t *l, *r, *v;
	size_t i;
	int rc = MW_EXIT_OK;

	if (show ? a->npos != 1 : a->npos != 0)
		return rules_usage_error(a->sub, xstrdup(show ? "show needs one "
		    "rule name" : "unexpected argument"));
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail(show ? "rules show" : "rules list", cause);
	l = rules_list(ctx->db, ctx->project_id, show ? a->pos[0] : NULL, &cause);
	if (l == NULL)
		return cli_fail(show ? "rules show" : "rules list", cause);
	if (show && json_array_size(l) == 0) {
		fprintf(stderr, "midwatch: rules show: no rule named %s\n",
		    a->pos[0]);
		json_decref(l);
		return MW_EXIT_ERROR;
	}
	if (a->json) {
		json_dumpf(show ? json_array_get(l, 0) : l, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(l);
		return rc;
	}
	printf("%-28s %-9s %-8s %-3s %7s %-20s  %s\n", "NAME", "KIND", "SEVERITY",
	    "ON", "ALERTS", "LAST FIRED", "CONDITION");
	json_array_foreach(l, i, r) {
		name = cli_clip(jsonx_str(r, "name", 0, NULL), 28);
		cond = rules_condition(r);
		d = sanitize_text(cond, 0);
		printf("%-28s %-9s %-8s %-3s %7lld %-20s  %s\n", name,
		    s_or_dash(r, "kind"), s_or_dash(r, "severity"),
		    json_is_true(json_object_get(r, "enabled")) ? "yes" : "no",
		    (long long)json_integer_value(json_object_get(r, "alerts")),
		    s_or_dash(r, "last_fired_at"), d);
		free(d);
		free(cond);
		free(name);
		if (!show)
			continue;
		chs = json_dumps(json_object_get(r, "channels"), JSON_COMPACT);
		d = sanitize_text(chs != NULL ? chs : "[]", 0);
		printf("  channels      %s\n  cooldown      %llds\n  hold-down"
		    "     %llds\n", d, (long long)json_integer_value(
		    json_object_get(r, "cooldown_seconds")), (long long)
		    json_integer_value(json_object_get(r, "hold_down_seconds")));
		free(d);
		free(chs);
		v = json_object_get(r, "description");
		if (json_is_string(v)) {
			d = sanitize_text(json_string_value(v), 0);
			printf("  description   %s\n", d);
			free(d);
		}
		chs = json_dumps(json_object_get(r, "config"), JSON_COMPACT |
		    JSON_SORT_KEYS);
		d = sanitize_text(chs != NULL ? chs : "{}", 0);
		printf("  config        %s\n", d);
		free(d);
		free(chs);
	}
	json_decref(l);
	return rc;
}

/* test NAME --since TS [--until TS]. */
static int
rules_test(struct cli_ctx *ctx, struct rules_args *a)
{
	char *cause = NULL, until[40], since[40], *t, *s;
	double x;
	json_t *rule, *fired, *f;
	size_t i;

	if (a->npos != 1)
		return rules_usage_error("test", xstrdup("test needs one rule name"));
	if (a->since == NULL || timefmt_parse(a->since, &x) != 0)
		return rules_usage_error("test", xstrdup("--since TS (RFC 3339) "
		    "is needed"));
	timefmt_format(x, since, sizeof since);
	if (a->until != NULL) {
		if (timefmt_parse(a->until, &x) != 0)
			return rules_usage_error("test", xstrdup("--until: not an "
			    "RFC 3339 timestamp"));
	} else {
		time_t now = time(NULL);

		x = (double)now;
	}
	timefmt_format(x, until, sizeof until);
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("rules test", cause);
	if ((rule = rules_load(ctx, a->pos[0], &cause)) == NULL) {
		if (cause != NULL)
			return cli_fail("rules test", cause);
		fprintf(stderr, "midwatch: rules test: no rule named %s\n",
		    a->pos[0]);
		return MW_EXIT_ERROR;
	}
	fired = alert_rule_preview(ctx->db, ctx->project_id, 0,
	    jsonx_str(rule, "kind", 0, NULL), json_object_get(rule, "config"),
	    jsonx_str(rule, "severity", 0, NULL), since, until, &cause);
	json_decref(rule);
	if (fired == NULL)
		return cli_fail("rules test", cause);
	if (a->json) {
		json_dumpf(fired, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		s = sanitize_text(a->pos[0], 0);
		printf("rule %s would fire %zu alert%s from %s to %s (nothing "
		    "written)\n", s, json_array_size(fired),
		    json_array_size(fired) == 1 ? "" : "s", since, until);
		free(s);
		json_array_foreach(fired, i, f) {
			t = cli_clip(jsonx_str(f, "title", 0, NULL), 80);
			printf("  %s  %-8s %-16s %s\n", s_or_dash(f, "fired_at"),
			    s_or_dash(f, "severity"), s_or_dash(f, "service"), t);
			free(t);
		}
	}
	json_decref(fired);
	return MW_EXIT_OK;
}

/* apply FILE. */
static int
rules_apply_cmd(struct cli_ctx *ctx, struct rules_args *a)
{
	char *cause = NULL;
	int added, changed, same;

	if (a->npos != 1)
		return rules_usage_error("apply", xstrdup("apply needs one file"));
	if (ctx->opts.readonly)
		return cli_refuse_readonly("rules apply");
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("rules apply", cause);
	if (rules_apply(ctx->db, ctx->project_id, a->pos[0], ctx->actor, &added,
	    &changed, &same, &cause) != 0)
		return cli_fail("rules apply", cause);
	printf("rules: %d added, %d changed, %d unchanged\n", added, changed,
	    same);
	return MW_EXIT_OK;
}

/* The --help text beyond the usage (see cli.h). */
void
cli_rules_help(FILE *f)
{
	fprintf(f, RULES_USAGE "\n"
	    "CONDITION (add, edit): --metric NAME --op OP --value V [--for D]\n"
	    "  (threshold on a metric), --metric NAME --direction up|down\n"
	    "  [--window D] [--min-change RATIO] (trend), --signal-type TYPE\n"
	    "  (pattern), --source incident|health --op OP --value V [--for D],\n"
	    "  or --kind KIND --config JSON.\n"
	    "OPTIONS: --severity critical|high|medium|low|info, --channel NAME\n"
	    "  (repeat; --no-channels), --cooldown D, --hold-down D (how long a\n"
	    "  condition stays clear before its alert resolves), --description\n"
	    "  TEXT, --disabled | --enabled.\n"
	    "apply FILE: a JSON array of rules (or one a line) as `rules list\n"
	    "  --json` prints them; every rule is checked before any is written.\n"
	    "Every change is audited (audit_entries: who, before, after).\n");
}

/* midwatch rules SUBCOMMAND ... */
int
cmd_rules(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct rules_args a;
	char *cause = NULL;
	int rc;

	memset(&a, 0, sizeof a);
	a.sub = ca->argv[1];
	a.set = json_object();
	a.cfg = json_object();
	if (rules_parse(ca, &a, &cause) != 0)
		rc = rules_usage_error(a.sub, cause);
	else if (strcmp(a.sub, "list") == 0 || strcmp(a.sub, "show") == 0)
		rc = rules_show(ctx, &a);
	else if (strcmp(a.sub, "test") == 0)
		rc = rules_test(ctx, &a);
	else if (strcmp(a.sub, "apply") == 0)
		rc = rules_apply_cmd(ctx, &a);
	else
		rc = rules_change(ctx, &a);
	json_decref(a.set);
	json_decref(a.cfg);
	json_decref(a.config);
	json_decref(a.channels);
	return rc;
}
