/*
 * log.h - the file logger and fatal().  The logger never writes to the
 * terminal while the console runs; fatal() restores the terminal (through the
 * hook registered by the console) before it prints and exits.
 */
#ifndef MIDWATCH_LOG_H
#define MIDWATCH_LOG_H

#include "midwatch/midwatch.h"

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

/* Opens the log file (NULL: keep logging to stderr when allowed). */
void log_open(const char *path);
void log_close(void);
/* When quiet, messages go only to the log file, never to stderr. */
void log_set_quiet(int quiet);
void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) MW_PRINTF(2, 3);
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)

/* A hook run before fatal() prints: the console registers tui_stop here. */
void log_set_fatal_hook(void (*hook)(void));
MW_NORETURN void fatal(const char *fmt, ...) MW_PRINTF(1, 2);

#endif
