/*
 * units.h - a report metric's value as text in its unit (the units of
 * report_definitions.config.metrics, sql/018_stats.sql), the same in
 * `midwatch stats` and the console's :stats view; and a confidence as the
 * database formats it.
 */
#ifndef MIDWATCH_UNITS_H
#define MIDWATCH_UNITS_H

#include <stddef.h>

/*
 * Formats v in unit into out: "count" 12, "rate" 3.50/d, "share" (0..1)
 * 42%, "seconds" as a duration (45s, 3m, 2h05m); any other unit as a
 * count.  A NaN is "-".
 */
void units_format(double v, const char *unit, char *out, size_t len);

/*
 * Formats a confidence (0..1, stored as real) with two decimals exactly as
 * the database's to_char(confidence, 'FM0.00') does in the evidence gate's
 * reason and alert texts: the value as the stored single-precision number,
 * printf-rounded ("0.125" -> "0.12", "0.005" -> "0.00", "0.675" -> "0.68").
 * The one formatter for every confidence the console and CLI show, so a
 * pane never says 0.01 where the gate's reason says 0.00 (issue 12).  A NaN
 * is "-".
 */
void units_confidence(double v, char *out, size_t len);

#endif
