/*
 * sanitize.h - neutralise control characters and terminal escape sequences in
 * text that comes from outside (alert messages, commit messages, notes)
 * before it is drawn or printed.
 */
#ifndef MIDWATCH_SANITIZE_H
#define MIDWATCH_SANITIZE_H

#include <stddef.h>

/*
 * Returns a malloc'd copy of s in which ESC sequences (CSI, OSC, DCS...) are
 * removed, other C0/C1 controls and DEL are replaced by '?', tabs and
 * newlines become spaces (unless keep_newlines), and invalid UTF-8 bytes
 * become '?'.  Valid UTF-8 is kept.  Caller frees.
 */
char *sanitize_text(const char *s, int keep_newlines);

#endif
