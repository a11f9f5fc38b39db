/*
 * conf.c - the console configuration file parser.  Pure text in, struct conf
 * out, so it is unit-tested without a terminal or a database; the console
 * decides later whether the keys, actions and colours named here exist.
 * Errors always say FILE:LINE so an operator can fix the file quickly.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "midwatch/buf.h"
#include "midwatch/conf.h"
#include "midwatch/xmalloc.h"

/* The settings (see conf.h); doc/console.md lists them in this order. */
#define CONF_AT(field) offsetof(struct conf, field)
const struct conf_option conf_options[] = {
	{ "db", "database", CONF_TEXT, CONF_AT(db), 0, 0,
	    "conninfo or `postgresql://` URI",
	    "libpq environment, else the embedded cluster", "CONNINFO",
	    "a libpq key=value string or postgresql:// URI" },
	{ "project", NULL, CONF_NAME, CONF_AT(project), 0, 0,
	    "project slug", "`default`", "SLUG", "the project" },
	{ "as", "actor", CONF_OPTIONAL, CONF_AT(actor), 0, 0,
	    "operator name for feedback",
	    "`$MIDWATCH_ACTOR`, else the login name", "NAME",
	    "the operator recorded with feedback" },
	{ "readonly", NULL, CONF_BOOL, CONF_AT(readonly), 0, 0, "yes/no", NULL,
	    "", "read only: commands that write are refused" },
	{ "pipeline-interval", "interval", CONF_DURATION,
	    CONF_AT(pipeline_interval), 60, 0,
	    "duration (`90`, `90s`, `5m`, `1h30m`); 0 = no timer", NULL, NULL,
	    "the console's pipeline timer (0: only on R)" },
	{ "refresh-interval", NULL, CONF_DURATION, CONF_AT(refresh_interval),
	    30, 1, "duration \xe2\x89\xa5 1 s", NULL, NULL,
	    "the console's reload when no notification came" },
	{ "stale-ack", NULL, CONF_DURATION, CONF_AT(stale_ack), 1800, 0,
	    "duration", NULL, NULL, "older acknowledgements stand out" },
	{ "color", "colour", CONF_BOOL, CONF_AT(color), 1, 0, "yes/no", NULL,
	    NULL, "colours (no: monochrome even on a colour terminal)" },
	{ "ascii", NULL, CONF_BOOL, CONF_AT(ascii), 0, 0, "yes/no", NULL, NULL,
	    "ASCII borders and bars even on UTF-8" },
};
const size_t conf_n_options = sizeof conf_options / sizeof conf_options[0];

/* The int field of a yes/no or duration setting. */
static int *
conf_int_at(struct conf *c, const struct conf_option *o)
{
	return (int *)(void *)((char *)c + o->offset);
}

/* The char * field of a text setting. */
static char **
conf_text_at(struct conf *c, const struct conf_option *o)
{
	return (char **)(void *)((char *)c + o->offset);
}

/* Sets every setting to its default (see conf.h). */
void
conf_init(struct conf *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < conf_n_options; i++)
		if (conf_options[i].type == CONF_BOOL ||
		    conf_options[i].type == CONF_DURATION)
			*conf_int_at(c, &conf_options[i]) = conf_options[i].def;
}

/* A default duration as the documentation writes it: "30s", "30m", "2h". */
static void
conf_duration_text(int secs, struct buf *b)
{
	if (secs < 120 || secs % 60 != 0)
		buf_printf(b, "%ds", secs);
	else if (secs % 3600 == 0)
		buf_printf(b, "%dh", secs / 3600);
	else
		buf_printf(b, "%dm", secs / 60);
}

/* The settings as a Markdown table (see conf.h). */
char *
conf_options_markdown(void)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_adds(&b, "| setting | value | default |\n| --- | --- | --- |\n");
	for (i = 0; i < conf_n_options; i++) {
		const struct conf_option *o = &conf_options[i];

		buf_printf(&b, "| `%s` | %s | ", o->name, o->value);
		if (o->type == CONF_BOOL)
			buf_adds(&b, o->def ? "yes" : "no");
		else if (o->type == CONF_DURATION)
			conf_duration_text(o->def, &b);
		else
			buf_adds(&b, o->def_text);
		buf_adds(&b, " |\n");
	}
	return buf_steal(&b);
}

/* A setting's default as text, Markdown's backquotes left out. */
static void
conf_default_text(const struct conf_option *o, struct buf *b)
{
	const char *p;

	if (o->type == CONF_BOOL)
		buf_adds(b, o->def ? "yes" : "no");
	else if (o->type == CONF_DURATION)
		conf_duration_text(o->def, b);
	else
		for (p = o->def_text != NULL ? o->def_text : "-"; *p; p++)
			if (*p != '`')
				buf_addc(b, *p);
}

