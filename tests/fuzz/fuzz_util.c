/*
 * fuzz_util.c - the invariant checks the fuzz targets share (fuzz.h).
 * Written independently of the code under test, so a bug there is not
 * also a bug of its oracle.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fuzz.h"
#include "midwatch/xmalloc.h"

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz invariant: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

int
fuzz_text(const uint8_t *data, size_t size, void (*check)(const char *))
{
	char *s = fuzz_cstr(data, size);

	check(s);
	free(s);
	return 0;
}

int
fuzz_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, n;
	uint32_t cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4, cp = p[i] & 0x07u, min = 0x10000;
		else if ((p[i] & 0xf0) == 0xe0)
			n = 3, cp = p[i] & 0x0fu, min = 0x800;
		else if ((p[i] & 0xe0) == 0xc0)
			n = 2, cp = p[i] & 0x1fu, min = 0x80;
		else
			return 0;
		if (len - i < n)
			return 0;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

void
fuzz_check_cause(const char *cause)
{
	if (cause == NULL || *cause == '\0')
		fuzz_fail("a failure gives a reason");
	if (!fuzz_utf8_valid(cause, strlen(cause)))
		fuzz_fail("the reason is not valid UTF-8: %s", cause);
	if (strchr(cause, '\n') != NULL)
		fuzz_fail("the reason is not one line: %s", cause);
}

/* The strings and keys of j, recursively. */
static void
check_strings(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		FUZZ_CHECK(fuzz_utf8_valid(json_string_value(j),
		    json_string_length(j)), "strings are valid UTF-8");
	else if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			FUZZ_CHECK(fuzz_utf8_valid(k, strlen(k)),
			    "keys are valid UTF-8");
			check_strings(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			check_strings(v);
	}
}

void
fuzz_check_json(json_t *j)
{
	char *dump;

	check_strings(j);
	dump = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	FUZZ_CHECK(dump != NULL, "the value dumps as JSON");
	free(dump);
}
