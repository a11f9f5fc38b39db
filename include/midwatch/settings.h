/*
 * settings.h - the `--set KEY=VALUE` settings of named things kept in the
 * database (notification channels, pulled sources): one table per kind of
 * thing (names, types, defaults, limits, help), one parser that validates a
 * value against it, and one rule for the names of such things.  A secret is
 * never a setting: only the name of the environment variable or the path of
 * the owner-only file that holds it (src/net/secret.c reads it when needed).
 */
#ifndef MIDWATCH_SETTINGS_H
#define MIDWATCH_SETTINGS_H

#include <stdio.h>
#include <jansson.h>

enum setting_type {
	SET_ENV,	/* an environment variable's name */
	SET_PATH,	/* an owner-only file, stored as an absolute path */
	SET_DURATION,	/* "30s", "5m"; stored as seconds */
	SET_COUNT,	/* an integer in [min, max] */
	SET_TEXT,	/* any text of at most max bytes ("" allowed) */
	SET_LABEL	/* a Prometheus label name: [A-Za-z_][A-Za-z0-9_]* */
};

struct setting {
	const char *name;		/* "retry-base" */
	enum setting_type type;
	long def;			/* default (durations in seconds); -1: none */
	long min, max;			/* accepted range (numbers); max bytes (text) */
	const char *help;		/* one line */
};

/* The setting called name in tab (NULL-name terminated), or NULL. */
const struct setting *setting_find(const struct setting *tab,
    const char *name);
/* A numeric setting of settings, clamped to its range, or its default. */
long setting_get(const struct setting *tab, json_t *settings,
    const char *name);
/*
 * Applies one KEY=VALUE to settings, validated against tab (a key file
 * must be readable by its owner only).  key-env and key-file replace each
 * other.  0 ok, -1 with *cause naming the key and what is wrong (never
 * quoting a value that could be a secret).
 */
int setting_parse(const struct setting *tab, json_t *settings,
    const char *kv, char **cause);
/* Prints tab for --help. */
void setting_help(const struct setting *tab, FILE *f);
/* 1 if name is a valid name for a channel or source: letters, digits,
 * _ . -, starting with a letter or digit, at most 64 bytes. */
int setting_name_valid(const char *name);

#endif
