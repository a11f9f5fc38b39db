/*
 * text.c - width-aware text for the console: decoding UTF-8, measuring
 * display columns, clipping and padding to a cell, word wrapping.  Pure (no
 * curses), so it is unit-tested directly.
 *
 * These functions are the last line of defence for what reaches the
 * terminal: even text that skipped sanitize_text() cannot smuggle a control
 * character, a bidi control or an invisible character (utf8_is_invisible)
 * through them: each becomes '?', one column wide.  Without UTF-8 every
 * non-ASCII character becomes '?', so an ASCII terminal never sees stray
 * bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "midwatch/buf.h"
#include "midwatch/tui.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

#define TEXT_BAD 0xfffdU

/* Decodes one UTF-8 character (see tui.h). */
size_t
text_decode(const char *s, unsigned *cp)
{
	uint32_t c;
	size_t n = utf8_decode(s, 4, &c);	/* s is NUL-terminated */

	if (n == 0) {
		*cp = TEXT_BAD;		/* one bad byte, one U+FFFD */
		return 1;
	}
	*cp = c;
	return n;
}

/* Is cp drawn as '?': a control character (C0, DEL, C1), a bidi control or
 * an invisible character? */
static int
text_is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    utf8_is_invisible(cp);
}

/* Display width of one code point. */
int
text_cp_width(unsigned cp)
{
	int w;

	if (text_is_control(cp))
		return 1;	/* drawn as '?' */
	if (cp < 0x7f)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w;
	/* The locale does not know it: East Asian wide ranges are 2. */
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
	    (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	if (cp >= 0x300 && cp <= 0x36f)
		return 0;
	return 1;
}

/* Columns of s as it would be drawn. */
int
text_width(const char *s, int utf8)
{
	unsigned cp;
	int w = 0;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		s += text_decode(s, &cp);
		w += utf8 ? text_cp_width(cp) : 1;
	}
	return w;
}

/* Appends one character as it is drawn ('?' for what cannot be). */
static void
text_put(struct buf *b, const char *s, size_t n, unsigned cp, int utf8)
{
	if (text_is_control(cp) || cp == TEXT_BAD || (!utf8 && cp >= 0x80))
		buf_addc(b, '?');
	else
		buf_add(b, s, n);
}

/* Clips s to cols columns into b (see tui.h). */
int
text_clip(struct buf *b, const char *s, int cols, int utf8, int ellipsis)
{
	const char *p;
	unsigned cp;
	size_t n;
	int w, used = 0, cw;

	if (s == NULL || cols <= 0)
		return 0;
	w = text_width(s, utf8);
	if (w <= cols)
		ellipsis = 0;
	else if (ellipsis)
		cols--;		/* room for the ellipsis */
	p = s;
	while (*p != '\0') {
		n = text_decode(p, &cp);
		cw = utf8 ? text_cp_width(cp) : 1;
		if (utf8 && text_is_control(cp))
			cw = 1;
		if (used + cw > cols)
			break;
		text_put(b, p, n, cp, utf8);
		used += cw;
		p += n;
	}
	if (ellipsis) {
		buf_adds(b, utf8 ? "\xe2\x80\xa6" : "~");
		used++;
	}
	return used;
}

/* Clips and pads to exactly cols columns. */
void
text_cell(struct buf *b, const char *s, int cols, int utf8, int align_right)
{
	struct buf tmp;
	int used, i;

	if (cols <= 0)
		return;
	buf_init(&tmp);
	used = text_clip(&tmp, s != NULL ? s : "", cols, utf8, 1);
	if (align_right)
		for (i = used; i < cols; i++)
			buf_addc(b, ' ');
	buf_adds(b, buf_str(&tmp));
	if (!align_right)
		for (i = used; i < cols; i++)
			buf_addc(b, ' ');
	buf_free(&tmp);
}

/* Adds one finished line to the wrap result. */
static void
text_wrap_push(char ***lines, size_t *n, size_t *cap, struct buf *line)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*lines = xreallocarray(*lines, *cap, sizeof **lines);
	}
	(*lines)[(*n)++] = buf_steal(line);
}

/* Word-wraps s (see tui.h). */
size_t
text_wrap(const char *s, int cols, int utf8, char ***lines)
{
	struct buf line;
	size_t n = 0, cap = 0, len, wl;
	const char *p = s != NULL ? s : "", *word;
	int used = 0, ww;
	unsigned cp;

	*lines = NULL;
	if (cols < 1)
		cols = 1;
	buf_init(&line);
	while (*p != '\0') {
		if (*p == '\n') {
			text_wrap_push(lines, &n, &cap, &line);
			used = 0;
			p++;
			continue;
		}
		if (*p == ' ') {
			if (used > 0 && used < cols) {
				buf_addc(&line, ' ');
				used++;
			}
			p++;
			continue;
		}
		/* A word: up to the next blank or newline. */
		word = p;
		ww = 0;
		while (*p != '\0' && *p != ' ' && *p != '\n') {
			len = text_decode(p, &cp);
			ww += utf8 ? text_cp_width(cp) : 1;
			p += len;
		}
		wl = (size_t)(p - word);
		if (used > 0 && used + ww > cols) {
			/* Drop the trailing blank and start a new line. */
			if (line.len > 0 && line.s[line.len - 1] == ' ')
				line.s[--line.len] = '\0';
			text_wrap_push(lines, &n, &cap, &line);
			used = 0;
		}
		while (ww > cols - used && wl > 0) {
			/* Longer than a line: cut it where the line ends. */
			const char *q = word;
			int take = 0, cw;

			while (q < word + wl) {
				len = text_decode(q, &cp);
				cw = utf8 ? text_cp_width(cp) : 1;
				if (used + take + cw > cols)
					break;
				text_put(&line, q, len, cp, utf8);
				take += cw;
				q += len;
			}
			if (q == word && used == 0) {
				/* Not even one character fits (a wide one in one
				 * column): take it anyway, counting its real width,
				 * so the word's width and bytes run out together. */
				len = text_decode(q, &cp);
				text_put(&line, q, len, cp, utf8);
				take = utf8 ? text_cp_width(cp) : 1;
				q += len;
			}
			ww -= take;
			wl -= (size_t)(q - word);
			word = q;
			text_wrap_push(lines, &n, &cap, &line);
			used = 0;
		}
		while (wl > 0) {
			len = text_decode(word, &cp);
			if (len > wl)
				len = wl;
			text_put(&line, word, len, cp, utf8);
			word += len;
			wl -= len;
		}
		used += ww;
	}
	if (line.len > 0 || n == 0)
		text_wrap_push(lines, &n, &cap, &line);
	buf_free(&line);
	return n;
}

/* Frees what text_wrap returned. */
void
text_lines_free(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ASCII case-insensitive substring search. */
int
text_contains(const char *hay, const char *needle)
{
	size_t i, n;

	if (needle == NULL || *needle == '\0')
		return 1;
	if (hay == NULL)
		return 0;
	n = strlen(needle);
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n; i++) {
			unsigned char a = (unsigned char)hay[i], c = (unsigned char)needle[i];

			if (a == '\0')
				return 0;
			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (a != c)
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}
