/*
 * ingest_fields.c - the fields of a JSON Lines record, as every kind of
 * ingest_kinds.c reads them: strings, timestamps, numbers, counts, booleans,
 * ids and enums, each checked with a reason an operator can act on, and the
 * normalised row they go to (unknown fields in "extra", secrets redacted).
 * Pure: no database, no I/O.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/ingest.h"
#include "midwatch/redact.h"
#include "midwatch/timefmt.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "ingest_kinds_int.h"

/* Formats t canonically: whole seconds without a fraction, else
 * microseconds. */
void
ingest_kinds_ts(double t, char *out, size_t len)
{
	long long us = llround(t * 1e6), sec, frac;
	time_t tt;
	struct tm tm;
	size_t n;

	sec = us / 1000000;
	frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	tt = (time_t)sec;
	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, len, "1970-01-01T00:00:00Z");
		return;
	}
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac != 0)
		snprintf(out + n, len - n, ".%06lldZ", frac);
	else
		snprintf(out + n, len - n, "Z");
}

/* Input quoted in a reason (see ingest.h). */
char *
ingest_quote(const char *s, size_t len, size_t max)
{
	size_t keep = len < INGEST_MAX_PAYLOAD ? len : INGEST_MAX_PAYLOAD, n, i;
	char *clean = ingest_payload_text(s, keep, keep), *r;
	struct buf b;

	/* redacted before the cut, which could leave too little of a secret
	 * to know it */
	r = redact_text(clean, NULL);
	free(clean);
	n = utf8_boundary(r, max);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r[i];

		if (c == '\n')
			buf_adds(&b, "\\n");
		else if (c == '\r')
			buf_adds(&b, "\\r");
		else if (c == '\t')
			buf_adds(&b, "\\t");
		else
			buf_addc(&b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (r[n] != '\0' || keep < len)
		buf_adds(&b, "...");
	free(r);
	return buf_steal(&b);
}

/* Sets *cause to the reason and returns -1. */
int MW_PRINTF(2, 3)
ingest_kinds_fail(struct kinds_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*c->cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* A string member: *out borrowed or NULL when absent (see K_* flags). */
int
ingest_k_str(struct kinds_ctx *c, const char *key, int flags, size_t max,
    const char **out)
{
	json_t *v = json_object_get(c->obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (flags & K_REQ)
			return ingest_kinds_fail(c, "missing required field \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v))
		return ingest_kinds_fail(c, "field \"%s\" must be a string", key);
	s = json_string_value(v);
	if (*s == '\0' && !(flags & K_EMPTY_OK)) {
		if (flags & K_REQ)
			return ingest_kinds_fail(c, "field \"%s\" must not be empty", key);
		return 0;
	}
	if (json_string_length(v) > max)
		return ingest_kinds_fail(c, "field \"%s\" is longer than %zu bytes", key,
		    max);
	*out = s;
	return 0;
}

/* A timestamp member into *out; *present says whether it was there. */
int
ingest_k_ts(struct kinds_ctx *c, const char *key, int req, double *out,
    int *present)
{
	const char *s;
	char *q;
	int rc;

	*present = 0;
	if (ingest_k_str(c, key, req ? K_REQ : 0, 64 * 1024, &s) != 0)
		return -1;
	if (s == NULL)
		return 0;
	if (timefmt_parse(s, out) != 0) {
		q = ingest_quote(s, strlen(s), 40);
		rc = ingest_kinds_fail(c, "field \"%s\" is not an RFC 3339 timestamp: \"%s\"",
		    key, q);
		free(q);
		return rc;
	}
	if (*out < KINDS_TS_MIN || *out > KINDS_TS_MAX)
		return ingest_kinds_fail(c, "field \"%s\" is out of range (years 1900-9999)",
		    key);
	*present = 1;
	return 0;
}

/* A number member into *out; *present says whether it was there. */
int
ingest_k_num(struct kinds_ctx *c, const char *key, int req, double *out,
    int *present)
{
	json_t *v = json_object_get(c->obj, key);

	*present = 0;
	if (v == NULL || json_is_null(v)) {
		if (req)
			return ingest_kinds_fail(c, "missing required field \"%s\"", key);
		return 0;
	}
	if (!json_is_number(v))
		return ingest_kinds_fail(c, "field \"%s\" must be a number", key);
	*out = json_number_value(v);
	if (!isfinite(*out))
		return ingest_kinds_fail(c, "field \"%s\" is not a finite number", key);
	*present = 1;
	return 0;
}

/* A non-negative integer member (integral reals accepted) into *out. */
int
ingest_k_count(struct kinds_ctx *c, json_t *obj, const char *key, long long max,
    long long *out)
{
	json_t *v = json_object_get(obj, key);
	double d;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != floor(d) || d < 0 || d > (double)max)
			return ingest_kinds_fail(c, "field \"%s\" must be a whole number "
			    "between 0 and %lld", key, max);
		*out = (long long)d;
	} else
		return ingest_kinds_fail(c, "field \"%s\" must be a number", key);
	if (*out < 0 || *out > max)
		return ingest_kinds_fail(c, "field \"%s\" must be a whole number between "
		    "0 and %lld", key, max);
	return 0;
}

/* A boolean member into *out (unchanged when absent). */
int
ingest_k_bool(struct kinds_ctx *c, const char *key, int *out)
{
	json_t *v = json_object_get(c->obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return ingest_kinds_fail(c, "field \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* An identifier member: a string or an integer, as text in *out (malloc'd,
 * NULL when absent and not required). */
int
ingest_k_id(struct kinds_ctx *c, const char *key, int req, char **out)
{
	json_t *v = json_object_get(c->obj, key);
	const char *s;

	*out = NULL;
	if (v != NULL && json_is_integer(v)) {
		*out = xasprintf("%lld", (long long)json_integer_value(v));
		return 0;
	}
	if (ingest_k_str(c, key, req ? K_REQ : 0, INGEST_MAX_NAME, &s) != 0)
		return -1;
	if (s != NULL)
		*out = xstrdup(s);
	return 0;
}

/* A value that must be one of words (NULL-terminated); *out borrowed. */
int
ingest_k_enum(struct kinds_ctx *c, const char *key, int req,
    const char *const *words, const char **out)
{
	const char *const *w;
	struct buf b;
	char *q;
	int rc;

	if (ingest_k_str(c, key, req ? K_REQ : 0, INGEST_MAX_NAME, out) != 0)
		return -1;
	if (*out == NULL)
		return 0;
	for (w = words; *w != NULL; w++)
		if (strcmp(*out, *w) == 0)
			return 0;
	buf_init(&b);
	for (w = words; *w != NULL; w++)
		buf_printf(&b, "%s%s", w == words ? "" : ", ", *w);
	q = ingest_quote(*out, strlen(*out), 40);
	rc = ingest_kinds_fail(c, "field \"%s\" must be one of %s (got \"%s\")", key,
	    buf_str(&b), q);
	free(q);
	buf_free(&b);
	return rc;
}

/* Sets row[key] to the string s, or null. */
void
ingest_row_str(struct kinds_ctx *c, const char *key, const char *s)
{
	json_object_set_new(c->row, key, s != NULL ? json_string(s) : json_null());
}

/* Sets row[key] to the canonical text of t, or null when !present. */
void
ingest_row_ts(struct kinds_ctx *c, const char *key, double t, int present)
{
	char ts[40];

	if (!present) {
		json_object_set_new(c->row, key, json_null());
		return;
	}
	ingest_kinds_ts(t, ts, sizeof ts);
	json_object_set_new(c->row, key, json_string(ts));
}

/* Sets row[key] to the number v, or null when !present. */
void
ingest_row_num(struct kinds_ctx *c, const char *key, double v, int present)
{
	json_object_set_new(c->row, key, present ? json_real(v) : json_null());
}

/* 1 if key is "kind" or in known. */
int
ingest_kinds_known(const char *key, const char *const *known)
{
	if (strcmp(key, "kind") == 0)
		return 1;
	for (; *known != NULL; known++)
		if (strcmp(key, *known) == 0)
			return 1;
	return 0;
}

/* row.extra = the unknown fields (deep copies), secrets redacted. */
void
ingest_row_extra(struct kinds_ctx *c, const char *const *known)
{
	json_t *extra = json_object(), *v;
	const char *key;

	json_object_foreach(c->obj, key, v) {
		if (!ingest_kinds_known(key, known))
			json_object_set_new(extra, key, json_deep_copy(v));
	}
	c->rec->redacted += ingest_redact_json(extra);
	json_object_set_new(c->row, "extra", extra);
}
