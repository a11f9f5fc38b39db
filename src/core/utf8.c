/*
 * utf8.c - cutting text on UTF-8 character boundaries (see utf8.h), for the
 * fixed-size buffers that receive external text: a cut never leaves part of
 * a multi-byte character behind; and which characters are invisible (bidi
 * controls, zero-width and other format characters), for the sanitisers.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
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

/* Decodes one well-formed UTF-8 character (see utf8.h). */
size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;
	uint32_t c;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;		/* a continuation, C0/C1 overlong, F5.. */
	for (i = 1; i < n; i++) {
		if (i >= len || !utf8_is_cont(p[i]))
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
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

/*
 * Code points that change how other text is shown, or show nothing at all:
 * the bidi controls that reorder what follows (a "Trojan Source" line reads
 * differently from what it is), zero-width and other default-ignorable
 * format characters (two names that look the same are not), the line and
 * paragraph separators, and the tags that hide ASCII.  Variation selectors
 * (U+FE00..U+FE0F, U+E0100..U+E01EF) are left alone: they only pick the
 * glyph of the character before them (text or emoji), hiding nothing.
 */
static const struct {
	uint32_t lo, hi;
} utf8_invisible_ranges[] = {
	{ 0x00ad, 0x00ad },	/* soft hyphen */
	{ 0x034f, 0x034f },	/* combining grapheme joiner */
	{ 0x061c, 0x061c },	/* arabic letter mark (bidi) */
	{ 0x115f, 0x1160 },	/* hangul fillers */
	{ 0x17b4, 0x17b5 },	/* khmer inherent vowels (invisible) */
	{ 0x180e, 0x180e },	/* mongolian vowel separator */
	{ 0x200b, 0x200f },	/* zero width space, (non-)joiner, LRM, RLM */
	{ 0x2028, 0x2029 },	/* line and paragraph separators */
	{ 0x202a, 0x202e },	/* LRE RLE PDF LRO RLO */
	{ 0x2060, 0x2064 },	/* word joiner, invisible operators */
	{ 0x2065, 0x2065 },	/* (reserved, default ignorable) */
	{ 0x2066, 0x2069 },	/* LRI RLI FSI PDI */
	{ 0x206a, 0x206f },	/* deprecated format characters */
	{ 0x3164, 0x3164 },	/* hangul filler */
	{ 0xfeff, 0xfeff },	/* zero width no-break space (BOM) */
	{ 0xffa0, 0xffa0 },	/* halfwidth hangul filler */
	{ 0xfff0, 0xfffb },	/* unassigned specials, interlinear annotation */
	{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* musical symbol format controls */
	{ 0xe0000, 0xe00ff },	/* tags (ASCII hidden in plain sight) */
	{ 0xe01f0, 0xe0fff },	/* (reserved, default ignorable) */
};

/* Is cp a bidi control or an invisible format character (see utf8.h)? */
int
utf8_is_invisible(uint32_t cp)
{
	size_t lo = 0, hi = MW_ARRAY_LEN(utf8_invisible_ranges), mid;

	if (cp < 0xad)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < utf8_invisible_ranges[mid].lo)
			hi = mid;
		else if (cp > utf8_invisible_ranges[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}
