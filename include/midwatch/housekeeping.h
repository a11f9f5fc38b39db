/*
 * housekeeping.h - what keeps a project's database the size it should be:
 * retention by the policies of midwatch.retention_policies (in batches, with
 * guards for what other rows still need; doc/schema.md), dead letters that
 * expire, case signatures rebuilt when stale.  The pipeline runner calls
 * housekeeping_daily once per run while it holds the pipeline lock; it does
 * the work once a UTC day per project.  `midwatch purge` runs retention by
 * hand.  Every step writes an audit entry.
 */
#ifndef MIDWATCH_HOUSEKEEPING_H
#define MIDWATCH_HOUSEKEEPING_H

#include <jansson.h>

struct db;

/*
 * Runs retention for project_id: for every table with a policy, in
 * retention order, deletes in batches of policy housekeeping.batch the rows
 * past the policy (with dry: counts them, deleting nothing).  *tables gets
 * a new JSON object {table: rows} listing every table visited (0s too) and
 * *total their sum.  Without dry, records an audit entry
 * 'retention.purged' by actor with trigger ("purge", "housekeeping").
 * 0, or -1 with *cause (what was deleted before the error stays deleted).
 */
int housekeeping_retention(struct db *db, long long project_id, int dry,
    const char *actor, const char *trigger, json_t **tables,
    long long *total, char **cause);

/*
 * The daily housekeeping of project_id, to be called while holding its
 * pipeline lock: once a UTC day (midwatch.housekeeping_runs) it expires
 * dead letters, refreshes stale case signatures and runs retention, each
 * step audited.  Returns 1 when it ran, 0 when it had run today already,
 * -1 when a step failed (logged; the day is left to the next run).
 */
int housekeeping_daily(struct db *db, long long project_id);

#endif
