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
#include "midwatch/sqltext.h"
#include "midwatch/stats.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* The data time of an alert and of an incident (sql/018_stats.sql). */
#define STATS_RANGE_SQL \
	"SELECT " SQL_RFC3339_US("min(t)") ", " SQL_RFC3339_US("max(t) + interval '1 microsecond'") \
	" FROM (SELECT window_start AS t FROM midwatch.incidents" \
	"  WHERE project_id = $1 UNION ALL" \
	"  SELECT coalesce(last_fired_at, created_at) FROM midwatch.alerts" \
	"  WHERE project_id = $1) x"

/* Opens a stats run row (pending, then running) with its 'stats.started'
 * audit entry; *run gets its id as text.  0 or -1. */
static int
stats_open(struct db *db, const char *proj, const char *from, const char *to,
    const char *by, char *run, size_t len, char **cause)
{
	struct db_res *r;

	r = DBQ(db, cause,
	    "WITH ins AS (INSERT INTO midwatch.pipeline_runs (project_id, kind,"
	    "  status, window_start, window_end, requested_by)"
	    "  VALUES ($1, 'stats', 'pending', $2::timestamptz, $3::timestamptz, $4)"
	    "  RETURNING id, window_start, window_end, requested_by),"
	    " au AS (INSERT INTO midwatch.audit_entries (project_id, actor, action,"
	    "  target, details) SELECT $1, requested_by, 'stats.started',"
	    "  'pipeline_run:' || id, jsonb_build_object('from', window_start,"
	    "  'to', window_end) FROM ins)"
	    " SELECT id FROM ins", proj, from, to, by);
	if (r == NULL)
		return -1;
	snprintf(run, len, "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	return DBX(db, cause, "UPDATE midwatch.pipeline_runs SET status = 'running',"
	    " started_at = now() WHERE project_id = $1 AND id = $2", proj, run);
}

/* The audit entry of a run's end ('stats.completed' or 'stats.failed'),
 * written with the status change. */
#define STATS_FINISH_SQL \
	"WITH u AS (UPDATE midwatch.pipeline_runs SET finished_at = now()," \
	"  status = CASE WHEN $3::text IS NULL THEN 'completed' ELSE 'failed' END," \
	"  error = $3, summary = coalesce($4::jsonb, summary)" \
	"  WHERE project_id = $1 AND id = $2" \
	"  AND (status IN ('pending', 'running') OR (status = 'failed'" \
	"   AND error LIKE 'abandoned:%'))" \
	"  RETURNING id, status, requested_by, window_start, window_end, summary," \
	"  error)" \
	" INSERT INTO midwatch.audit_entries (project_id, actor, action, target," \
	"  details) SELECT $1, requested_by, 'stats.' || status," \
	"  'pipeline_run:' || id, jsonb_build_object('from', window_start," \
	"  'to', window_end, 'error', error) || summary FROM u"

