/*
 * buf.h - a growable string buffer.  b->s is always NUL-terminated once
 * anything was added; buf_free releases it.
 */
#ifndef MIDWATCH_BUF_H
#define MIDWATCH_BUF_H

#include <stddef.h>
#include "midwatch/midwatch.h"

struct buf {
	char *s;	/* NUL-terminated contents, or NULL when empty */
	size_t len;	/* bytes used, excluding the NUL */
	size_t cap;	/* bytes allocated */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) MW_PRINTF(2, 3);
/* Returns the contents as a malloc'd string (never NULL) and empties b. */
char *buf_steal(struct buf *b);
/* The contents, or "" when empty; borrowed. */
const char *buf_str(const struct buf *b);
/* Writes all len bytes of s to fd (retrying short writes and EINTR);
 * 0, or -1 with errno. */
int fd_write_all(int fd, const char *s, size_t len);

#endif
