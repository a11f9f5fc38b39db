/*
 * timefmt.h - RFC 3339 parsing and formatting in UTC.  The pipeline works in
 * data time, so times are plain epoch seconds (double for fractions).
 */
#ifndef MIDWATCH_TIMEFMT_H
#define MIDWATCH_TIMEFMT_H

#include <time.h>

/* Parses an RFC 3339 timestamp ("2026-11-16T13:05:00Z", offsets, fractions)
 * or a PostgreSQL timestamptz text; returns 0 and sets *out, or -1. */
int timefmt_parse(const char *s, double *out);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void timefmt_format(double t, char *out, size_t len);
/* Formats a duration in seconds as "3m", "2h05m", "4d" into out. */
void timefmt_age(double seconds, char *out, size_t len);

#endif
