/*
 * keys.c - key names and the key -> action table.  The defaults come from
 * doc/midwatch.keys, compiled in (as tig does with tigrc); the operator's
 * configuration file may bind and unbind on top with the same syntax.
 *
 * A key code is a Unicode code point for characters (control characters
 * and Esc included) or KEYC_SPECIAL + a curses KEY_* code for function
 * keys, so the two ranges never collide.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curses_compat.h"
#include "midwatch/buf.h"
#include "midwatch/conf.h"
#include "midwatch/tui.h"
#include "midwatch/xmalloc.h"

/* Named keys; the first name of a code is its canonical name. */
static const struct {
	const char *name;
	int key;
} keys_names[] = {
	{ "Enter", KEYC_ENTER },
	{ "Return", KEYC_ENTER },
	{ "Esc", KEYC_ESC },
	{ "Escape", KEYC_ESC },
	{ "Tab", KEYC_TAB },
	{ "S-Tab", KEYC_SPECIAL + KEY_BTAB },
	{ "BackTab", KEYC_SPECIAL + KEY_BTAB },
	{ "Space", ' ' },
	{ "Backspace", KEYC_SPECIAL + KEY_BACKSPACE },
	{ "Up", KEYC_SPECIAL + KEY_UP },
	{ "Down", KEYC_SPECIAL + KEY_DOWN },
	{ "Left", KEYC_SPECIAL + KEY_LEFT },
	{ "Right", KEYC_SPECIAL + KEY_RIGHT },
	{ "PgUp", KEYC_SPECIAL + KEY_PPAGE },
	{ "PageUp", KEYC_SPECIAL + KEY_PPAGE },
	{ "PgDn", KEYC_SPECIAL + KEY_NPAGE },
	{ "PageDown", KEYC_SPECIAL + KEY_NPAGE },
	{ "Home", KEYC_SPECIAL + KEY_HOME },
	{ "End", KEYC_SPECIAL + KEY_END },
	{ "Insert", KEYC_SPECIAL + KEY_IC },
	{ "Delete", KEYC_SPECIAL + KEY_DC },
	{ "Del", KEYC_SPECIAL + KEY_DC },
};

/* Parses a key name (see tui.h). */
int
keys_parse(const char *name, int *key)
{
	size_t i, n;
	unsigned cp;
	int f;
	char *end;

	if (name == NULL || *name == '\0')
		return -1;
	for (i = 0; i < MW_ARRAY_LEN(keys_names); i++) {
		if (strcasecmp(name, keys_names[i].name) == 0) {
			*key = keys_names[i].key;
			return 0;
		}
	}
	/* C-x and ^X: control characters. */
	if (((name[0] == 'C' && name[1] == '-') || name[0] == '^') &&
	    name[name[0] == '^' ? 1 : 2] != '\0') {
		const char *c = name + (name[0] == '^' ? 1 : 2);

		if (c[1] != '\0')
			return -1;
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    *c == '[' || *c == '\\' || *c == ']' || *c == '_') {
			*key = KEYC_CTRL(*c);
			return 0;
		}
		return -1;
	}
	/* F1..F63. */
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		f = (int)strtol(name + 1, &end, 10);
		if (*end == '\0' && f >= 1 && f <= 63) {
			*key = KEYC_SPECIAL + KEY_F(f);
			return 0;
		}
	}
	/* One character, written as itself. */
	n = text_decode(name, &cp);
	if (name[n] != '\0' || cp == 0xfffdU || cp <= ' ' || cp == 0x7f)
		return -1;
	*key = (int)cp;
	return 0;
}

