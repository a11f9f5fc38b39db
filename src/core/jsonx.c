/*
 * jsonx.c - small jansson helpers: typed member access that explains what is
 * wrong, and compact dumping that never returns NULL.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/xmalloc.h"

/* Borrowed string member; NULL when absent (error only if required). */
const char *
jsonx_str(json_t *obj, const char *key, int required, char **cause)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v)) {
		if (required && cause != NULL)
			*cause = xasprintf("missing required field \"%s\"", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		if (cause != NULL)
			*cause = xasprintf("field \"%s\" must be a string", key);
		return NULL;
	}
	return json_string_value(v);
}

/* Number member into *out: 0 found, 1 absent, -1 wrong type (*cause set). */
int
jsonx_num(json_t *obj, const char *key, double *out, char **cause)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_number(v)) {
		if (cause != NULL)
			*cause = xasprintf("field \"%s\" must be a number", key);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

/* Compact dump with sorted keys; caller frees. */
char *
jsonx_dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *r;

	if (s == NULL)
		return xstrdup("null");
	r = xstrdup(s);
	free(s);
	return r;
}

/* Compares two C strings for qsort. */
static int
jsonx_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of obj, sorted (see jsonx.h). */
const char **
jsonx_sorted_keys(json_t *obj, size_t *n)
{
	const char *key, **keys;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(obj);
	keys = xcalloc(*n > 0 ? *n : 1, sizeof *keys);
	json_object_foreach(obj, key, v)
		keys[i++] = key;
	qsort(keys, *n, sizeof *keys, jsonx_strcmp);
	return keys;
}

/* Packs and dumps (see jsonx.h). */
char *
jsonx_pack(const char *fmt, ...)
{
	json_error_t err;
	va_list ap;
	json_t *j;
	char *s;

	va_start(ap, fmt);
	j = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (j == NULL)
		fatal("jsonx_pack \"%s\": %s", fmt, err.text);
	s = jsonx_dump(j);
	json_decref(j);
	return s;
}
