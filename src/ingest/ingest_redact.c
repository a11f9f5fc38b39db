/*
 * ingest_redact.c - keeping secrets out of the database.  Config changes
 * carry diffs, and a diff of a password or token must record *that* it
 * changed, never the value.  The same care applies to unknown fields kept in
 * "extra", to passwords inside connection URLs, and to the payloads of
 * rejected lines, which would otherwise store a secret verbatim in
 * ingest_errors.  Over-redaction is preferred to a leak: a field called
 * "auth_timeout" is redacted too.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/ingest.h"
#include "midwatch/xmalloc.h"

#define REDACTED "[redacted]"

/* 1 if name looks like it names a secret (see ingest.h). */
int
ingest_redact_is_secret(const char *name)
{
	static const char *const words[] = { "password", "passwd", "passphrase",
	    "secret", "token", "api_key", "apikey", "private_key", "privatekey",
	    "credential", "access_key", "accesskey", "signing_key",
	    "encryption_key", "session_key", "client_key", "connection_string",
	    "conn_str", "cookie", NULL };
	static const char *const tokens[] = { "pwd", "pw", "dsn", "pass", "key",
	    NULL };
	const char *const *w;
	char *n, *p, *tok, *save = NULL;
	size_t i, len;
	int hit = 0, whole_key;

	if (name == NULL)
		return 0;
	len = strlen(name);
	n = xmalloc(len + 1);
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '-' || c == '.' || c == ' ')
			c = '_';
		/* camelCase: apiKey -> api_key is not needed for the
		 * substring words, lowercase is enough */
		n[i] = (char)tolower(c);
	}
	whole_key = strcmp(n, "key") == 0;
	for (w = words; *w != NULL && !hit; w++)
		if (strstr(n, *w) != NULL)
			hit = 1;
	for (p = n; !hit && (p = strstr(p, "auth")) != NULL; p += 4)
		if (strncmp(p + 4, "or", 2) != 0)
			hit = 1;
	/* short words only as whole '_'-separated tokens ("db_pwd", not
	 * "keyboard"); a bare "key" only when the whole name is "key" */
	for (tok = strtok_r(n, "_", &save); !hit && tok != NULL;
	    tok = strtok_r(NULL, "_", &save)) {
		for (w = tokens; *w != NULL; w++) {
			if (strcmp(tok, *w) != 0)
				continue;
			if (strcmp(*w, "key") != 0 || whole_key)
				hit = 1;
		}
	}
	free(n);
	return hit;
}

/* Masks the password of every "scheme://user:password@" in s; NULL when
 * there is none. */
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

/* Redacts secret-looking keys and URL passwords anywhere in j. */
int
ingest_redact_json(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;
	int n = 0;
	char *masked;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if (ingest_redact_is_secret(key) && !json_is_null(v) &&
			    !(json_is_string(v) &&
			    strcmp(json_string_value(v), REDACTED) == 0)) {
				json_object_set_new(j, key, json_string(REDACTED));
				n++;
			} else if (json_is_string(v)) {
				masked = ingest_redact_url(json_string_value(v));
				if (masked != NULL) {
					json_object_set_new(j, key, json_string(masked));
					free(masked);
					n++;
				}
			} else
				n += ingest_redact_json(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (json_is_string(v)) {
				masked = ingest_redact_url(json_string_value(v));
				if (masked != NULL) {
					json_array_set_new(j, i, json_string(masked));
					free(masked);
					n++;
				}
			} else
				n += ingest_redact_json(v);
		}
	}
	return n;
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

/* Redacts one diff element {field, old_value, new_value} in place. */
static int
redact_elem(json_t *elem, int force)
{
	json_t *oldv, *newv;
	const char *field;
	int n = 0, changed;

	field = json_string_value(json_object_get(elem, "field"));
	if (force || field == NULL || ingest_redact_is_secret(field)) {
		oldv = json_object_get(elem, "old_value");
		newv = json_object_get(elem, "new_value");
		if (oldv != NULL && json_is_null(oldv))
			oldv = NULL;
		if (newv != NULL && json_is_null(newv))
			newv = NULL;
		changed = !(oldv == NULL ? newv == NULL :
		    newv != NULL && json_equal(oldv, newv));
		n += redact_value(elem, "old_value");
		n += redact_value(elem, "new_value");
		json_object_set_new(elem, "redacted", json_true());
		json_object_set_new(elem, "changed", json_boolean(changed));
	}
	return n + ingest_redact_json(elem);
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
	char *masked, *url;

	if (s == NULL)
		return NULL;
	url = ingest_redact_url(s);
	if (!ingest_redact_is_secret(url != NULL ? url : s))
		return url;
	masked = raw_mask_values(url != NULL ? url : s);
	free(url);
	return masked;
}
