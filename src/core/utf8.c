/*
 * utf8.c - cutting text on UTF-8 character boundaries (see utf8.h), for the
 * fixed-size buffers that receive external text: a cut never leaves part of
 * a multi-byte character behind.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "midwatch/utf8.h"

/* 1 if c is a UTF-8 continuation byte (10xxxxxx). */
static int
utf8_is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Trims a character left incomplete at the end of s[0..len). */
size_t
utf8_complete(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = len, need;

	/* The start of the last character: at most 3 continuation bytes. */
	while (i > 0 && len - i < 3 && utf8_is_cont(p[i - 1]))
		i--;
	if (i == 0 || utf8_is_cont(p[i - 1]))
		return len;		/* no lead byte: not UTF-8, leave it */
	i--;				/* the lead byte */
	need = p[i] < 0x80 ? 1 : (p[i] & 0xe0) == 0xc0 ? 2 :
	    (p[i] & 0xf0) == 0xe0 ? 3 : (p[i] & 0xf8) == 0xf0 ? 4 : 1;
	return len - i < need ? i : len;
}

/* The longest prefix of at most max bytes ending between characters. */
size_t
utf8_boundary(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n < max || s[max] == '\0' || !utf8_is_cont((unsigned char)s[max]))
		return n;
	return utf8_complete(s, max);
}

/* vsnprintf, cut back to a character boundary when it truncates. */
int
utf8_vsnprintf(char *dst, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(dst, size, fmt, ap);

	if (n >= 0 && size > 0 && (size_t)n >= size)
		dst[utf8_complete(dst, size - 1)] = '\0';
	return n;
}

/* snprintf, cut back to a character boundary when it truncates. */
int
utf8_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = utf8_vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	return n;
}
