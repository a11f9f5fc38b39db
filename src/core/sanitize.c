/*
 * sanitize.c - make external text safe to draw and print.  Alert messages,
 * commit messages, error logs, notes and the input an error message quotes
 * come from outside; an escape sequence in one of them must never reach the
 * terminal (it could retitle the window, move the cursor or worse), nor may
 * a bidi control or an invisible character make it read as something else.
 * Sequences are dropped whole, other control bytes and invisible characters
 * (utf8_is_invisible) are shown as '?', and broken UTF-8 is replaced.
 * sanitize_stderr() puts the same filter in front of everything midwatch
 * writes to stderr.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/sanitize.h"
#include "midwatch/buf.h"
#include "midwatch/utf8.h"

/* Length of a valid UTF-8 sequence starting at the NUL-terminated p, its
 * code point in *cp (0 if invalid: utf8_decode's rules, and C1 controls). */
static size_t
utf8_seq_len(const unsigned char *p, uint32_t *cpp)
{
	size_t n = utf8_decode((const char *)p, 4, cpp);

	/* C1 controls encoded in UTF-8 (U+0080..U+009F) are controls too. */
	return n > 1 && *cpp <= 0x9f ? 0 : n;
}

/* Skips an escape sequence starting at p (p[0] == ESC); returns bytes used. */
static size_t
skip_escape(const unsigned char *p)
{
	size_t i = 1;

	if (p[1] == '[') {			/* CSI: params, then a final byte */
		for (i = 2; p[i] != '\0'; i++)
			if (p[i] >= 0x40 && p[i] <= 0x7e)
				return i + 1;
		return i;
	}
	if (p[1] == ']' || p[1] == 'P' || p[1] == '_' || p[1] == '^' ||
	    p[1] == 'X') {			/* OSC/DCS/APC/PM/SOS: up to ST */
		for (i = 2; p[i] != '\0'; i++) {
			if (p[i] == 0x07)
				return i + 1;
			if (p[i] == 0x1b && p[i + 1] == '\\')
				return i + 2;
		}
		return i;
	}
	if (p[1] == '\0')
		return 1;
	/* Two-byte sequences (ESC c, ESC 7, ESC ( B ...). */
	if (p[1] >= 0x20 && p[1] <= 0x2f && p[2] != '\0')
		return 3;
	return 2;
}

/* Appends the display-safe form of the NUL-terminated s to b. */
static void
sanitize_into(struct buf *b, const unsigned char *p, int keep_newlines)
{
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		if (*p == 0x1b) {
			p += skip_escape(p);
			continue;
		}
		if (*p == '\n' && keep_newlines) {
			buf_addc(b, '\n');
			p++;
			continue;
		}
		if (*p == '\t' || *p == '\n' || *p == '\r') {
			buf_addc(b, ' ');
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_addc(b, '?');
			p++;
			continue;
		}
		n = utf8_seq_len(p, &cp);
		if (n == 0) {
			buf_addc(b, '?');
			p++;
			continue;
		}
		if (utf8_is_invisible(cp))
			buf_addc(b, '?');	/* one '?' for the character */
		else
			buf_add(b, (const char *)p, n);
		p += n;
	}
}

/* Returns a malloc'd, display-safe copy of s; caller frees. */
char *
sanitize_text(const char *s, int keep_newlines)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	sanitize_into(&b, (const unsigned char *)(s != NULL ? s : ""),
	    keep_newlines);
	return buf_steal(&b);
}

/* ---- stderr ---------------------------------------------------------------- */

/* Writes all of s[0..len) to fd 2; 0 or -1. */
static int
stderr_put(const char *s, size_t len)
{
	return fd_write_all(STDERR_FILENO, s, len);
}

/* The stream's write: each piece stdio hands over (one fprintf, unbuffered)
 * is sanitised on its own, newlines kept; NULs become '?'. */
static ssize_t
stderr_cookie_write(void *cookie, const char *data, size_t size)
{
	struct buf b;
	char *copy;
	size_t i, start;
	int rc;

	(void)cookie;
	copy = malloc(size + 1);
	if (copy == NULL) {
		/* no memory: printable ASCII and newlines only, unbuffered */
		char c;

		for (i = 0; i < size; i++) {
			c = data[i] == '\n' || (data[i] >= 0x20 && data[i] < 0x7f) ?
			    data[i] : '?';
			if (stderr_put(&c, 1) != 0)
				return -1;
		}
		return (ssize_t)size;
	}
	memcpy(copy, data, size);
	copy[size] = '\0';
	buf_init(&b);
	buf_add(&b, "", 0);
	for (start = 0;;) {
		sanitize_into(&b, (const unsigned char *)copy + start, 1);
		start += strlen(copy + start);
		if (start >= size)
			break;
		buf_addc(&b, '?');	/* a NUL byte */
		start++;
	}
	rc = stderr_put(b.s, b.len);
	buf_free(&b);
	free(copy);
	return rc == 0 ? (ssize_t)size : -1;
}

/* Puts the sanitising filter in front of stderr (see sanitize.h). */
int
sanitize_stderr(void)
{
	static const cookie_io_functions_t io = { NULL, stderr_cookie_write,
	    NULL, NULL };
	FILE *f;

	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return -1;
	setvbuf(f, NULL, _IONBF, 0);
	fflush(stderr);
	stderr = f;
	return 0;
}
