/*
 * log.c - the logger.  Messages go to a log file when one is open and to
 * stderr unless the console has made the logger quiet (curses owns the tty).
 * fatal() runs the registered hook (tui_stop) before printing, so the
 * terminal is sane when the message appears.  Messages are sanitised
 * (sanitize_text, newlines kept): they quote input and server messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pthread.h>

#include "midwatch/log.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

static FILE *log_file;
static int log_quiet;
static enum log_level log_min = LOG_LVL_INFO;
static void (*log_fatal_hook)(void);
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = { "debug", "info", "warn", "error" };

/* Opens path for appending as the log file. */
void
log_open(const char *path)
{
	log_close();
	if (path != NULL) {
		log_file = fopen(path, "a");
		if (log_file != NULL)
			setvbuf(log_file, NULL, _IOLBF, 0);
	}
}

/* Closes the log file. */
void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

/* Quiet: never write to stderr (the console is running). */
void
log_set_quiet(int quiet)
{
	log_quiet = quiet;
}

/* Sets the least level that is written. */
void
log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

/* Writes one message to the log file and, unless quiet, stderr. */
void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	char stamp[32], *raw, *msg;
	time_t now;

	if (lvl < log_min)
		return;
	/* messages quote input and server messages: the log file is read
	 * in a terminal too */
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	msg = sanitize_text(raw, 1);
	free(raw);
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL) {
		now = time(NULL);
		timefmt_format((double)now, stamp, sizeof stamp);
		fprintf(log_file, "%s %s: %s\n", stamp, log_names[lvl], msg);
	}
	if (!log_quiet && (lvl >= LOG_LVL_WARN || log_min == LOG_LVL_DEBUG)) {
		fprintf(stderr, "midwatch: ");
		if (lvl >= LOG_LVL_WARN)
			fprintf(stderr, "%s: ", log_names[lvl]);
		fprintf(stderr, "%s\n", msg);
	}
	pthread_mutex_unlock(&log_lock);
	free(msg);
}

/* Registers the function fatal() calls first (restores the terminal). */
void
log_set_fatal_hook(void (*hook)(void))
{
	log_fatal_hook = hook;
}

/* Restores the terminal, reports the message and exits with status 1. */
void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (log_fatal_hook != NULL)
		log_fatal_hook();
	fprintf(stderr, "midwatch: fatal: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (log_file != NULL) {
		fprintf(log_file, "fatal: ");
		va_start(ap, fmt);
		vfprintf(log_file, fmt, ap);
		va_end(ap);
		fputc('\n', log_file);
	}
	exit(1);
}