/* Writes the canonical name of key. */
void
keys_name(int key, char *out, size_t len)
{
	size_t i;
	int special;

	for (i = 0; i < MW_ARRAY_LEN(keys_names); i++) {
		if (keys_names[i].key == key) {
			snprintf(out, len, "%s", keys_names[i].name);
			return;
		}
	}
	if (key >= 1 && key < 32) {
		snprintf(out, len, "C-%c", key + 'a' - 1 <= 'z' ? key + 'a' - 1 : key + '@');
		return;
	}
	if (key >= KEYC_SPECIAL) {
		special = key - KEYC_SPECIAL;
		if (special >= KEY_F(1) && special <= KEY_F(63))
			snprintf(out, len, "F%d", special - KEY_F0);
		else
			snprintf(out, len, "key-%d", special);
		return;
	}
	/* A character: encode it as UTF-8. */
	if (key < 0x80)
		snprintf(out, len, "%c", key);
	else if (key < 0x800)
		snprintf(out, len, "%c%c", 0xc0 | (key >> 6), 0x80 | (key & 0x3f));
	else if (key < 0x10000)
		snprintf(out, len, "%c%c%c", 0xe0 | (key >> 12),
		    0x80 | ((key >> 6) & 0x3f), 0x80 | (key & 0x3f));
	else
		snprintf(out, len, "%c%c%c%c", 0xf0 | (key >> 18),
		    0x80 | ((key >> 12) & 0x3f), 0x80 | ((key >> 6) & 0x3f),
		    0x80 | (key & 0x3f));
}

/* An empty table. */
void
keymap_init(struct keymap *km)
{
	km->entries = NULL;
	km->n = 0;
}

/* Frees the table. */
void
keymap_free(struct keymap *km)
{
	free(km->entries);
	keymap_init(km);
}

/* Binds key, replacing its earlier binding. */
void
keymap_bind(struct keymap *km, int key, int action)
{
	size_t i;

	for (i = 0; i < km->n; i++) {
		if (km->entries[i].key == key) {
			km->entries[i].action = action;
			return;
		}
	}
	km->entries = xreallocarray(km->entries, km->n + 1, sizeof *km->entries);
	km->entries[km->n].key = key;
	km->entries[km->n].action = action;
	km->n++;
}

/* Removes the binding of key (keeps the order of the others). */
void
keymap_unbind(struct keymap *km, int key)
{
	size_t i;

	for (i = 0; i < km->n; i++) {
		if (km->entries[i].key == key) {
			memmove(&km->entries[i], &km->entries[i + 1],
			    (km->n - i - 1) * sizeof *km->entries);
			km->n--;
			return;
		}
	}
}

/* The action of key, or ACT_NONE. */
int
keymap_lookup(const struct keymap *km, int key)
{
	size_t i;

	for (i = 0; i < km->n; i++)
		if (km->entries[i].key == key)
			return km->entries[i].action;
	return ACT_NONE;
}

/* Appends the names of the keys bound to action, in binding order. */
int
keymap_keys(const struct keymap *km, int action, struct buf *b, int max)
{
	char name[32];
	size_t i;
	int count = 0;

	for (i = 0; i < km->n; i++) {
		if (km->entries[i].action != action)
			continue;
		if (max > 0 && count == max)
			break;
		keys_name(km->entries[i].key, name, sizeof name);
		if (count > 0)
			buf_adds(b, ", ");
		buf_adds(b, name);
		count++;
	}
	return count;
}

/* Applies the bind/unbind lines of c. */
int
keymap_apply(struct keymap *km, const struct conf *c, char **cause)
{
	size_t i;
	int key, action;

	for (i = 0; i < c->n_binds; i++) {
		const struct conf_bind *b = &c->binds[i];

		if (keys_parse(b->key, &key) != 0) {
			*cause = xasprintf("%s: unknown key '%s'", b->where, b->key);
			return -1;
		}
		if (b->action == NULL) {
			keymap_unbind(km, key);
			continue;
		}
		action = action_find(b->action);
		if (action == ACT_NONE) {
			*cause = xasprintf("%s: unknown action '%s'", b->where,
			    b->action);
			return -1;
		}
		keymap_bind(km, key, action);
	}
	return 0;
}

/* Loads the compiled-in default bindings. */
int
keymap_defaults(struct keymap *km, char **cause)
{
	struct conf c;
	int rc;

	conf_init(&c);
	rc = conf_parse(&c, keys_default_text, "midwatch.keys", cause);
	if (rc == 0 && (c.db != NULL || c.project != NULL || c.n_colors > 0)) {
		*cause = xstrdup("midwatch.keys: only bind and unbind lines belong here");
		rc = -1;
	}
	if (rc == 0)
		rc = keymap_apply(km, &c, cause);
	conf_free(&c);
	return rc;
}
