/*
 * redact_int.h - what redact.c (the scanner: headers, key=value pairs, URL
 * userinfo, private key blocks) and redact_tokens.c (the table of provider
 * key formats) share, and nothing else.
 */
#ifndef MIDWATCH_REDACT_INT_H
#define MIDWATCH_REDACT_INT_H

#include <stddef.h>

/* A secret found: bytes [start, end) of the text; kind names its format
 * ("github"), NULL for a value found by its key. */
struct redact_hit {
	size_t start, end;
	const char *kind;
};

/* ASCII classes, so that UTF-8 bytes never count as letters. */
static inline int
redact_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * A secret of a known format (a provider's key, a JWT, a webhook URL's
 * secret path) starting at s[i] (NUL-terminated), which starts a word
 * (s[i-1] is not an ASCII letter or digit).  1 with *h filled, else 0.
 */
int redact_token_at(const char *s, size_t i, struct redact_hit *h);

#endif
