/*
 * base64.h - Base64 (RFC 4648, padded): HTTP basic credentials (src/net)
 * and the console's OSC 52 clipboard writes (src/tui).
 */
#ifndef MIDWATCH_BASE64_H
#define MIDWATCH_BASE64_H

#include <stddef.h>

/* The Base64 text of n bytes of s; malloc'd, NUL-terminated. */
char *base64_encode(const void *s, size_t n);

#endif
