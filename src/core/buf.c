/*
 * buf.c - growable string buffer used to build text (reports, payloads),
 * and writing a whole text to a descriptor.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/buf.h"
#include "midwatch/xmalloc.h"

/* Initialises an empty buffer. */
void
buf_init(struct buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Releases the buffer's memory. */
void
buf_free(struct buf *b)
{
	free(b->s);
	buf_init(b);
}

/* Empties the buffer, keeping its memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t want = b->len + n + 1;

	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

/* Appends n bytes of s. */
void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Appends a C string. */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Appends one byte. */
void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Appends formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

/* Hands the contents to the caller and leaves b empty. */
char *
buf_steal(struct buf *b)
{
	char *s = b->s != NULL ? b->s : xstrdup("");

	buf_init(b);
	return s;
}

/* The contents, borrowed. */
const char *
buf_str(const struct buf *b)
{
	return b->s != NULL ? b->s : "";
}

/* Writes all of s to fd (see buf.h). */
int
fd_write_all(int fd, const char *s, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}
