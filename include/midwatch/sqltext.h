/*
 * sqltext.h - SQL fragments every module's queries share, written once:
 * how a timestamptz becomes RFC 3339 text in UTC.  The C side's twin is
 * timefmt_format (timefmt.h), which prints the same form to the second.
 * Each takes a SQL expression as a string literal and yields a literal to
 * paste into a statement; they hold no input, only SQL text.
 */
#ifndef MIDWATCH_SQLTEXT_H
#define MIDWATCH_SQLTEXT_H

/* to_char formats: to the second, to the microsecond, to the minute. */
#define SQL_TS_FMT	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"
#define SQL_TS_FMT_US	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"
#define SQL_TS_FMT_MIN	"'YYYY-MM-DD\"T\"HH24:MI\"Z\"'"

/* The timestamptz expression x as RFC 3339 UTC text: "2026-11-16T13:05:00Z"
 * (whole seconds, as timefmt_format prints), with microseconds
 * ("...:00.000000Z", exact: window bounds read back by timefmt_parse), or
 * to the minute ("...T13:05Z", for titles and messages). */
#define SQL_RFC3339(x)		"to_char((" x ") AT TIME ZONE 'UTC', " SQL_TS_FMT ")"
#define SQL_RFC3339_US(x)	"to_char((" x ") AT TIME ZONE 'UTC', " SQL_TS_FMT_US ")"
#define SQL_RFC3339_MIN(x)	"to_char((" x ") AT TIME ZONE 'UTC', " SQL_TS_FMT_MIN ")"

#endif
