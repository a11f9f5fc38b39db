/*
 * utf8.h - cutting text without breaking UTF-8.  Names, refs and messages
 * come from outside and may hold multi-byte characters; a buffer that cuts
 * one in half produces bytes PostgreSQL rejects (and a console shows as
 * garbage).  These helpers cut only between characters.  utf8_is_invisible
 * names the characters that must not reach a terminal as they are.
 */
#ifndef MIDWATCH_UTF8_H
#define MIDWATCH_UTF8_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "midwatch/midwatch.h"

/*
 * The length of the longest prefix of the NUL-terminated s that is at most
 * max bytes and does not end inside a UTF-8 character: strlen(s) when that
 * is <= max.
 */
size_t utf8_boundary(const char *s, size_t max);
/* len, less a UTF-8 sequence left incomplete at the end of s[0..len). */
size_t utf8_complete(const char *s, size_t len);
/*
 * Like snprintf, but when the output does not fit it is cut back to a
 * character boundary (never leaving part of a character).  Returns, like
 * snprintf, the length of the whole output: >= size means it was cut.
 */
int utf8_snprintf(char *dst, size_t size, const char *fmt, ...) MW_PRINTF(3, 4);
int utf8_vsnprintf(char *dst, size_t size, const char *fmt, va_list ap)
    MW_PRINTF(3, 0);

/*
 * Decodes the UTF-8 character at s, reading at most len bytes (and never
 * past a byte that is not a continuation, so a NUL-terminated s may be
 * given len 4): its length (1..4) with the code point in *cp, or 0 when
 * the bytes are not one well-formed character (RFC 3629: no overlong
 * form, no surrogate U+D800..U+DFFF, nothing past U+10FFFF, no stray
 * continuation or 0xF5..0xFF byte, nothing cut short by len).  An ASCII
 * byte, NUL included, is a character of length 1.  The one decoder of the
 * program: the sanitiser, the console's text and git ingest accept the
 * same characters; what each does with a rejected byte is its own.
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * 1 when the code point cp must not reach a terminal as it is: a bidi
 * control (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), a
 * zero-width or other invisible format character (U+200B..U+200D,
 * U+2060..U+2064, U+FEFF, U+180E, U+00AD, tags...), or a line or paragraph
 * separator (U+2028, U+2029).  The one list both sanitisers use
 * (sanitize_text for printed text, the console's text_clip for drawn text);
 * each shows such a character as '?'.  C0/C1 controls are not included:
 * each sanitiser handles them itself.
 */
int utf8_is_invisible(uint32_t cp);

#endif
