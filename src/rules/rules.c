/*
 * rules.c - alert rules as people change them (issue 10): validation of a
 * rule object (the condition through the alert stage's own reader, so a
 * rule the CLI accepts is a rule the pipeline runs), listing with how much
 * each rule fired, and one upsert that writes only a real change and its
 * audit entry with the rule before and after.  `rules apply FILE` is
 * declarative: all rules are checked before any is written.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/pipeline.h"
#include "midwatch/rules.h"
#include "midwatch/settings.h"
#include "midwatch/severity.h"
#include "midwatch/xmalloc.h"

static const char *const rule_fields[] = { "name", "description", "kind",
    "config", "severity", "enabled", "channels", "cooldown_seconds",
    "hold_down_seconds", NULL };

/* An integer field in [lo, hi] when present; 0, or -1 with *cause. */
static int
check_int(json_t *rule, const char *key, long long lo, long long hi,
    char **cause)
{
	json_t *v = json_object_get(rule, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		*cause = xasprintf("%s: must be a whole number of seconds from "
		    "%lld to %lld", key, lo, hi);
		return -1;
	}
	return 0;
}

/* Validates a rule object (see rules.h). */
int
rules_validate(json_t *rule, char **cause)
{
	const char *name, *sev, *k, *why = NULL;
	json_t *v, *ch;
	size_t i;
	int j, known;

	if (!json_is_object(rule)) {
		*cause = xstrdup("a rule must be a JSON object");
		return -1;
	}
	json_object_foreach(rule, k, v) {
		for (known = 0, j = 0; rule_fields[j] != NULL; j++)
			known |= strcmp(rule_fields[j], k) == 0;
		if (!known) {
			*cause = xasprintf("%.64s: unknown field (known: name, "
			    "description, kind, config, severity, enabled, channels, "
			    "cooldown_seconds, hold_down_seconds)", k);
			return -1;
		}
	}
	name = jsonx_str(rule, "name", 0, NULL);
	if (name == NULL || *name == '\0' || strlen(name) > 128) {
		*cause = xstrdup("name: a rule needs a name of 1 to 128 bytes");
		return -1;
	}
	for (k = name; *k != '\0'; k++)
		if (iscntrl((unsigned char)*k)) {
			*cause = xstrdup("name: no control characters");
			return -1;
		}
	v = json_object_get(rule, "description");
	if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		*cause = xstrdup("description: must be text");
		return -1;
	}
	if (alert_rule_check(jsonx_str(rule, "kind", 0, NULL),
	    json_object_get(rule, "config"), &why) != 0) {
		*cause = xasprintf("%s: %s", strncmp(why, "kind", 4) == 0 ? "kind" :
		    "config", why);
		return -1;
	}
	sev = jsonx_str(rule, "severity", 0, NULL);
	if (severity_rank(sev) < 0) {
		*cause = xstrdup("severity: one of " MW_SEVERITY_NAMES);
		return -1;
	}
	v = json_object_get(rule, "enabled");
	if (v != NULL && !json_is_boolean(v)) {
		*cause = xstrdup("enabled: true or false");
		return -1;
	}
	ch = json_object_get(rule, "channels");
	if (ch != NULL && !json_is_array(ch)) {
		*cause = xstrdup("channels: a list of channel names");
		return -1;
	}
	json_array_foreach(ch, i, v)
		if (!setting_name_valid(json_string_value(v))) {
			*cause = xasprintf("channels[%zu]: not a channel name", i);
			return -1;
		}
	if (check_int(rule, "cooldown_seconds", 0, 30 * 86400LL, cause) != 0 ||
	    check_int(rule, "hold_down_seconds", 0, 7 * 86400LL, cause) != 0)
		return -1;
	return 0;
}

