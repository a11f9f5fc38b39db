/*
 * xmalloc.h - allocators that never return NULL: out of memory ends the
 * program through fatal(), which restores the terminal first.
 */
#ifndef MIDWATCH_XMALLOC_H
#define MIDWATCH_XMALLOC_H

#include <stddef.h>
#include <stdarg.h>
#include "midwatch/midwatch.h"

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string; caller frees. */
char *xasprintf(const char *fmt, ...) MW_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap);

#endif
