/*
 * timefmt.c - RFC 3339 timestamps in and out, always UTC on output.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/timefmt.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* Reads exactly n digits at *p into *out. */
static int
read_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Parses RFC 3339 (also with a space for T and PostgreSQL's "+00" zone). */
int
timefmt_parse(const char *s, double *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign;
	double frac = 0, scale = 0.1;
	long days;
	const char *p = s;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (s == NULL)
		return -1;
	if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) ||
	    *p++ != '-' || read_digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi) ||
	    *p++ != ':' || read_digits(&p, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (read_digits(&p, 2, &oh))
			return -1;
		if (*p == ':') {
			p++;
			if (read_digits(&p, 2, &om))
				return -1;
		} else if (isdigit((unsigned char)*p)) {
			if (read_digits(&p, 2, &om))
				return -1;
		}
		if (oh > 23 || om > 59)
			return -1;
		oh *= sign;
		om *= sign;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = (double)days * 86400.0 +
	    h * 3600.0 + mi * 60.0 + sec + frac - (oh * 3600.0 + om * 60.0);
	return 0;
}

/* Formats t (epoch seconds) as RFC 3339 UTC, whole seconds. */
void
timefmt_format(double t, char *out, size_t len)
{
	time_t tt = (time_t)(t < 0 ? t - 0.5 : t + 0.5);
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Formats a duration compactly: 45s, 12m, 3h05m, 2d04h. */
void
timefmt_age(double seconds, char *out, size_t len)
{
	long s = seconds < 0 ? 0 : (long)seconds;

	if (s < 60)
		snprintf(out, len, "%lds", s);
	else if (s < 3600)
		snprintf(out, len, "%ldm", s / 60);
	else if (s < 86400)
		snprintf(out, len, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(out, len, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
}
