/*
 * units.h - a report metric's value as text in its unit (the units of
 * report_definitions.config.metrics, sql/018_stats.sql), the same in
 * `midwatch stats` and the console's :stats view.
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

#endif
