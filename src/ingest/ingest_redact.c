/*
 * ingest_redact.c - keeping secrets out of the database: the JSON side of
 * redaction (the text side is core/redact.c).  Every string of a record is
 * scanned for secrets by the shape of the value (tokens, JWTs, keys of
 * providers, key=value pairs, URL passwords), and the values of keys that
 * name a secret are replaced whole.  Config changes carry diffs, and a diff
 * of a password or token must record *that* it changed, never the value.
 * The same care applies to unknown fields kept in "extra", to labels and
 * annotations, and to the payloads of rejected lines, which would otherwise
 * store a secret verbatim in ingest_errors.  Over-redaction is preferred to
 * a leak: a field called "auth_timeout" is redacted too.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/ingest.h"
#include "midwatch/redact.h"
#include "midwatch/xmalloc.h"

#define REDACTED REDACT_MARK

/* 1 if name looks like it names a secret (see ingest.h). */
int
ingest_redact_is_secret(const char *name)
{
	return redact_is_secret_key(name);
}

/* Masks the password of every "scheme://user:password@" in s; NULL when
 * there is none.  (Only that: redact_text, which ingest uses, masks URL
 * passwords among everything else.) */
char *
ingest_redact_url(const char *s)
{
	struct buf b;
	const char *p, *at, *colon, *end, *start;
	int changed = 0;

	if (s == NULL || strstr(s, "://") == NULL)
		return NULL;
	buf_init(&b);
	start = s;
	while ((p = strstr(start, "://")) != NULL) {
		p += 3;
		end = p + strcspn(p, "/?#@ \t\"'");
		if (*end != '@') {
			buf_add(&b, start, (size_t)(end - start));
			start = end;
			continue;
		}
		at = end;
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon == NULL) {
			buf_add(&b, start, (size_t)(at - start));
			start = at;
			continue;
		}
		buf_add(&b, start, (size_t)(colon + 1 - start));
		buf_adds(&b, REDACTED);
		start = at;
		changed = 1;
	}
	buf_adds(&b, start);
	if (!changed) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Replaces the string member `key` of object j (or element i of array j
 * when key is NULL) by its redacted text when a secret is found; how many. */
static int
redact_string(json_t *j, const char *key, size_t i, json_t *v)
{
	char *masked;
	int n = 0;

	masked = redact_text_changed(json_string_value(v), &n);
	if (masked == NULL)
		return 0;
	if (key != NULL)
		json_object_set_new(j, key, json_string(masked));
	else
		json_array_set_new(j, i, json_string(masked));
	free(masked);
	return n;
}

/* Renames the keys of object j that hold a secret themselves; how many. */
static int
redact_keys(json_t *j)
{
	const char *key;
	json_t *v, *renamed = NULL;
	char *masked;
	int n = 0, k;

	json_object_foreach(j, key, v) {
		masked = redact_text_changed(key, &k);
		if (masked == NULL)
			continue;
		if (renamed == NULL)
			renamed = json_object();
		json_object_set_new(renamed, key, json_string(masked));
		free(masked);
		n += k;
	}
	if (renamed == NULL)
		return 0;
	json_object_foreach(renamed, key, v) {
		json_t *val = json_incref(json_object_get(j, key));

		json_object_del(j, key);
		json_object_set_new(j, json_string_value(v), val);
	}
	json_decref(renamed);
	return n;
}

/* Redacts j in place: strings by shape, object keys by shape, and when
 * by_name the values of secret-looking keys whole. */
static int
redact_walk(json_t *j, int by_name)
{
	const char *key;
	json_t *v;
	size_t i;
	int n = 0;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if (by_name && ingest_redact_is_secret(key) &&
			    !json_is_null(v) && !(json_is_string(v) &&
			    redact_is_marker(json_string_value(v)))) {
				json_object_set_new(j, key, json_string(REDACTED));
				n++;
			} else if (json_is_string(v))
				n += redact_string(j, key, 0, v);
			else
				n += redact_walk(v, by_name);
		}
		n += redact_keys(j);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (json_is_string(v))
				n += redact_string(j, NULL, i, v);
			else
				n += redact_walk(v, by_name);
		}
	}
	return n;
}

/* Redacts secret-looking keys and secret-shaped values anywhere in j. */
int
ingest_redact_json(json_t *j)
{
	return redact_walk(j, 1);
}

/* Redacts secret-shaped strings and keys anywhere in j (see ingest.h). */
int
ingest_redact_shapes(json_t *j)
{
	return redact_walk(j, 0);
}

