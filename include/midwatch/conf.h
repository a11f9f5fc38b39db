/*
 * conf.h - the console's configuration file ($XDG_CONFIG_HOME/midwatch/config)
 * and the key binding files that share its syntax (doc/midwatch.keys).
 *
 * The format, line by line (doc/console.md has the full description):
 *
 *	# a comment (only when '#' is the first non-blank character)
 *	db = host=/var/run/postgresql dbname=midwatch
 *	project = payments
 *	as = alice
 *	readonly = no
 *	pipeline-interval = 60s		(0 disables the timer)
 *	refresh-interval = 30s
 *	stale-ack = 30m
 *	color = yes
 *	ascii = no
 *	bind KEY ACTION
 *	unbind KEY
 *	color SLOT FOREGROUND [BACKGROUND] [ATTRIBUTE...]
 *	channel NAME KIND [URL] [KEY=VALUE]... [all-rules]
 *
 * The parser is pure: it knows the setting names and the shape of the
 * directives but not which keys or actions exist; the console checks those
 * when it applies the bindings (so errors still name the file and line).
 */
#ifndef MIDWATCH_CONF_H
#define MIDWATCH_CONF_H

#include <stddef.h>

/* One `bind` or `unbind` line. */
struct conf_bind {
	char *key;		/* key name as written ("j", "C-l", "PgDn") */
	char *action;		/* action name, or NULL for unbind */
	char *where;		/* "FILE:LINE", for error messages */
};

/* One `color` line. */
struct conf_color {
	char *slot;		/* colour slot name ("selected", "critical") */
	char *fg;		/* colour name or number, "default" */
	char *bg;		/* NULL when not given */
	char *attrs;		/* space-separated attributes, or NULL */
	char *where;		/* "FILE:LINE" */
};

/* One `channel` line: a notification channel declared in the file (the
 * commands that deliver add or update it in the database, cli_channels.c;
 * doc/integrations.md). */
struct conf_channel {
	char *name;
	char *kind;		/* slack, pagerduty, webhook (checked on use) */
	char *url;		/* NULL when not given; "-" a secret Slack URL */
	char **sets;		/* "KEY=VALUE" as `channels add --set` takes */
	size_t n_sets;
	int all_rules;		/* `all-rules`: on every alert rule */
	char *where;		/* "FILE:LINE" */
};

/* A parsed configuration; -1 (or NULL) means "not set here". */
struct conf {
	char *db;		/* conninfo or URI */
	char *project;		/* project slug */
	char *actor;		/* `as`: the operator name for feedback */
	int readonly;		/* 0/1, -1 unset */
	int pipeline_interval;	/* seconds, 0 = no timer, -1 unset */
	int refresh_interval;	/* seconds between fallback reloads, -1 unset */
	int stale_ack;		/* seconds after which an ack stands out, -1 unset */
	int color;		/* 0 = monochrome, 1 = colour if possible, -1 unset */
	int ascii;		/* 1 = ASCII only even on UTF-8, -1 unset */
	struct conf_bind *binds;	/* in file order; later lines win */
	size_t n_binds;
	struct conf_color *colors;
	size_t n_colors;
	struct conf_channel *channels;	/* in file order */
	size_t n_channels;
};

/* Sets every field to "unset". */
void conf_init(struct conf *c);
/* Frees what c holds and re-initialises it. */
void conf_free(struct conf *c);

/*
 * Parses text (the contents of a file called name, used in messages) into
 * c, adding to what is already there.  Returns 0, or -1 with *cause
 * ("NAME:LINE: reason") at the first bad line.
 */
int conf_parse(struct conf *c, const char *text, const char *name,
    char **cause);
/* Reads and parses path; -1 with *cause if it cannot be read or parsed. */
int conf_load_file(struct conf *c, const char *path, char **cause);
/* The default path ($XDG_CONFIG_HOME/midwatch/config, else
 * ~/.config/midwatch/config); malloc'd, or NULL when there is no home. */
char *conf_default_path(const char *(*getenv_fn)(const char *));
/* Parses a duration: "90", "90s", "5m", "2h", "1d" (also "1h30m").  0 ok. */
int conf_parse_duration(const char *s, int *seconds);
/* Parses yes/no/on/off/true/false/1/0.  Returns 0/1, or -1 if neither. */
int conf_parse_bool(const char *s);

#endif
