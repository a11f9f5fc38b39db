/*
 * stats.c - recompute runs of the report snapshots (stats.h): the run row
 * of kind 'stats' and its audit entries, the replacement of a range's
 * snapshots in one transaction, what the pipeline runner recomputes after
 * each run (closed buckets due), and reading the snapshots back as JSON.
 * The aggregation itself is SQL (sql/018_stats.sql).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/stats.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* Opens a stats run row (pending, then running) with its 'stats.started'
 * audit entry; *run gets its id as text.  0 or -1. */
static int
stats_open(struct db *db, const char *proj, const char *from, const char *to,
    const char *by, char *run, size_t len, char **cause)
{
	struct db_res *r;

	r = DBQN(db, cause, "pipeline/stats_open", proj, from, to, by);
	if (r == NULL)
		return -1;
	snprintf(run, len, "%s", db_val(r, 0, "id"));
	db_res_free(r);
	return DBXN(db, cause, "pipeline/run_running", proj, run);
}

/* Marks the run failed with why (logged when that fails too). */
static void
stats_fail(struct db *db, const char *proj, const char *run, const char *why)
{
	char *c = xstrdup(why != NULL ? why : "failed"), *e = NULL;

	pipeline_one_line(c);
	if (DBXN(db, &e, "pipeline/stats_finish", proj, run, c, NULL) != 0) {
		log_error("cannot record the failure of stats run %s: %s", run, e);
		free(e);
	}
	free(c);
}

/* The test hook of stats.h: waits before the commit. */
static void
stats_test_pause(void)
{
	const char *p = getenv("MIDWATCH_TEST_STATS_PAUSE");
	int s = p != NULL ? atoi(p) : 0;

	if (s <= 0)
		return;
	fprintf(stderr, "stats: paused (test hook)\n");
	fflush(stderr);
	sleep((unsigned)s);
}

/*
 * Runs the replacement (the statement called query, parameters $1 project,
 * $2 run, $3 from, $4 to, returning the rows written and the buckets) in one transaction with the
 * run's completion.  0 with *rows, or -1 with *cause (the run failed).
 */
static int
stats_fill(struct db *db, const char *proj, const char *run, const char *query,
    const char *from, const char *to, long long *rows, char **cause)
{
	struct db_res *r;
	char *summary;

	if (db_begin(db, cause) != 0)
		goto fail;
	r = DBQN(db, cause, query, proj, run, from, to);
	if (r == NULL) {
		db_rollback(db);
		goto fail;
	}
	*rows = db_val_ll(r, 0, "rows");
	summary = jsonx_pack("{s:I, s:I}", "rows", (json_int_t)*rows,
	    "buckets", (json_int_t)db_val_ll(r, 0, "buckets"));
	db_res_free(r);
	stats_test_pause();
	if (DBXN(db, cause, "pipeline/stats_finish", proj, run, NULL,
	    summary) != 0 ||
	    db_commit(db, cause) != 0) {
		free(summary);
		db_rollback(db);
		goto fail;
	}
	free(summary);
	return 0;
fail:
	if (db_alive(db))
		stats_fail(db, proj, run, *cause);
	return -1;
}

