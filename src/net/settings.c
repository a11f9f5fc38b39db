/*
 * settings.c - `--set KEY=VALUE` for the named things midwatch keeps in the
 * database (notification channels, pulled sources): lookup in a table,
 * validation of each type, defaults, help, and the rule for their names.
 * It lives in src/net because a setting may name a secret file, which
 * net_secret_file_check vets.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/conf.h"
#include "midwatch/net.h"
#include "midwatch/settings.h"
#include "midwatch/xmalloc.h"

/* The setting called name (see settings.h). */
const struct setting *
setting_find(const struct setting *tab, const char *name)
{
	const struct setting *s;

	for (s = tab; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* A numeric setting or its default (see settings.h). */
long
setting_get(const struct setting *tab, json_t *settings, const char *name)
{
	const struct setting *s = setting_find(tab, name);
	json_t *v = json_object_get(settings, name);
	long n;

	if (s == NULL)
		return -1;
	if (!json_is_integer(v))
		return s->def;
	n = (long)json_integer_value(v);
	return n < s->min ? s->min : n > s->max ? s->max : n;
}

/* 1 if s is a portable environment variable name. */
static int
env_name_valid(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* 1 if s is a Prometheus label name. */
static int
label_name_valid(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* "unknown setting (known: a, b, c)". */
static char *
setting_unknown(const struct setting *tab, const char *key)
{
	const struct setting *s;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "--set %.64s: unknown setting (known: ", key);
	for (s = tab; s->name != NULL; s++)
		buf_printf(&b, "%s%s", s == tab ? "" : ", ", s->name);
	buf_adds(&b, ")");
	return buf_steal(&b);
}

/* Applies one KEY=VALUE (see settings.h). */
int
setting_parse(const struct setting *tab, json_t *settings, const char *kv,
    char **cause)
{
	const struct setting *s;
	const char *eq = strchr(kv, '='), *val;
	char key[64], *abs, *end;
	int secs;
	long n;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key) {
		*cause = xstrdup("--set: expected KEY=VALUE");
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	val = eq + 1;
	if ((s = setting_find(tab, key)) == NULL) {
		*cause = setting_unknown(tab, key);
		return -1;
	}
	switch (s->type) {
	case SET_ENV:
		if (!env_name_valid(val)) {
			*cause = xasprintf("--set %s: %s is not an environment "
			    "variable name (give the variable's name, not the "
			    "secret)", key, *val ? "the value" : "an empty value");
			return -1;
		}
		json_object_set_new(settings, key, json_string(val));
		break;
	case SET_PATH:
		if (net_secret_file_check(val, cause) != 0) {
			char *why = xasprintf("--set %s: %s", key, *cause);

			free(*cause);
			*cause = why;
			return -1;
		}
		if ((abs = realpath(val, NULL)) == NULL) {
			*cause = xasprintf("--set %s: %s: %s", key, val,
			    strerror(errno));
			return -1;
		}
		json_object_set_new(settings, key, json_string(abs));
		free(abs);
		break;
	case SET_DURATION:
		if (conf_parse_duration(val, &secs) != 0 || secs < s->min ||
		    secs > s->max) {
			*cause = xasprintf("--set %s: %s is not a duration between "
			    "%lds and %lds (e.g. 30s, 5m, 1h)", key, val, s->min,
			    s->max);
			return -1;
		}
		json_object_set_new(settings, key, json_integer(secs));
		break;
	case SET_COUNT:
		errno = 0;
		n = strtol(val, &end, 10);
		if (*val == '\0' || *end != '\0' || errno != 0 || n < s->min ||
		    n > s->max) {
			*cause = xasprintf("--set %s: %s is not a number from %ld "
			    "to %ld", key, val, s->min, s->max);
			return -1;
		}
		json_object_set_new(settings, key, json_integer(n));
		break;
	case SET_TEXT:
		if (strlen(val) > (size_t)s->max) {
			*cause = xasprintf("--set %s: longer than %ld bytes", key,
			    s->max);
			return -1;
		}
		json_object_set_new(settings, key, json_string(val));
		break;
	case SET_LABEL:
		if (!label_name_valid(val)) {
			*cause = xasprintf("--set %s: %s is not a label name "
			    "([A-Za-z_][A-Za-z0-9_]*)", key, val);
			return -1;
		}
		json_object_set_new(settings, key, json_string(val));
		break;
	}
	if (json_object_get(settings, key) == NULL) {
		*cause = xasprintf("--set %s: not valid UTF-8", key);
		return -1;
	}
	/* One source of secret: the later --set wins. */
	if (strcmp(key, "key-env") == 0)
		json_object_del(settings, "key-file");
	else if (strcmp(key, "key-file") == 0)
		json_object_del(settings, "key-env");
	return 0;
}

/* Prints the settings table for --help. */
void
setting_help(const struct setting *tab, FILE *f)
{
	const struct setting *s;
	char def[32];

	for (s = tab; s->name != NULL; s++) {
		if (s->def < 0)
			snprintf(def, sizeof def, "-");
		else if (s->type == SET_DURATION)
			snprintf(def, sizeof def, "%lds", s->def);
		else
			snprintf(def, sizeof def, "%ld", s->def);
		fprintf(f, "  %-26s %-6s %s\n", s->name, def, s->help);
	}
}

/* Names of channels and sources (011_channels.sql, 013_sources.sql). */
int
setting_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || !isalnum((unsigned char)name[0]))
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (i >= 64 || !(isalnum((unsigned char)name[i]) ||
		    name[i] == '_' || name[i] == '.' || name[i] == '-'))
			return 0;
	return 1;
}
