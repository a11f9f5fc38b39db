/*
 * fuzz_sanitize.c - fuzz target: the two sanitisers of text from outside,
 * sanitize_text (src/core/sanitize.c: what is printed) and the console's
 * text_clip, text_cell and text_wrap (src/tui/text.c: what is drawn).  The
 * first byte picks the width and UTF-8 mode, the rest is the text.
 *
 * Invariants: sanitize_text's output is valid UTF-8 with no ESC, no other
 * C0 control (but newlines when kept), no DEL, no C1 control and no bidi
 * or invisible character (utf8_is_invisible); it is never longer than the
 * input, and sanitising it again changes nothing.  The console's text
 * holds no control byte either, is valid UTF-8 (ASCII without UTF-8), and
 * fits its width: a clip at most cols columns, a cell exactly cols, each
 * wrapped line at most cols (or one character that is wider).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/buf.h"
#include "midwatch/sanitize.h"
#include "midwatch/tui.h"
#include "midwatch/utf8.h"

/* Printable text: valid UTF-8 without controls or invisible characters. */
static void
check_printable(const char *s, int newlines, int utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	unsigned cp;

	FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)), "output is valid UTF-8");
	while (*p != '\0') {
		FUZZ_CHECK(*p >= 0x20 || (*p == '\n' && newlines),
		    "no ESC or other C0 control");
		FUZZ_CHECK(*p != 0x7f, "no DEL");
		FUZZ_CHECK(utf8 || *p < 0x80, "ASCII without UTF-8");
		n = text_decode((const char *)p, &cp);
		FUZZ_CHECK(cp < 0x80 || cp >= 0xa0, "no C1 control");
		FUZZ_CHECK(!utf8_is_invisible(cp), "no bidi or invisible character");
		p += n;
	}
}

static void
check_sanitize(const char *s, int keep)
{
	char *out = sanitize_text(s, keep), *again;

	check_printable(out, keep, 1);
	FUZZ_CHECK(strlen(out) <= strlen(s), "never longer than the input");
	again = sanitize_text(out, keep);
	FUZZ_CHECK(strcmp(again, out) == 0, "sanitising twice changes nothing");
	free(again);
	free(out);
}

static void
check_console(const char *s, int cols, int utf8)
{
	struct buf b;
	char **lines;
	size_t n, i;
	int used, w;

	buf_init(&b);
	used = text_clip(&b, s, cols, utf8, 1);
	check_printable(buf_str(&b), 0, utf8);
	FUZZ_CHECK(used <= cols && text_width(buf_str(&b), utf8) == used,
	    "a clip fits and says how wide it is");
	buf_reset(&b);
	text_cell(&b, s, cols, utf8, cols & 1);
	check_printable(buf_str(&b), 0, utf8);
	FUZZ_CHECK(text_width(buf_str(&b), utf8) == cols, "a cell is cols wide");
	buf_free(&b);
	n = text_wrap(s, cols, utf8, &lines);
	FUZZ_CHECK(n >= 1, "wrapping gives a line at least");
	for (i = 0; i < n; i++) {
		check_printable(lines[i], 0, utf8);
		w = text_width(lines[i], utf8);
		FUZZ_CHECK(w <= cols || (w <= 2 && text_decode(lines[i],
		    (unsigned[]){ 0 }) == strlen(lines[i])),
		    "a wrapped line fits, or is one wide character");
	}
	text_lines_free(lines, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int cols, utf8;

	if (size == 0)
		return 0;
	cols = 1 + (data[0] & 0x3f);
	utf8 = !(data[0] & 0x40);
	s = fuzz_cstr(data + 1, size - 1);
	check_sanitize(s, 0);
	check_sanitize(s, 1);
	check_console(s, cols, utf8);
	free(s);
	return 0;
}