char *
conf_options_usage(int settings)
{
	struct buf b, arg;
	size_t i;

	buf_init(&b);
	buf_init(&arg);
	for (i = 0; i < conf_n_options; i++) {
		const struct conf_option *o = &conf_options[i];

		if (o->flag == NULL)
			continue;
		buf_reset(&arg);
		buf_printf(&arg, "--%s%s%s", o->name, *o->flag ? " " : "",
		    o->flag);
		buf_printf(&b, "  %-16s %s (default: ", buf_str(&arg), o->help);
		conf_default_text(o, &b);
		buf_adds(&b, ")\n");
	}
	buf_adds(&b, "  --config FILE    the configuration file (it must "
	    "exist; default: $XDG_CONFIG_HOME/midwatch/config)\n"
	    "  -v, --verbose    log what happens;  -h, --help;  -V, "
	    "--version\n");
	if (settings)
		buf_adds(&b, "\nconfiguration file settings (NAME = VALUE, one "
		    "a line; the command line wins):\n");
	for (i = 0; settings && i < conf_n_options; i++) {
		const struct conf_option *o = &conf_options[i];

		buf_reset(&arg);
		conf_default_text(o, &arg);
		buf_printf(&b, "  %-18s %s (default: %s)\n", o->name, o->help,
		    buf_str(&arg));
	}
	buf_free(&arg);
	return buf_steal(&b);
}

/* Frees what one channel line holds. */
static void
conf_channel_free(struct conf_channel *ch)
{
	size_t i;

	free(ch->name);
	free(ch->kind);
	free(ch->url);
	for (i = 0; i < ch->n_sets; i++)
		free(ch->sets[i]);
	free(ch->sets);
	free(ch->where);
}

/* Frees everything c holds and leaves it initialised. */
void
conf_free(struct conf *c)
{
	size_t i;

	free(c->db);
	free(c->project);
	free(c->actor);
	for (i = 0; i < c->n_binds; i++) {
		free(c->binds[i].key);
		free(c->binds[i].action);
		free(c->binds[i].where);
	}
	free(c->binds);
	for (i = 0; i < c->n_colors; i++) {
		free(c->colors[i].slot);
		free(c->colors[i].fg);
		free(c->colors[i].bg);
		free(c->colors[i].attrs);
		free(c->colors[i].where);
	}
	free(c->colors);
	for (i = 0; i < c->n_channels; i++)
		conf_channel_free(&c->channels[i]);
	free(c->channels);
	conf_init(c);
}

/* Parses yes/no words; -1 when s is neither. */
int
conf_parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < MW_ARRAY_LEN(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* Parses "90", "90s", "5m", "2h", "1d", "1h30m" into seconds. */
int
conf_parse_duration(const char *s, int *seconds)
{
	long long total = 0, n;
	char *end;
	int any = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || n > 100000000LL)
			return -1;
		switch (*end) {
		case '\0':
		case 's': break;
		case 'm': n *= 60; break;
		case 'h': n *= 3600; break;
		case 'd': n *= 86400; break;
		default: return -1;
		}
		total += n;
		if (total > 0x7fffffffLL)
			return -1;
		any = 1;
		s = *end == '\0' ? end : end + 1;
	}
	if (!any)
		return -1;
	*seconds = (int)total;
	return 0;
}

/* Splits the next blank-separated word off *p; NULL at the end. */
static char *
conf_word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return w;
}

/* Trims blanks at both ends in place; returns the start. */
static char *
conf_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Removes one pair of surrounding double or single quotes. */
static char *
conf_unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s[n - 1] = '\0';
		return s + 1;
	}
	return s;
}

/* The setting called name (or by its alias), or NULL (see conf.h). */
const struct conf_option *
conf_option(const char *name)
{
	size_t i;

	for (i = 0; i < conf_n_options; i++)
		if (strcmp(conf_options[i].name, name) == 0 ||
		    (conf_options[i].alias != NULL &&
		    strcmp(conf_options[i].alias, name) == 0))
			return &conf_options[i];
	return NULL;
}

/* Applies `name = value` as conf_options says; -1 with *cause (without the
 * location). */
