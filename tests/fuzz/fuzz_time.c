/*
 * fuzz_time.c - fuzz target: the timestamp parser of every command, the
 * console (`:investigate TS`) and ingest (timefmt_parse,
 * src/core/timefmt.c: RFC 3339 and PostgreSQL's timestamptz text), with
 * both formatters.
 *
 * Invariants: a timestamp that parses is finite and starts with a date
 * "YYYY-MM-DD" and a time "HH:MM:SS"; within the years ingest accepts
 * (1900-9999) it formats (timefmt_format, whole seconds; ingest_kinds_ts,
 * microseconds) to text that parses back to the same moment.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/ingest.h"
#include "midwatch/timefmt.h"

#define TS_MIN (-2208988800.0)
#define TS_MAX (253402300799.0)

/* 1 when s starts with "DDDD-DD-DD?DD:DD:DD". */
static int
shape(const char *s)
{
	static const char pat[] = "dddd-dd-dd?dd:dd:dd";
	size_t i;

	for (i = 0; pat[i] != '\0'; i++) {
		if (s[i] == '\0')
			return 0;
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    pat[i] != '?' && s[i] != pat[i])
			return 0;
	}
	return 1;
}

static void
round_trip(double t)
{
	char out[64];
	double back;

	timefmt_format(t, out, sizeof out);
	FUZZ_CHECK(timefmt_parse(out, &back) == 0, "timefmt_format parses back");
	FUZZ_CHECK(fabs(back - t) <= 0.5 + 1e-6, "to the same second");
	ingest_kinds_ts(t, out, sizeof out);
	FUZZ_CHECK(timefmt_parse(out, &back) == 0, "ingest_kinds_ts parses back");
	FUZZ_CHECK(fabs(back - t) <= 1e-3, "to the same moment");
}

static void
check_text(const char *s)
{
	char age[32];
	double t;

	if (timefmt_parse(s, &t) != 0)
		return;
	FUZZ_CHECK(isfinite(t), "a time is finite");
	FUZZ_CHECK(shape(s), "a time starts with a date and a time");
	if (t >= TS_MIN && t <= TS_MAX)
		round_trip(t);
	timefmt_age(t, age, sizeof age);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text(data, size, check_text);
}