/* Marks the run failed with why (logged when that fails too). */
static void
stats_fail(struct db *db, const char *proj, const char *run, const char *why)
{
	char *c = xstrdup(why != NULL ? why : "failed"), *e = NULL;

	pipeline_one_line(c);
	if (DBX(db, &e, STATS_FINISH_SQL, proj, run, c, NULL) != 0) {
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
 * Runs the replacement (sql, parameters $1 project, $2 run, $3 from, $4 to,
 * returning the rows written and the buckets) in one transaction with the
 * run's completion.  0 with *rows, or -1 with *cause (the run failed).
 */
static int
stats_fill(struct db *db, const char *proj, const char *run, const char *sql,
    const char *from, const char *to, long long *rows, char **cause)
{
	struct db_res *r;
	char *summary;

	if (db_begin(db, cause) != 0)
		goto fail;
	r = DBQ(db, cause, sql, proj, run, from, to);
	if (r == NULL) {
		db_rollback(db);
		goto fail;
	}
	*rows = db_res_ll(r, 0, 0);
	summary = jsonx_pack("{s:I, s:I}", "rows", (json_int_t)*rows,
	    "buckets", (json_int_t)db_res_ll(r, 0, 1));
	db_res_free(r);
	stats_test_pause();
	if (DBX(db, cause, STATS_FINISH_SQL, proj, run, NULL, summary) != 0 ||
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

/* Both windows of a range: the rows written and the buckets replaced. */
static const char stats_sql_range[] =
    "SELECT coalesce(sum(midwatch.stats_replace($1, $2::bigint, w,"
    "  $3::timestamptz, $4::timestamptz)), 0),"
    " coalesce(sum((SELECT count(*) FROM generate_series("
    "  midwatch.stats_bucket(w, $3::timestamptz),"
    "  $4::timestamptz - interval '1 microsecond', midwatch.stats_width(w)))), 0)"
    " FROM unnest(string_to_array('" STATS_WINDOWS "', ' ')) AS w"
    " WHERE $3::timestamptz IS NOT NULL AND $4::timestamptz > $3::timestamptz";

/* The due buckets ($4, else $3: the data time end). */
static const char stats_sql_due[] =
    "SELECT coalesce(sum(midwatch.stats_replace($1, $2::bigint, d.window_name,"
    "  d.bucket_start, d.bucket_start + midwatch.stats_width(d.window_name))), 0),"
    " count(*)"
    " FROM midwatch.stats_due($1, coalesce($4::timestamptz, $3::timestamptz)) d";

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
	r = DBQ(db, cause, STATS_RANGE_SQL, proj);
	if (r == NULL)
		goto out;
	from = xstrdup(range->from != NULL ? range->from :
	    db_res_get(r, 0, 0) != NULL ? db_res_get(r, 0, 0) : "");
	to = xstrdup(range->to != NULL ? range->to :
	    db_res_get(r, 0, 1) != NULL ? db_res_get(r, 0, 1) : "");
	db_res_free(r);
	if (stats_open(db, proj, *from ? from : NULL, *to ? to : NULL,
	    range->requested_by != NULL ? range->requested_by : "cli", run,
	    sizeof run, cause) != 0)
		goto out;
	*run_id = strtoll(run, NULL, 10);
	rc = stats_fill(db, proj, run, stats_sql_range, *from ? from : NULL,
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
	r = DBQ(db, cause,
	    "SELECT count(*), " SQL_RFC3339_US("min(bucket_start)") ","
	    " " SQL_RFC3339_US("max(bucket_start + midwatch.stats_width(window_name))")
	    " FROM midwatch.stats_due($1, $2::timestamptz)", proj, end);
	if (r == NULL)
		return -1;
	if (db_res_ll(r, 0, 0) == 0) {
		db_res_free(r);
		return 0;
	}
	lo = xstrdup(db_res_get(r, 0, 1));
	hi = xstrdup(db_res_get(r, 0, 2));
	db_res_free(r);
	rc = stats_open(db, proj, lo, hi, requested_by, run, sizeof run, cause);
	if (rc == 0) {
		*run_id = strtoll(run, NULL, 10);
		rc = stats_fill(db, proj, run, stats_sql_due, NULL, end, &rows,
		    cause);
	}
	if (rc == 0)
		log_debug("stats run %s: %lld snapshot rows of due buckets", run,
		    rows);
	free(lo);
	free(hi);
	return rc;
}

/* The snapshots as JSON, built by the database: $1 project, $2 window,
 * $3 slug or NULL. */
static const char stats_sql_read[] =
    "WITH rep AS (SELECT r.id, r.slug, r.name, r.description,"
    "  r.dimension_key, r.config FROM midwatch.report_definitions r"
    "  JOIN midwatch.aggregate_windows w ON w.project_id = r.project_id"
    "   AND w.report_slug = r.slug AND w.window_name = $2"
    "  WHERE r.project_id = $1 AND r.is_active"
    "  AND ($3::text IS NULL OR r.slug = $3)),"
    " cell AS (SELECT m.report_slug, m.bucket_start, m.dimension_value,"
    "  max(m.run_id) AS run_id,"
    "  jsonb_object_agg(m.metric_name, m.metric_value) AS metrics"
    "  FROM midwatch.metric_snapshots m JOIN rep ON rep.slug = m.report_slug"
    "  WHERE m.project_id = $1 AND m.window_name = $2"
    "  GROUP BY 1, 2, 3),"
    " bk AS (SELECT c.report_slug, c.bucket_start, jsonb_build_object("
    "  'bucket_start', " SQL_RFC3339("c.bucket_start") ","
    "  'run_id', max(c.run_id),"
    "  'rows', jsonb_agg(jsonb_build_object('dimension_value',"
    "   c.dimension_value, 'metrics', c.metrics)"
    "   ORDER BY c.dimension_value <> '*',"
    "   (c.metrics ->> (rep.config #>> '{metrics,0,name}'))::float8 DESC"
    "   NULLS LAST, c.dimension_value COLLATE \"C\")) AS b"
    "  FROM cell c JOIN rep ON rep.slug = c.report_slug"
    "  GROUP BY c.report_slug, c.bucket_start),"
    " lr AS (SELECT jsonb_build_object('id', id, 'status', status,"
    "  'requested_by', requested_by, 'finished_at', "
    SQL_RFC3339("finished_at") ", 'error', error)"
    "  AS j FROM midwatch.pipeline_runs WHERE project_id = $1"
    "  AND kind = 'stats' ORDER BY id DESC LIMIT 1)"
    " SELECT jsonb_build_object('window', $2::text,"
    "  'last_run', (SELECT j FROM lr),"
    "  'reports', coalesce(jsonb_agg(jsonb_build_object('slug', rep.slug,"
    "  'name', rep.name, 'description', rep.description,"
    "  'dimension', rep.dimension_key,"
    "  'metrics', coalesce(rep.config -> 'metrics', '[]'),"
    "  'top', rep.config -> 'top', 'trend', rep.config -> 'trend',"
    "  'buckets', coalesce((SELECT jsonb_agg(bk.b ORDER BY bk.bucket_start)"
    "   FROM bk WHERE bk.report_slug = rep.slug), '[]'))"
    "  ORDER BY rep.id), '[]'))::text,"
    " ($3::text IS NULL OR count(*) > 0)"
    " FROM rep";

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
	r = DBQ(db, cause, stats_sql_read, proj, window, slug);
	if (r == NULL)
		return NULL;
	t = db_res_get(r, 0, 1);
	if (t == NULL || strcmp(t, "t") != 0) {
		db_res_free(r);
		r = DBQ(db, cause, "SELECT string_agg(slug, ', ' ORDER BY id)"
		    " FROM midwatch.report_definitions WHERE project_id = $1"
		    " AND is_active", proj);
		if (r == NULL)
			return NULL;
		*cause = xasprintf("no report %s with %s buckets (reports: %s)",
		    slug, window, db_res_get(r, 0, 0) ? db_res_get(r, 0, 0) : "none");
		db_res_free(r);
		return NULL;
	}
	j = json_loads(db_res_get(r, 0, 0), 0, &e);
	db_res_free(r);
	if (j == NULL)
		*cause = xasprintf("stats: bad JSON from the database: %s", e.text);
	return j;
}
