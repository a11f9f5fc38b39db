/*
 * sanitize.c - make external text safe to draw.  Alert messages, commit
 * messages, error logs and notes come from outside; an escape sequence in
 * one of them must never reach the terminal (it could retitle the window,
 * move the cursor or worse).  Sequences are dropped whole, other control
 * bytes are shown as '?', and broken UTF-8 is replaced.
 */
#include "config.h"

#include <string.h>

#include "midwatch/sanitize.h"
#include "midwatch/buf.h"

/* Length of a valid UTF-8 sequence starting at p (0 if invalid). */
static size_t
utf8_seq_len(const unsigned char *p)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls encoded in UTF-8 (U+0080..U+009F) are controls too. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
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

/* Returns a malloc'd, display-safe copy of s; caller frees. */
char *
sanitize_text(const char *s, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	struct buf b;
	size_t n;

	buf_init(&b);
	while (*p != '\0') {
		if (*p == 0x1b) {
			p += skip_escape(p);
			continue;
		}
		if (*p == '\n' && keep_newlines) {
			buf_addc(&b, '\n');
			p++;
			continue;
		}
		if (*p == '\t' || *p == '\n' || *p == '\r') {
			buf_addc(&b, ' ');
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_addc(&b, '?');
			p++;
			continue;
		}
		n = utf8_seq_len(p);
		if (n == 0) {
			buf_addc(&b, '?');
			p++;
			continue;
		}
		buf_add(&b, (const char *)p, n);
		p += n;
	}
	return buf_steal(&b);
}
