/*
 * url.c - building request URLs for the pulled sources: a base URL that may
 * carry a path prefix (Mimir's http://mimir/prometheus, a reverse proxy's
 * /am/), an API path, and query parameters percent-encoded (RFC 3986
 * unreserved characters kept).  Pure string work; no curl needed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/net.h"
#include "midwatch/xmalloc.h"

/* Appends s percent-encoded (everything but A-Z a-z 0-9 - . _ ~). */
static void
url_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char e[4];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			buf_addc(b, (char)*p);
			continue;
		}
		e[0] = '%';
		e[1] = hex[*p >> 4];
		e[2] = hex[*p & 15];
		e[3] = '\0';
		buf_adds(b, e);
	}
}

/* base + path + "?k=v&..." (see net.h). */
char *
net_url_build(const char *base, const char *path, const char *const *params)
{
	struct buf b;
	size_t n = strlen(base);
	const char *q;
	int i;

	buf_init(&b);
	/* a query or fragment on the base stays out of the path */
	q = base + strcspn(base, "?#");
	n = (size_t)(q - base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_add(&b, base, n);
	if (path != NULL) {
		if (*path != '/')
			buf_addc(&b, '/');
		buf_adds(&b, path);
	}
	for (i = 0; params != NULL && params[i] != NULL &&
	    params[i + 1] != NULL; i += 2) {
		buf_addc(&b, i == 0 ? '?' : '&');
		url_escape(&b, params[i]);
		buf_addc(&b, '=');
		url_escape(&b, params[i + 1]);
	}
	return buf_steal(&b);
}
