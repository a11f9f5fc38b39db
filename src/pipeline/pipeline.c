/*
 * pipeline.c - one pipeline run: the advisory lock per project, the
 * pipeline_runs lifecycle (pending -> running -> completed | failed), the
 * data-time window, and the stages in order, each in its own transaction.
 *
 * A run that dies half-way leaves its row 'running' with the lock released
 * (the session is gone); the next run, once it holds the lock, marks such
 * rows 'failed' ("abandoned") and recomputes: every stage commits atomically
 * and is idempotent for its window, so nothing half-written survives.  A run
 * that only lost its connection (the server restarted) reconnects for a few
 * seconds to mark its own row failed with the reason.
 *
 * Progress: ctx->progress (when set) is called before each stage as
 * (arg, stage name, stages done, number of stages) and once at the end as
 * (arg, "done", n, n); it must not touch the run's database connection.
 *
 * A stage isolates its units (pipeline_unit.c): a run whose units failed
 * completes with skipped_units > 0 (degraded).  A window that fails
 * PIPELINE_MAX_TRIES runs in a row for a reason of its data (not a lost
 * database, not a broken schema) is given up: a 'skipped' row records the
 * gap and moves the watermark, so the next window is watched.
 *
 * Test hook: MIDWATCH_TEST_DIE_AFTER_STAGE=NAME makes the process _exit(1)
 * right after stage NAME committed, to simulate a crash (tests/pipeline).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "midwatch/db.h"
#include "midwatch/housekeeping.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/stats.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

const struct pipeline_stage pipeline_stages[] = {
	{ "detect", stage_detect_run },
	{ "gate", stage_gate_run },
	{ "evidence", stage_evidence_run },
	{ "hypothesize", stage_hypothesize_run },
	{ "recommend", stage_recommend_run },
	{ "lifecycle", stage_lifecycle_run },
	{ "alert", stage_alert_run },
	{ "report", stage_report_run },
	{ NULL, NULL }
};

/* ---- helpers for the stages ---------------------------------------------- */

/* Sets summary[stage][key] = n. */
void
pipeline_count(struct pipeline_ctx *ctx, const char *stage, const char *key,
    long long n)
{
	json_t *o;

	if (ctx->summary == NULL)
		return;
	o = json_object_get(ctx->summary, stage);
	if (o == NULL) {
		o = json_object();
		json_object_set_new(ctx->summary, stage, o);
	}
	json_object_set_new(o, key, json_integer(n));
}

/* Formats v as a parameter. */
const char *
pipeline_num(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.17g", v);
	return buf;
}

/* Formats v as a parameter. */
const char *
pipeline_ll(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
	return buf;
}

/* ---- the run -------------------------------------------------------------- */

