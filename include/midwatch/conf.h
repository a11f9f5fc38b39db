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

/* A parsed configuration: what the file set, the rest at the defaults of
 * conf_options (texts: NULL, the user of each says what it means then). */
struct conf {
	char *db;		/* conninfo or URI */
	char *project;		/* project slug */
	char *actor;		/* `as`: the operator name for feedback */
	int readonly;		/* 0/1 */
	int pipeline_interval;	/* seconds, 0 = no timer */
	int refresh_interval;	/* seconds between fallback reloads */
	int stale_ack;		/* seconds after which an ack stands out */
	int color;		/* 0 = monochrome, 1 = colour if possible */
	int ascii;		/* 1 = ASCII only even on UTF-8 */
	struct conf_bind *binds;	/* in file order; later lines win */
	size_t n_binds;
	struct conf_color *colors;
	size_t n_colors;
	struct conf_channel *channels;	/* in file order */
	size_t n_channels;
};

/*
 * The `name = value` settings, one table (as tmux's options_table): the
 * parser takes each one's type, limits and default from it, and the
 * settings list of doc/console.md is its conf_options_markdown (a test
 * compares them).  Texts have no default value here: their entry says in
 * words what applies when they are not set.
 */
enum conf_type {
	CONF_TEXT,		/* any text (char * field) */
	CONF_OPTIONAL,		/* text; empty: not set (NULL) */
	CONF_NAME,		/* text, not empty */
	CONF_BOOL,		/* yes/no (int field: 0/1) */
	CONF_DURATION		/* "90", "90s", "5m", "1h30m" (int: seconds) */
};
struct conf_option {
	const char *name;	/* "stale-ack" */
	const char *alias;	/* another name it is read under, or NULL */
	enum conf_type type;
	size_t offset;		/* of its field in struct conf */
	int def;		/* the default (numbers, 0/1 for yes/no) */
	int min;		/* durations: the least accepted */
	const char *value;	/* what it takes, for the documentation */
	const char *def_text;	/* texts: what applies when it is not set */
	const char *flag;	/* also a command-line option: its argument's
				 * name ("" none), else NULL */
	const char *help;	/* what it does, one line for --help */
};
extern const struct conf_option conf_options[];
extern const size_t conf_n_options;
/* The setting called name (or by its alias), or NULL. */
const struct conf_option *conf_option(const char *name);
/* The settings as doc/console.md lists them: a Markdown table; malloc'd. */
char *conf_options_markdown(void);
/* The settings as --help lists them: the command-line options (the settings
 * with a flag) and, when settings is non-zero, every setting of the file
 * with its default; text lines, malloc'd. */
char *conf_options_usage(int settings);

/* Sets every setting to its default (texts: NULL), and no directives. */
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