/* Lists rules (see rules.h). */
json_t *
rules_list(struct db *db, long long project_id, const char *name,
    char **cause)
{
	char project[24];
	struct db_res *r;
	json_t *a;

	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, cause, "rules/list", project, name);
	if (r == NULL)
		return NULL;
	a = json_loads(db_val(r, 0, "rules"), 0, NULL);
	db_res_free(r);
	if (a == NULL)
		*cause = xstrdup("rule list: not JSON");
	return a;
}

/* The first channel of rule that no channel row has, or NULL (malloc'd). */
static char *
missing_channel(struct db *db, const char *project, const char *chans,
    char **cause, int *err)
{
	struct db_res *r;
	char *m = NULL;

	*err = 0;
	r = DBQN(db, cause, "rules/missing_channel", project, chans);
	if (r == NULL) {
		*err = 1;
		return NULL;
	}
	if (db_res_rows(r) > 0)
		m = xstrdup(db_val(r, 0, "channel"));
	db_res_free(r);
	return m;
}

/* Puts one rule (see rules.h). */
int
rules_put(struct db *db, long long project_id, json_t *rule,
    const char *actor, int *what, char **cause)
{
	char project[24], cool[24], *cfg, *chans, *miss;
	json_t *config, *ch, *v;
	struct db_res *r;
	int err;

	*what = 0;
	if (rules_validate(rule, cause) != 0)
		return -1;
	snprintf(project, sizeof project, "%lld", project_id);
	config = json_deep_copy(json_object_get(rule, "config"));
	v = json_object_get(rule, "hold_down_seconds");
	if (json_is_integer(v))
		json_object_set(config, "hold_down_seconds", v);
	else
		json_object_del(config, "hold_down_seconds");
	cfg = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(15));
	json_decref(config);
	ch = json_object_get(rule, "channels");
	chans = ch != NULL ? json_dumps(ch, JSON_COMPACT) : NULL;
	if (chans == NULL)
		chans = xstrdup("[]");
	miss = missing_channel(db, project, chans, cause, &err);
	if (err || miss != NULL) {
		if (miss != NULL)
			*cause = xasprintf("channels: no channel named %s (midwatch "
			    "channels add ... %s)", miss, miss);
		free(miss);
		free(cfg);
		free(chans);
		return -1;
	}
	v = json_object_get(rule, "cooldown_seconds");
	snprintf(cool, sizeof cool, "%lld", json_is_integer(v) ?
	    (long long)json_integer_value(v) : 900LL);
	r = DBQN(db, cause, "rules/put",
	    project, jsonx_str(rule, "name", 0, NULL),
	    jsonx_str(rule, "description", 0, NULL),
	    jsonx_str(rule, "kind", 0, NULL), cfg,
	    jsonx_str(rule, "severity", 0, NULL), chans,
	    json_is_false(json_object_get(rule, "enabled")) ? "false" : "true",
	    cool, actor);
	free(cfg);
	free(chans);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 1)
		*what = strcmp(db_val(r, 0, "ins"), "t") == 0 ? 1 : 2;
	db_res_free(r);
	return 0;
}

/* Reads the rules of a file: a JSON array, or one object a line. */
static json_t *
rules_read(const char *path, char **cause)
{
	json_error_t e;
	json_t *a, *o;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long ln = 0;

	a = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (json_is_array(a))
		return a;
	if (json_is_object(a)) {
		o = json_array();
		json_array_append_new(o, a);
		return o;
	}
	json_decref(a);
	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: cannot open", path);
		return NULL;
	}
	a = json_array();
	while ((n = getline(&line, &cap, f)) > 0) {
		ln++;
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		o = json_loads(line, JSON_REJECT_DUPLICATES, &e);
		if (o == NULL) {
			*cause = xasprintf("%s:%ld: not JSON: %s", path, ln, e.text);
			json_decref(a);
			a = NULL;
			break;
		}
		json_array_append_new(a, o);
	}
	free(line);
	fclose(f);
	return a;
}