/* Recomputes a range (see stats.h). */
int
stats_recompute(struct db *db, long long project_id,
    const struct stats_range *range, long long *run_id, long long *rows,
    char **cause)
{
	struct db_res *r;
	char proj[24], run[24], key[32], *why = NULL, *from = NULL, *to = NULL;
	int got, rc = -1;

	*run_id = 0;
	*rows = 0;
	pipeline_ll(proj, sizeof proj, project_id);
	pipeline_ll(key, sizeof key, DB_LOCK_PIPELINE + project_id);
	got = db_try_lock(db, DB_LOCK_PIPELINE + project_id, cause);
	if (got < 0)
		return -1;
	if (got == 0) {
		*cause = pipeline_lock_holder(db, project_id, key);
		return 1;
	}
	if (pipeline_reap_abandoned(db, proj, cause) != 0)
		goto out;
	/* The range: as given, else the data's. */
	r = DBQN(db, cause, "pipeline/stats_data_range", proj);
	if (r == NULL)
		goto out;
	from = xstrdup(range->from != NULL ? range->from :
	    !db_val_null(r, 0, "first") ? db_val(r, 0, "first") : "");
	to = xstrdup(range->to != NULL ? range->to :
	    !db_val_null(r, 0, "past_last") ? db_val(r, 0, "past_last") : "");
	db_res_free(r);
	if (stats_open(db, proj, *from ? from : NULL, *to ? to : NULL,
	    range->requested_by != NULL ? range->requested_by : "cli", run,
	    sizeof run, cause) != 0)
		goto out;
	*run_id = strtoll(run, NULL, 10);
	rc = stats_fill(db, proj, run, "pipeline/stats_range", *from ? from : NULL,
	    *to ? to : NULL, rows, cause);
out:
	free(from);
	free(to);
	if (db_alive(db) &&
	    db_unlock(db, DB_LOCK_PIPELINE + project_id, &why) != 0) {
		log_warn("cannot release the pipeline lock: %s", why);
		free(why);
	}
	return rc;
}

/* Recomputes the closed buckets that are due (see stats.h). */
int
stats_recompute_due(struct db *db, long long project_id, const char *end,
    const char *requested_by, long long *run_id, char **cause)
{
	struct db_res *r;
	char proj[24], run[24];
	char *lo = NULL, *hi = NULL;
	long long rows = 0;
	int rc;

	*run_id = 0;
	pipeline_ll(proj, sizeof proj, project_id);
	r = DBQN(db, cause, "pipeline/stats_due_range", proj, end);
	if (r == NULL)
		return -1;
	if (db_val_ll(r, 0, "n") == 0) {
		db_res_free(r);
		return 0;
	}
	lo = xstrdup(db_val(r, 0, "lo"));
	hi = xstrdup(db_val(r, 0, "hi"));
	db_res_free(r);
	rc = stats_open(db, proj, lo, hi, requested_by, run, sizeof run, cause);
	if (rc == 0) {
		*run_id = strtoll(run, NULL, 10);
		rc = stats_fill(db, proj, run, "pipeline/stats_due", NULL, end,
		    &rows, cause);
	}
	if (rc == 0)
		log_debug("stats run %s: %lld snapshot rows of due buckets", run,
		    rows);
	free(lo);
	free(hi);
	return rc;
}

/* Reads a window's snapshots (see stats.h). */
json_t *
stats_read(struct db *db, long long project_id, const char *window,
    const char *slug, char **cause)
{
	struct db_res *r;
	json_error_t e;
	json_t *j;
	char proj[24];
	const char *t;

	if (window == NULL)
		window = "day";
	if (strcmp(window, "day") != 0 && strcmp(window, "week") != 0) {
		*cause = xasprintf("--window: day or week, not %s", window);
		return NULL;
	}
	pipeline_ll(proj, sizeof proj, project_id);
	/* The snapshots as JSON, built by the database. */
	r = DBQN(db, cause, "pipeline/stats_read", proj, window, slug);
	if (r == NULL)
		return NULL;
	t = db_val(r, 0, "found");
	if (t == NULL || strcmp(t, "t") != 0) {
		db_res_free(r);
		r = DBQN(db, cause, "pipeline/stats_reports", proj);
		if (r == NULL)
			return NULL;
		*cause = xasprintf("no report %s with %s buckets (reports: %s)",
		    slug, window, !db_val_null(r, 0, "slugs") ?
		    db_val(r, 0, "slugs") : "none");
		db_res_free(r);
		return NULL;
	}
	j = json_loads(db_val(r, 0, "snapshots"), 0, &e);
	db_res_free(r);
	if (j == NULL)
		*cause = xasprintf("stats: bad JSON from the database: %s", e.text);
	return j;
}