static int
conf_setting(struct conf *c, const char *name, char *value, char **cause)
{
	const struct conf_option *o = conf_option(name);
	char **text;
	int b, secs;

	if (o == NULL) {
		*cause = xasprintf("unknown setting '%s'", name);
		return -1;
	}
	value = conf_unquote(value);
	switch (o->type) {
	case CONF_NAME:
		if (*value == '\0') {
			*cause = xasprintf("%s must not be empty", o->name);
			return -1;
		}
		/* FALLTHROUGH */
	case CONF_TEXT:
	case CONF_OPTIONAL:
		text = conf_text_at(c, o);
		free(*text);
		*text = *value == '\0' && o->type == CONF_OPTIONAL ? NULL :
		    xstrdup(value);
		break;
	case CONF_BOOL:
		if ((b = conf_parse_bool(value)) < 0) {
			*cause = xasprintf("%s wants yes or no, not '%s'", name, value);
			return -1;
		}
		*conf_int_at(c, o) = b;
		break;
	case CONF_DURATION:
		if (conf_parse_duration(value, &secs) != 0) {
			*cause = xasprintf("%s wants a duration (60, 90s, 5m, 2h), "
			    "not '%s'", name, value);
			return -1;
		}
		if (secs < o->min) {
			*cause = xasprintf("%s must be at least %ds", o->name, o->min);
			return -1;
		}
		*conf_int_at(c, o) = secs;
		break;
	}
	return 0;
}

/* Handles `bind KEY ACTION` and `unbind KEY`. */
static int
conf_bind_line(struct conf *c, int unbind, char *rest, const char *where,
    char **cause)
{
	char *key, *action, *extra;
	struct conf_bind *b;

	key = conf_word(&rest);
	action = unbind ? NULL : conf_word(&rest);
	extra = conf_word(&rest);
	if (key == NULL || (!unbind && action == NULL)) {
		*cause = xstrdup(unbind ? "usage: unbind KEY" : "usage: bind KEY ACTION");
		return -1;
	}
	if (extra != NULL) {
		*cause = xasprintf("unexpected '%s' after the %s", extra,
		    unbind ? "key" : "action");
		return -1;
	}
	c->binds = xreallocarray(c->binds, c->n_binds + 1, sizeof *c->binds);
	b = &c->binds[c->n_binds++];
	b->key = xstrdup(key);
	b->action = action != NULL ? xstrdup(action) : NULL;
	b->where = xstrdup(where);
	return 0;
}

/* Is w a text attribute rather than a colour? */
static int
conf_is_attr(const char *w)
{
	static const char *const attrs[] = { "bold", "reverse", "underline", "dim",
	    "blink", "standout", "normal" };
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(attrs); i++)
		if (strcmp(w, attrs[i]) == 0)
			return 1;
	return 0;
}

/* Handles `color SLOT FG [BG] [ATTR...]`. */
static int
conf_color_line(struct conf *c, char *rest, const char *where, char **cause)
{
	char *slot, *fg, *bg, *w;
	struct conf_color *col;
	struct buf attrs;

	slot = conf_word(&rest);
	fg = conf_word(&rest);
	if (slot == NULL || fg == NULL) {
		*cause = xstrdup("usage: color SLOT FOREGROUND [BACKGROUND] [ATTRIBUTE...]");
		return -1;
	}
	buf_init(&attrs);
	/* Attributes may follow the slot or FG directly: "color title bold". */
	if (conf_is_attr(fg)) {
		buf_adds(&attrs, fg);
		fg = NULL;
		bg = NULL;
	} else {
		bg = conf_word(&rest);
		if (bg != NULL && conf_is_attr(bg)) {
			buf_adds(&attrs, bg);
			bg = NULL;
		}
	}
	while ((w = conf_word(&rest)) != NULL) {
		if (attrs.len > 0)
			buf_addc(&attrs, ' ');
		buf_adds(&attrs, w);
	}
	c->colors = xreallocarray(c->colors, c->n_colors + 1, sizeof *c->colors);
	col = &c->colors[c->n_colors++];
	col->slot = xstrdup(slot);
	col->fg = xstrdup(fg != NULL ? fg : "default");
	col->bg = bg != NULL ? xstrdup(bg) : NULL;
	col->attrs = attrs.len > 0 ? buf_steal(&attrs) : NULL;
	col->where = xstrdup(where);
	buf_free(&attrs);
	return 0;
}

/*
 * Handles `channel NAME KIND [URL] [KEY=VALUE]... [all-rules]`: the word
 * after KIND is the URL when it holds "://" (or is "-"); the rest are
 * settings or `all-rules`.  Only the shape is checked here.
 */