/* Milliseconds of a monotonic clock. */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Describes who holds the pipeline lock of a project (malloc'd); key is
 * DB_LOCK_PIPELINE + project_id as text (pipeline_int.h). */
char *
pipeline_lock_holder(struct db *db, long long project_id, const char *key)
{
	struct db_res *r;
	char *why = NULL, *s, proj[24];
	const char *by = NULL, *run = NULL, *since = NULL, *pid = NULL;

	pipeline_ll(proj, sizeof proj, project_id);
	r = DBQN(db, &why, "pipeline/run_lock_holder", proj, key);
	if (r == NULL) {
		s = xasprintf("pipeline is locked by another session (%s)", why);
		free(why);
		return s;
	}
	if (db_res_rows(r) > 0) {
		by = db_val(r, 0, "requested_by");
		run = db_val(r, 0, "id");
		since = db_val(r, 0, "started_at");
		pid = db_val(r, 0, "pid");
	}
	if (by != NULL)
		s = xasprintf("pipeline is locked by %s (run %s, running since %s%s%s)",
		    by, run, since ? since : "?", pid ? ", pid " : "", pid ? pid : "");
	else
		s = xasprintf("pipeline is locked by another session%s%s%s",
		    pid ? " (pid " : "", pid ? pid : "", pid ? ")" : "");
	db_res_free(r);
	return s;
}

/* Marks runs (of any kind) left 'running' or 'pending' by a dead process as
 * failed; called while holding the lock, so no live run can own such a
 * row (pipeline_int.h).  Readers do the same (db_reap_dead_runs). */
int
pipeline_reap_abandoned(struct db *db, const char *proj, char **cause)
{
	char *dead = NULL;

	if (db_reap_dead_runs(db, strtoll(proj, NULL, 10), &dead, cause) != 0)
		return -1;
	if (strcmp(dead, "{}") != 0)
		log_warn("marked abandoned pipeline run(s) %s as failed", dead);
	free(dead);
	return 0;
}

/*
 * Computes the window into ctx: end = --at or the newest raw timestamp,
 * start = --since, else the last completed watermark, else the oldest data.
 * Returns 1 when there is something to do, 0 when not, -1 on error.
 */
static int
compute_window(struct db *db, struct pipeline_ctx *ctx,
    const struct pipeline_opts *opts, char **cause)
{
	struct db_res *r;
	char at[40], since[40];
	const char *hi, *lo, *todo;
	int rc = 0;

	at[0] = since[0] = '\0';
	if (opts != NULL && opts->has_at)
		pipeline_num(at, sizeof at, opts->at);
	if (opts != NULL && opts->has_since)
		pipeline_num(since, sizeof since, opts->since);
	r = DBQN(db, cause, "pipeline/run_window", ctx->project,
	    at[0] ? at : NULL, since[0] ? since : NULL);
	if (r == NULL)
		return -1;
	lo = db_val(r, 0, "start_ts");
	hi = db_val(r, 0, "end_ts");
	todo = db_val(r, 0, "todo");
	if (lo != NULL && hi != NULL && todo != NULL && strcmp(todo, "t") == 0) {
		snprintf(ctx->start_ts, sizeof ctx->start_ts, "%s", lo);
		snprintf(ctx->end_ts, sizeof ctx->end_ts, "%s", hi);
		ctx->start = strtod(db_val(r, 0, "start_epoch"), NULL);
		ctx->end = strtod(db_val(r, 0, "end_epoch"), NULL);
		rc = 1;
	}
	db_res_free(r);
	return rc;
}

/*
 * Gives up the window that the last PIPELINE_MAX_TRIES runs (all failed, for
 * reasons of the data) tried: records it as a 'skipped' run (the gap, the
 * runs that failed, the last error) with an audit entry, which moves the
 * watermark past it.  Returns 0 (done or nothing to give up) or -1.
 */
static int
give_up_window(struct db *db, struct pipeline_ctx *ctx, const char *by,
    char **cause)
{
	struct db_res *r;
	char tries[24];

	pipeline_ll(tries, sizeof tries, PIPELINE_MAX_TRIES);
	r = DBQN(db, cause, "pipeline/run_give_up", ctx->project, tries, by);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) > 0)
		log_warn("pipeline: gave up a window after %d failed runs (%s)",
		    PIPELINE_MAX_TRIES, db_val(r, 0, "target"));
	db_res_free(r);
	return 0;
}

/* How long a run whose connection was lost (a database restart) tries to
 * reconnect to record its failure, in milliseconds. */
#define PIPELINE_RECONNECT_MS 8000

/* Turns a multi-line libpq message into one line, in place: each line break
 * with the white space around it becomes one space. */
