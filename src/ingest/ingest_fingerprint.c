/*
 * ingest_fingerprint.c - error message fingerprints.  Two errors are "the
 * same error" when their messages differ only in the variable parts: ids,
 * numbers, addresses, quoted values.  The normaliser replaces those with
 * placeholders and the fingerprint is a 64-bit FNV-1a hash of the result, so
 * "timeout after 503 ms calling 10.0.0.7" and "timeout after 1200 ms calling
 * 10.0.0.9" share one.  The pipeline uses the same function for messages
 * that arrive without a fingerprint.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/ingest.h"
#include "midwatch/xmalloc.h"

/* 1 for ASCII letters and digits. */
static int
fp_alnum(unsigned char c)
{
	return isascii(c) && isalnum(c);
}

/* 1 for ASCII hex digits. */
static int
fp_hex(unsigned char c)
{
	return isascii(c) && isxdigit(c);
}

/* Length of a UUID (8-4-4-4-12 hex) at s, or 0. */
static size_t
fp_uuid(const unsigned char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t n = 0;
	int g, i;

	for (g = 0; g < 5; g++) {
		for (i = 0; i < groups[g]; i++, n++)
			if (!fp_hex(s[n]))
				return 0;
		if (g < 4) {
			if (s[n] != '-')
				return 0;
			n++;
		}
	}
	return fp_alnum(s[n]) ? 0 : n;
}

/* Length of an IPv4 address (four dot-separated 1-3 digit groups) at s, or 0. */
static size_t
fp_ipv4(const unsigned char *s)
{
	size_t n = 0;
	int g, d;

	for (g = 0; g < 4; g++) {
		for (d = 0; d < 3 && isdigit(s[n]); d++)
			n++;
		if (d == 0)
			return 0;
		if (g < 3) {
			if (s[n] != '.')
				return 0;
			n++;
		}
	}
	if (fp_alnum(s[n]) || (s[n] == '.' && isdigit(s[n + 1])))
		return 0;
	return n;
}

/* Length of a quoted string starting at s (quote included), or 0 when it
 * does not close. */
static size_t
fp_quoted(const unsigned char *s)
{
	unsigned char q = s[0];
	size_t n = 1;

	while (s[n] != '\0') {
		if (s[n] == '\\' && s[n + 1] != '\0') {
			n += 2;
			continue;
		}
		if (s[n] == q)
			return n + 1;
		n++;
	}
	return 0;
}

/* Emits a token of letters and digits: hex ids and numbers become
 * placeholders, digit runs inside words become <num>. */
static void
fp_word(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i, digits = 0, letters = 0, hex = 0;

	for (i = 0; i < n; i++) {
		if (isdigit(s[i]))
			digits++;
		else
			letters++;
		if (fp_hex(s[i]))
			hex++;
	}
	if (letters == 0) {
		buf_adds(b, "<num>");
		return;
	}
	if (hex == n && n >= 6 && digits > 0) {
		buf_adds(b, "<hex>");
		return;
	}
	for (i = 0; i < n; i++) {
		if (isdigit(s[i])) {
			buf_adds(b, "<num>");
			while (i + 1 < n && isdigit(s[i + 1]))
				i++;
		} else
			buf_addc(b, (char)tolower(s[i]));
	}
}

/* Normalises an error message (see ingest.h). */
char *
ingest_fingerprint_normalize(const char *message)
{
	const unsigned char *s = (const unsigned char *)(message ? message : "");
	struct buf b;
	size_t i = 0, n;
	int space = 0;

	buf_init(&b);
	while (s[i] != '\0') {
		unsigned char c = s[i];
		int prev_alnum = i > 0 && fp_alnum(s[i - 1]);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    c == '\v') {
			space = 1;
			i++;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		if ((c == '"' || c == '`' || (c == '\'' && !prev_alnum)) &&
		    (n = fp_quoted(s + i)) != 0) {
			buf_adds(&b, "<str>");
			i += n;
			continue;
		}
		if (!prev_alnum && (n = fp_uuid(s + i)) != 0) {
			buf_adds(&b, "<uuid>");
			i += n;
			continue;
		}
		if (!prev_alnum && !(i > 0 && s[i - 1] == '.') &&
		    (n = fp_ipv4(s + i)) != 0) {
			buf_adds(&b, "<ip>");
			i += n;
			continue;
		}
		if (!prev_alnum && c == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
		    fp_hex(s[i + 2])) {
			for (n = 2; fp_alnum(s[i + n]); n++)
				;
			buf_adds(&b, "<hex>");
			i += n;
			continue;
		}
		if (fp_alnum(c)) {
			for (n = 0; fp_alnum(s[i + n]); n++)
				;
			fp_word(&b, s + i, n);
			i += n;
			/* 1.25 is one number, not two */
			while (s[i] == '.' && isdigit(s[i + 1]) &&
			    b.len >= 5 && strcmp(b.s + b.len - 5, "<num>") == 0) {
				for (i++; isdigit(s[i]); i++)
					;
			}
			continue;
		}
		buf_addc(&b, (char)(isascii(c) ? tolower(c) : c));
		i++;
	}
	return buf_steal(&b);
}

/* Fingerprints a message: hex FNV-1a 64 of its normalised form. */
char *
ingest_fingerprint(const char *message)
{
	char *norm = ingest_fingerprint_normalize(message);
	uint64_t h = fnv1a64(MW_FNV1A64_INIT, norm,
	    strlen(norm));

	free(norm);
	return xasprintf("%016llx", (unsigned long long)h);
}