static int
conf_channel_line(struct conf *c, char *rest, const char *where,
    char **cause)
{
	struct conf_channel ch;
	char *w;

	memset(&ch, 0, sizeof ch);
	w = conf_word(&rest);
	ch.name = w != NULL ? xstrdup(w) : NULL;
	w = conf_word(&rest);
	ch.kind = w != NULL ? xstrdup(w) : NULL;
	if (ch.name == NULL || ch.kind == NULL) {
		conf_channel_free(&ch);
		*cause = xstrdup("usage: channel NAME KIND [URL] [KEY=VALUE]... "
		    "[all-rules]");
		return -1;
	}
	while ((w = conf_word(&rest)) != NULL) {
		if (ch.url == NULL && ch.n_sets == 0 &&
		    (strstr(w, "://") != NULL || strcmp(w, "-") == 0))
			ch.url = xstrdup(w);
		else if (strcmp(w, "all-rules") == 0)
			ch.all_rules = 1;
		else if (strchr(w, '=') != NULL && w[0] != '=') {
			ch.sets = xreallocarray(ch.sets, ch.n_sets + 1,
			    sizeof *ch.sets);
			ch.sets[ch.n_sets++] = xstrdup(w);
		} else {
			*cause = xasprintf("channel %s: '%s' is neither a URL "
			    "(scheme://...), a KEY=VALUE setting nor all-rules",
			    ch.name, w);
			conf_channel_free(&ch);
			return -1;
		}
	}
	ch.where = xstrdup(where);
	c->channels = xreallocarray(c->channels, c->n_channels + 1,
	    sizeof *c->channels);
	c->channels[c->n_channels++] = ch;
	return 0;
}

/* Parses one line (already without its newline). */
static int
conf_line(struct conf *c, char *line, const char *where, char **cause)
{
	char *s = conf_trim(line), *eq, *name, *rest, *word;

	if (*s == '\0' || *s == '#')
		return 0;
	rest = s;
	word = conf_word(&rest);
	if (strcmp(word, "bind") == 0 || strcmp(word, "unbind") == 0)
		return conf_bind_line(c, word[0] == 'u', rest, where, cause);
	if ((strcmp(word, "color") == 0 || strcmp(word, "colour") == 0) &&
	    strchr(rest, '=') == NULL)
		return conf_color_line(c, rest, where, cause);
	if (strcmp(word, "channel") == 0 && *rest != '=' && *rest != '\0')
		return conf_channel_line(c, rest, where, cause);
	/* Restore the word separator conf_word cut, then split on '='. */
	if (*rest != '\0')
		rest[-1] = ' ';
	eq = strchr(s, '=');
	if (eq == NULL) {
		*cause = xasprintf("expected 'name = value', 'bind', 'unbind', "
		    "'color' or 'channel', not '%s'", s);
		return -1;
	}
	*eq = '\0';
	name = conf_trim(s);
	if (*name == '\0') {
		*cause = xstrdup("missing setting name before '='");
		return -1;
	}
	return conf_setting(c, name, conf_trim(eq + 1), cause);
}

/* Parses text into c (see conf.h). */
int
conf_parse(struct conf *c, const char *text, const char *name, char **cause)
{
	const char *p = text, *nl;
	char *line, *where, *why = NULL;
	int lineno = 0, rc = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		line = nl != NULL ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		lineno++;
		where = xasprintf("%s:%d", name, lineno);
		if (conf_line(c, line, where, &why) != 0) {
			*cause = xasprintf("%s: %s", where, why);
			free(why);
			rc = -1;
		}
		free(where);
		free(line);
		if (rc != 0)
			return -1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Reads and parses a whole file. */
int
conf_load_file(struct conf *c, const char *path, char **cause)
{
	FILE *f;
	struct buf b;
	char chunk[4096];
	size_t n;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (memchr(chunk, '\0', n) != NULL) {
			fclose(f);
			buf_free(&b);
			*cause = xasprintf("%s: not a text file", path);
			return -1;
		}
		buf_add(&b, chunk, n);
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		fclose(f);
		buf_free(&b);
		return -1;
	}
	fclose(f);
	rc = conf_parse(c, buf_str(&b), path, cause);
	buf_free(&b);
	return rc;
}

/* $XDG_CONFIG_HOME/midwatch/config or ~/.config/midwatch/config. */
char *
conf_default_path(const char *(*getenv_fn)(const char *))
{
	const char *x = getenv_fn("XDG_CONFIG_HOME"), *home;

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/midwatch/config", x);
	home = getenv_fn("HOME");
	if (home != NULL && *home != '\0')
		return xasprintf("%s/.config/midwatch/config", home);
	return NULL;
}
