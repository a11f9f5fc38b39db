/*
 * curses_compat.h - the one place that includes curses (as htop's
 * ProvideCurses.h): the wide-character ncursesw API, whatever the header is
 * called on this system.  Only files in src/tui/ include this.
 */
#ifndef MIDWATCH_CURSES_COMPAT_H
#define MIDWATCH_CURSES_COMPAT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#if defined(HAVE_NCURSESW_CURSES_H)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

#endif
