/*
 * units.c - a report metric's value as text in its unit, and a confidence
 * as the database formats it (units.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "midwatch/timefmt.h"
#include "midwatch/units.h"

/* Formats v in unit (see units.h). */
void
units_format(double v, const char *unit, char *out, size_t len)
{
	if (isnan(v)) {
		snprintf(out, len, "-");
		return;
	}
	if (unit == NULL)
		unit = "count";
	if (strcmp(unit, "share") == 0)
		snprintf(out, len, "%.0f%%", v * 100);
	else if (strcmp(unit, "rate") == 0)
		snprintf(out, len, "%.2f/d", v);
	else if (strcmp(unit, "seconds") == 0) {
		if (fabs(v) < 60)
			snprintf(out, len, "%.0fs", v);
		else
			timefmt_age(v, out, len);
	} else
		snprintf(out, len, "%.0f", v);
}

/* Formats a confidence as to_char(real, 'FM0.00') does (see units.h):
 * PostgreSQL prints the single-precision value with the C library's "%.*f",
 * so rounding the same float here gives the same digits. */
void
units_confidence(double v, char *out, size_t len)
{
	if (isnan(v)) {
		snprintf(out, len, "-");
		return;
	}
	snprintf(out, len, "%.2f", (double)(float)v);
}