void
pipeline_one_line(char *s)
{
	char *w = s, *r = s;

	if (s == NULL)
		return;
	while (*r != '\0') {
		if (*r == '\n' || *r == '\r') {
			while (w > s && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
			while (*r == '\n' || *r == '\r' || *r == ' ' || *r == '\t')
				r++;
			if (w > s && *r != '\0')
				*w++ = ' ';
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* After the connection was lost mid-run, tries to reconnect for up to
 * PIPELINE_RECONNECT_MS (a restarting server comes back within seconds);
 * 1 reconnected, 0 not. */
static int
reconnect(struct db *db)
{
	struct timespec ts;
	char *why = NULL;
	long waited = 0, step = 200;

	for (;;) {
		if (db_reconnect(db, &why) == 0)
			return 1;
		free(why);
		why = NULL;
		if (waited >= PIPELINE_RECONNECT_MS)
			return 0;
		ts.tv_sec = step / 1000;
		ts.tv_nsec = (step % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		waited += step;
		if (step < 1600)
			step *= 2;
	}
}

/*
 * Finishes the run row: completed (error NULL) or failed.  When the
 * connection was lost, it reconnects first so the row says why the run
 * failed instead of waiting for the next run to call it abandoned; the new
 * session does not hold the pipeline lock.  Returns 1 when it reconnected,
 * else 0.
 */
static int
finish_run(struct db *db, struct pipeline_ctx *ctx, const char *error)
{
	char *dump = jsonx_dump(ctx->summary), *why = NULL;
	int again = 0;

	if (error != NULL && !db_alive(db)) {
		again = reconnect(db);
		if (again)
			log_warn("pipeline run %s: reconnected to the database to "
			    "record the failure", ctx->run);
	}
	char n[24];

	if (ctx->nskipped > 0 && ctx->skipped != NULL) {
		json_object_set(ctx->summary, "skipped", ctx->skipped);
		free(dump);
		dump = jsonx_dump(ctx->summary);
	}
	if (DBXN(db, &why, "pipeline/run_finish", ctx->project, dump, error,
	    ctx->run, pipeline_ll(n, sizeof n, ctx->nskipped)) != 0) {
		log_error("cannot record the end of pipeline run %s: %s", ctx->run,
		    why);
		free(why);
	}
	if (DBXN(db, &why, "pipeline/run_audit", ctx->project, ctx->run) != 0) {
		log_warn("cannot audit pipeline run %s: %s", ctx->run, why);
		free(why);
	}
	/* One audit entry per skipped unit (those itemised). */
	free(dump);
	dump = jsonx_dump(ctx->skipped);
	if (ctx->skipped != NULL && json_array_size(ctx->skipped) > 0 &&
	    DBXN(db, &why, "pipeline/run_audit_skipped", ctx->project, ctx->run,
	    dump) != 0) {
		log_warn("cannot audit the skipped units of run %s: %s", ctx->run,
		    why);
		free(why);
	}
	free(dump);
	return again;
}

/* Runs the stages (NULL-terminated) of an open run; 0 or -1 with *cause
 * (row left failed).  *relinked is set when the connection had to be
 * re-established to record a failure (the pipeline lock went with the old
 * session).  pipeline_run runs pipeline_stages; investigate.c its own list
 * (pipeline_int.h). */
int
pipeline_run_stages(struct db *db, struct pipeline_ctx *ctx,
    const struct pipeline_stage *stages, int *relinked, char **cause)
{
	const struct pipeline_stage *st;
	const char *die = getenv("MIDWATCH_TEST_DIE_AFTER_STAGE");
	json_t *ms = json_object();
	char *err = NULL;
	int total = 0, i;
	double t0;

	json_object_set_new(ctx->summary, "elapsed_ms", ms);
	for (st = stages; st->name != NULL; st++)
		total++;
	for (i = 0, st = stages; st->name != NULL; st++, i++) {
		if (ctx->progress != NULL)
			ctx->progress(ctx->progress_arg, st->name, i, total);
		if (DBXN(db, cause, "pipeline/run_stage", ctx->project, st->name,
		    ctx->run) != 0)
			goto fail;
		t0 = now_ms();
		if (db_begin(db, cause) != 0)
			goto fail;
		if (st->run(ctx, &err) != 0 || db_commit(db, &err) != 0) {
			db_rollback(db);
			*cause = xasprintf("stage %s: %s", st->name,
			    err ? err : "failed");
			free(err);
			goto fail;
		}
		json_object_set_new(ms, st->name,
		    json_integer((json_int_t)(now_ms() - t0)));
		log_debug("pipeline run %s: stage %s done", ctx->run, st->name);
		if (die != NULL && strcmp(die, st->name) == 0)
			_exit(1);
		if (ctx->stop)
			break;
	}
	if (ctx->progress != NULL)
		ctx->progress(ctx->progress_arg, "done", total, total);
	finish_run(db, ctx, NULL);
	return 0;
fail:
	if (*cause != NULL)
		pipeline_one_line(*cause);
	*relinked = finish_run(db, ctx, *cause);
	return -1;
}

/* After a completed run, still under the lock: recomputes the report
 * snapshots of the closed buckets that are due (stats.h); a failure is
 * logged and left to the stats run's row, never the pipeline run's. */
static void
pipeline_stats_due(struct db *db, const struct pipeline_ctx *ctx,
    const struct pipeline_opts *opts)
{
	long long srun = 0;
	char *why = NULL;

	if (stats_recompute_due(db, ctx->project_id, ctx->end_ts,
	    opts != NULL && opts->requested_by != NULL ? opts->requested_by :
	    "cli", &srun, &why) != 0) {
		log_warn("stats run %lld: %s", srun, why);
		free(why);
	}
}

/* Runs the pipeline once (see pipeline.h). */
int
pipeline_run(struct db *db, long long project_id,
    const struct pipeline_opts *opts, long long *run_id, char **cause)
{
	struct pipeline_ctx ctx;
	struct db_res *r;
	char key[32], *why = NULL;
	int got, rc = -1, todo, relinked = 0;

	*run_id = 0;
	memset(&ctx, 0, sizeof ctx);
	ctx.db = db;
	ctx.project_id = project_id;
	pipeline_ll(ctx.project, sizeof ctx.project, project_id);
	if (opts != NULL) {
		ctx.progress = opts->progress;
		ctx.progress_arg = opts->progress_arg;
	}
	pipeline_ll(key, sizeof key, DB_LOCK_PIPELINE + project_id);
	got = db_try_lock(db, DB_LOCK_PIPELINE + project_id, cause);
	if (got < 0)
		return -1;
	if (got == 0) {
		*cause = pipeline_lock_holder(db, project_id, key);
		return 1;
	}

	if (pipeline_reap_abandoned(db, ctx.project, cause) != 0)
		goto out;
	if ((opts == NULL || !opts->has_since) &&
	    give_up_window(db, &ctx, opts != NULL && opts->requested_by != NULL ?
	    opts->requested_by : "cli", cause) != 0)
		goto out;
	todo = compute_window(db, &ctx, opts, cause);
	if (todo < 0)
		goto out;
	if (todo == 0) {
		rc = 0;
		goto out;
	}
	r = DBQN(db, cause, "pipeline/run_start", ctx.project, ctx.start_ts,
	    ctx.end_ts, opts != NULL && opts->requested_by != NULL ?
	    opts->requested_by : "cli");
	if (r == NULL)
		goto out;
	ctx.run_id = db_val_ll(r, 0, "id");
	db_res_free(r);
	pipeline_ll(ctx.run, sizeof ctx.run, ctx.run_id);
	*run_id = ctx.run_id;
	if (DBXN(db, cause, "pipeline/run_running", ctx.project, ctx.run) != 0)
		goto out;
	ctx.summary = json_object();
	rc = pipeline_run_stages(db, &ctx, pipeline_stages, &relinked, cause);
	if (rc == 0)
		pipeline_stats_due(db, &ctx, opts);
	json_decref(ctx.summary);
	json_decref(ctx.skipped);
	json_decref(ctx.skipped_keys);
out:
	if (rc == 0)	/* once a day, still under the lock (housekeeping.h) */
		(void)housekeeping_daily(db, project_id);
	/* a lost session took the lock with it */
	if (!relinked && db_alive(db) &&
	    db_unlock(db, DB_LOCK_PIPELINE + project_id, &why) != 0) {
		log_warn("cannot release the pipeline lock: %s", why);
		free(why);
	}
	/* Then what paged and no incident covers (it takes the lock itself). */
	if (rc == 0 && ctx.run_id > 0 && db_alive(db)) {
		char na[24], no[24];
		int n, opened;

		why = NULL;
		if (pipeline_investigate_alerts(db, &ctx, &n, &opened, &why) != 0 ||
		    (n > 0 && DBXN(db, &why, "pipeline/run_investigated",
		    ctx.project, ctx.run, pipeline_ll(na, sizeof na, n),
		    pipeline_ll(no, sizeof no, opened)) != 0)) {
			log_warn("investigating the uncovered alerts: %s", why);
			free(why);
		}
	}
	return rc;
}