/* Redacts one value of a diff element in place; counts it. */
static int
redact_value(json_t *elem, const char *key)
{
	json_t *v = json_object_get(elem, key);

	if (v == NULL || json_is_null(v))
		return 0;
	json_object_set_new(elem, key, json_string(REDACTED));
	return 1;
}

/* Redacts one diff element {field, old_value, new_value} in place: whole
 * values for a secret field (or force), secret-shaped parts otherwise; an
 * element with anything redacted says so and whether the value changed. */
static int
redact_elem(json_t *elem, int force)
{
	json_t *oldv, *newv;
	const char *field;
	int n = 0, changed, secret;

	field = json_string_value(json_object_get(elem, "field"));
	oldv = json_object_get(elem, "old_value");
	newv = json_object_get(elem, "new_value");
	if (oldv != NULL && json_is_null(oldv))
		oldv = NULL;
	if (newv != NULL && json_is_null(newv))
		newv = NULL;
	changed = !(oldv == NULL ? newv == NULL :
	    newv != NULL && json_equal(oldv, newv));
	secret = force || field == NULL || ingest_redact_is_secret(field);
	if (secret) {
		n += redact_value(elem, "old_value");
		n += redact_value(elem, "new_value");
	}
	n += ingest_redact_json(elem);
	if (secret || n > 0) {
		json_object_set_new(elem, "redacted", json_true());
		json_object_set_new(elem, "changed", json_boolean(changed));
	}
	return n;
}

/* Redacts a config diff (see ingest.h); a single element object is
 * accepted too. */
int
ingest_redact_diff(json_t *diff, int force)
{
	json_t *elem;
	size_t i;
	int n = 0;

	if (json_is_object(diff) && json_object_get(diff, "field") != NULL)
		return redact_elem(diff, force);
	if (!json_is_array(diff))
		return ingest_redact_json(diff);
	json_array_foreach(diff, i, elem) {
		if (json_is_object(elem))
			n += redact_elem(elem, force);
		else
			n += ingest_redact_json(elem);
	}
	return n;
}

/* 1 if the bare token s (len bytes) is a JSON number or literal. */
static int
raw_harmless(const char *s, size_t len)
{
	size_t i;

	if ((len == 4 && (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)) ||
	    (len == 5 && strncmp(s, "false", 5) == 0))
		return 1;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && strchr("+-.eE", s[i]) == NULL)
			return 0;
	return len > 0;
}

/* Masks every value after a ':' in s (strings and bare words). */
static char *
raw_mask_values(const char *s)
{
	struct buf b;
	size_t i = 0, j, len = strlen(s);
	int after_colon = 0;

	buf_init(&b);
	while (i < len) {
		char c = s[i];

		if (c == '[' && redact_is_marker(s + i)) {
			/* a secret found by its shape: kept as it is */
			j = i + strcspn(s + i, "]");
			buf_add(&b, s + i, j < len ? j + 1 - i : len - i);
			i = j < len ? j + 1 : len;
			after_colon = 0;
			continue;
		}
		if (c == '"') {
			for (j = i + 1; j < len && s[j] != '"'; j++)
				if (s[j] == '\\' && j + 1 < len)
					j++;
			if (after_colon)
				buf_adds(&b, j < len ? "\"" REDACTED "\"" : "\"" REDACTED);
			else
				buf_add(&b, s + i, j < len ? j + 1 - i : len - i);
			i = j < len ? j + 1 : len;
			after_colon = 0;
			continue;
		}
		if (after_colon && !isspace((unsigned char)c) && c != '{' && c != '[') {
			j = i + strcspn(s + i, ",}] \t\r\n");
			if (raw_harmless(s + i, j - i))
				buf_add(&b, s + i, j - i);
			else
				buf_adds(&b, REDACTED);
			i = j;
			after_colon = 0;
			continue;
		}
		buf_addc(&b, c);
		if (c == ':' || c == '=')
			after_colon = 1;
		else if (!isspace((unsigned char)c))
			after_colon = 0;
		i++;
	}
	return buf_steal(&b);
}

/* Best-effort redaction of an unparseable line (see ingest.h). */
char *
ingest_redact_raw(const char *s)
{
	char *masked, *shaped;

	if (s == NULL)
		return NULL;
	shaped = redact_text_changed(s, NULL);
	if (!ingest_redact_is_secret(shaped != NULL ? shaped : s))
		return shaped;
	masked = raw_mask_values(shaped != NULL ? shaped : s);
	free(shaped);
	return masked;
}