/* Applies a file of rules (see rules.h). */
int
rules_apply(struct db *db, long long project_id, const char *path,
    const char *actor, int *added, int *changed, int *unchanged,
    char **cause)
{
	json_t *a, *rule;
	char *why = NULL;
	size_t i;
	int what, rc = -1;

	*added = *changed = *unchanged = 0;
	if ((a = rules_read(path, cause)) == NULL)
		return -1;
	json_array_foreach(a, i, rule) {
		if (rules_validate(rule, &why) != 0) {
			*cause = xasprintf("%s: rules[%zu] (%.64s): %s", path, i,
			    jsonx_str(rule, "name", 0, NULL) != NULL ?
			    jsonx_str(rule, "name", 0, NULL) : "no name", why);
			free(why);
			json_decref(a);
			return -1;
		}
	}
	if (db_begin(db, cause) != 0) {
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, rule) {
		if (rules_put(db, project_id, rule, actor, &what, &why) != 0) {
			*cause = xasprintf("%s: rules[%zu] (%.64s): %s", path, i,
			    jsonx_str(rule, "name", 0, NULL), why);
			free(why);
			goto out;
		}
		if (what == 1)
			(*added)++;
		else if (what == 2)
			(*changed)++;
		else
			(*unchanged)++;
	}
	rc = db_commit(db, cause);
out:
	if (rc != 0)
		db_rollback(db);
	json_decref(a);
	return rc;
}

/* "for 5m" of seconds, or "" for none. */
static void
dur(long long s, char *out, size_t len)
{
	if (s <= 0)
		snprintf(out, len, "%s", "");
	else if (s % 3600 == 0)
		snprintf(out, len, " for %lldh", s / 3600);
	else if (s % 60 == 0)
		snprintf(out, len, " for %lldm", s / 60);
	else
		snprintf(out, len, " for %llds", s);
}

/* One line describing a rule's condition (see rules.h). */
char *
rules_condition(json_t *rule)
{
	json_t *c = json_object_get(rule, "config");
	const char *kind = jsonx_str(rule, "kind", 0, NULL);
	const char *src = jsonx_str(c, "source", 0, NULL);
	char d[32], *val;
	double x = 0;
	struct buf b;

	buf_init(&b);
	if (src == NULL)
		src = kind != NULL && strcmp(kind, "pattern") == 0 ? "signal" :
		    "metric";
	x = json_number_value(json_object_get(c, "for_seconds"));
	dur((long long)x, d, sizeof d);
	val = json_dumps(json_object_get(c, "value"), JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(6));
	if (strcmp(src, "signal") == 0)
		buf_printf(&b, "signal %s", jsonx_str(c, "signal_type", 0, NULL));
	else if (strcmp(src, "incident") == 0)
		buf_printf(&b, "incident severity %s %s", jsonx_str(c, "op", 0,
		    NULL) ? jsonx_str(c, "op", 0, NULL) : ">=",
		    jsonx_str(c, "value", 0, NULL));
	else if (strcmp(src, "health") == 0)
		buf_printf(&b, "health %s %s%s", jsonx_str(c, "op", 0, NULL) ?
		    jsonx_str(c, "op", 0, NULL) : "==", jsonx_str(c, "value", 0,
		    NULL), d);
	else if (kind != NULL && strcmp(kind, "trend") == 0) {
		double w = 1800;

		jsonx_num(c, "min_change_ratio", &x, NULL);
		jsonx_num(c, "window_seconds", &w, NULL);
		buf_printf(&b, "%s %s %.0f%% over %.0fm", jsonx_str(c, "metric", 0,
		    NULL), jsonx_str(c, "direction", 0, NULL) ?
		    jsonx_str(c, "direction", 0, NULL) : "up", x * 100, w / 60);
	} else
		buf_printf(&b, "%s %s %s%s", jsonx_str(c, "metric", 0, NULL),
		    jsonx_str(c, "op", 0, NULL), val != NULL ? val : "?", d);
	free(val);
	return buf_steal(&b);
}
