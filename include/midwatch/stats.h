/*
 * stats.h - the weekly view (issue 10, seed 004): the report catalogue
 * (report_definitions, aggregate_windows) computed into metric_snapshots by
 * recompute runs, and read back for `midwatch stats` and the console.
 *
 * A recompute run is a pipeline_runs row of kind 'stats' (pending ->
 * running -> completed | failed) taken under the project's pipeline lock,
 * with an audit entry when it starts and one when it ends.  Its snapshots
 * replace the old ones of the buckets it covers in one transaction
 * (midwatch.stats_replace, sql/018_stats.sql), so a run killed half-way
 * leaves the previous snapshots and its row is reaped as failed like any
 * run whose runner died.  All the aggregation is SQL.
 *
 * Test hook: MIDWATCH_TEST_STATS_PAUSE=SECONDS makes a recompute wait that
 * long after writing its snapshots and before committing them, having
 * printed "stats: paused (test hook)" to stderr (tests/cli/test_stats.sh
 * kills it there).
 */
#ifndef MIDWATCH_STATS_H
#define MIDWATCH_STATS_H

#include <jansson.h>

struct db;

/* The windows the recompute fills, and `stats --window` accepts: day and
 * week (sql/queries/pipeline/stats_range.sql lists them). */

struct stats_range {
	const char *requested_by;	/* actor name */
	const char *from, *to;		/* RFC 3339 range, or NULL: from the
					 * oldest / to the newest data */
};

/*
 * Recomputes the day and week snapshots of every bucket the range touches,
 * as a run of its own under the project's pipeline lock.  Returns 0 with
 * *run_id and *rows (snapshot rows written), 1 when another process holds
 * the lock (*cause says who), or -1 with *cause (the run row, when there
 * is one, is left failed).
 */
int stats_recompute(struct db *db, long long project_id,
    const struct stats_range *range, long long *run_id, long long *rows,
    char **cause);

/*
 * What the pipeline runner calls, holding the project's lock, after a
 * completed run reaching data time end (RFC 3339): recomputes the closed
 * buckets not computed yet or whose data changed (midwatch.stats_due), as a
 * stats run; no run at all when none is due.  0 with *run_id (0: nothing
 * due), or -1 with *cause.
 */
int stats_recompute_due(struct db *db, long long project_id, const char *end,
    const char *requested_by, long long *run_id, char **cause);

/*
 * The snapshots of one window ("day" or "week"; NULL: day), of every report
 * of the catalogue or only slug: {window, last_run: {...} | null, reports:
 * [{slug, name, description, dimension, metrics: [{name, unit, label}],
 * top, trend, buckets: [{bucket_start, run_id, rows: [{dimension_value, metrics:
 * {name: value}}]}]}]} (doc/interfaces.md).  New reference, or NULL with
 * *cause (an unknown slug or window is named).
 */
json_t *stats_read(struct db *db, long long project_id, const char *window,
    const char *slug, char **cause);

#endif
