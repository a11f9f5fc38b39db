/*
 * sanitize.h - neutralise control characters, terminal escape sequences,
 * bidi controls and invisible characters in text that comes from outside
 * (alert messages, commit messages, notes, the input an error message
 * quotes) before it is drawn or printed.
 */
#ifndef MIDWATCH_SANITIZE_H
#define MIDWATCH_SANITIZE_H

#include <stddef.h>

/*
 * Returns a malloc'd copy of s in which ESC sequences (CSI, OSC, DCS...) are
 * removed, other C0/C1 controls and DEL are replaced by '?', tabs and
 * newlines become spaces (unless keep_newlines), invalid UTF-8 bytes become
 * '?', and each bidi control or invisible character (utf8_is_invisible:
 * U+202E, U+200B, U+FEFF, U+2028...) becomes one '?'.  Other valid UTF-8 is
 * kept.  Caller frees.
 */
char *sanitize_text(const char *s, int keep_newlines);

/*
 * Replaces stderr with an unbuffered stream that passes what is written to
 * it through sanitize_text (newlines kept) before it reaches file
 * descriptor 2: no error message, whatever input or server message it
 * quotes, can put an escape sequence, control or invisible character on the
 * terminal.  main() calls it first.  0, or -1 (stderr left as it was).
 */
int sanitize_stderr(void);

#endif
