/*
 * stage_driver.c - test helper: runs pipeline stages by name against the
 * database of the libpq environment, outside pipeline_run(), so the
 * recommend/alert/report tests can drive their stages over fixture data
 * written with SQL.
 *
 *   stage_driver [--project SLUG] --since TS --at TS STAGE...
 *
 * Creates a pipeline_runs row for the window (so derived rows carry a real
 * run_id), runs each stage in its own transaction as the pipeline does,
 * marks the run completed and prints the run id and its summary JSON
 * ("run 7 {...}").  Exit 0, or 1 with the failing stage's cause.
 *
 *   stage_driver [--project SLUG] feedback EVENT_TYPE ID ACTOR [PAYLOAD]
 *
 * records one feedback event through feedback_record(), for the actions the
 * command line does not offer (incident_resolved, incident_reopened,
 * incident_triaged, recommendation_acknowledged): prints "recorded N" or
 * "already N" (N the event id), or exits 1 with the cause.
 *
 *   stage_driver snapshot [INCIDENTS ALERTS | two [lost]]
 *
 * prints the console's snapshot of the default project (model_load, all
 * and hidden), or with the bounds its first rows (model_load_first): one
 * line per incident, "ID h=HYPOTHESES e=EVIDENCE r=RECOMMENDATIONS
 * a=ALERT,ALERT,...", in the snapshot's order, then "others N" (the
 * alerts of no loaded incident) and "alerts ID,ID,..." (all of them, in
 * the snapshot's order).  With "two": model_load_two over a second
 * connection; "two lost": that connection's backend ended first.
 *
 * It is a check_PROGRAMS entry, so `make check` also runs it without
 * arguments: then it is a TAP test of the stage table's order (recommend
 * needs hypotheses; report cites recommendations and alerts).
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/feedback.h"
#include "midwatch/jsonx.h"
#include "midwatch/model.h"
#include "midwatch/pipeline.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

/* Prints the usage and returns 2. */
static int
usage(void)
{
	fprintf(stderr, "usage: stage_driver [--project SLUG] --since TS --at TS "
	    "STAGE...\n       stage_driver [--project SLUG] feedback EVENT_TYPE "
	    "ID ACTOR [PAYLOAD]\n       stage_driver snapshot [INCIDENTS ALERTS | "
	    "two [lost]]\n");
	return 2;
}

/* Finds a stage by name in pipeline_stages. */
static const struct pipeline_stage *
find_stage(const char *name)
{
	const struct pipeline_stage *s;

	for (s = pipeline_stages; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* Fails with a message; returns 1. */
static int
fail(const char *what, char *cause)
{
	fprintf(stderr, "stage_driver: %s: %s\n", what, cause ? cause : "failed");
	free(cause);
	return 1;
}

/* The position of a stage in pipeline_stages, or -1. */
static int
stage_pos(const char *name)
{
	const struct pipeline_stage *s = find_stage(name);

	return s != NULL ? (int)(s - pipeline_stages) : -1;
}

/* Without arguments: TAP checks of the stage order this module relies on. */
static int
self_test(void)
{
	int h = stage_pos("hypothesize"), rec = stage_pos("recommend"),
	    al = stage_pos("alert"), rep = stage_pos("report"), bad = 0;

	printf("1..3\n");
	bad += !(h >= 0 && rec > h);
	printf("%s 1 - recommend runs after hypothesize\n",
	    h >= 0 && rec > h ? "ok" : "not ok");
	bad += !(rec >= 0 && al > rec);
	printf("%s 2 - alert runs after recommend\n",
	    rec >= 0 && al > rec ? "ok" : "not ok");
	bad += !(al >= 0 && rep > al);
	printf("%s 3 - report runs after alert\n",
	    al >= 0 && rep > al ? "ok" : "not ok");
	return bad > 0;
}

/* The project of feedback and snapshot: --project before them, else the
 * default one. */
static const char *driver_project = "default";

/* Connects and finds driver_project's id; NULL (said) on error. */
static struct db *
open_default(long long *project)
{
	struct db_res *r;
	struct db *db;
	char *cause = NULL;

	if ((db = db_open("", &cause)) == NULL) {
		fail("connect", cause);
		return NULL;
	}
	r = DBQ(db, &cause, "SELECT id FROM midwatch.projects WHERE slug = $1",
	    driver_project);
	if (r == NULL || db_res_rows(r) != 1) {
		db_res_free(r);
		db_close(db);
		fail("project", cause);
		return NULL;
	}
	*project = db_res_ll(r, 0, 0);
	db_res_free(r);
	return db;
}

/* feedback EVENT_TYPE ID ACTOR [PAYLOAD] in driver_project. */
static int
record_feedback(int argc, char **argv)
{
	static const enum feedback_action all[] = { FB_ALERT_ACK,
	    FB_ALERT_RESOLVE, FB_ALERT_SILENCE, FB_HYP_CONFIRM, FB_HYP_REJECT,
	    FB_REC_ACK, FB_REC_DONE, FB_REC_DISMISS, FB_INC_RESOLVE,
	    FB_INC_REOPEN, FB_INC_TRIAGE };
	struct feedback fb;
	struct db *db;
	char *cause = NULL;
	struct feedback_result res;
	size_t i;
	int rc, found = 0;

	if (argc < 5 || argc > 6)
		return usage();
	memset(&fb, 0, sizeof fb);
	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(feedback_event_type(all[i]), argv[2]) == 0) {
			fb.action = all[i];
			found = 1;
		}
	if (!found)
		return usage();
	fb.target_id = strtoll(argv[3], NULL, 10);
	fb.target_kind = feedback_target_kind(fb.action);
	fb.actor = argv[4];
	if (argc == 6 && (fb.payload = json_loads(argv[5], 0, NULL)) == NULL)
		return usage();
	if ((db = open_default(&fb.project_id)) == NULL)
		return 1;
	rc = feedback_record(db, &fb, &res, &cause);
	json_decref(fb.payload);
	db_close(db);
	if (rc < 0)
		return fail("feedback", cause);
	printf("%s %lld\n", rc != 1 ? "recorded" : "already", res.event_id);
	return 0;
}

/* Prints one incident of a snapshot (see the top of the file). */
static void
print_incident(const struct mw_incident *inc)
{
	size_t i, ev = 0;

	for (i = 0; i < inc->n_hypotheses; i++)
		ev += inc->hypotheses[i].n_evidence;
	printf("%lld h=%zu e=%zu r=%zu a=", inc->id, inc->n_hypotheses, ev,
	    inc->n_recommendations);
	for (i = 0; i < inc->n_alerts; i++)
		printf("%s%lld", i > 0 ? "," : "", inc->alerts[i].id);
	printf("\n");
}

/* Ends the backend of aux from db (the "lost" second connection of
 * snapshot two lost); 0 or -1. */
static int
end_backend(struct db *db, struct db *aux)
{
	struct db_res *r;
	char *cause = NULL, pid[24];

	r = DBQ(aux, &cause, "SELECT pg_backend_pid()");
	if (r == NULL) {
		fail("pid", cause);
		return -1;
	}
	snprintf(pid, sizeof pid, "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	if (DBX(db, &cause, "SELECT pg_terminate_backend($1::int)", pid) != 0) {
		fail("terminate", cause);
		return -1;
	}
	return 0;
}

/* snapshot [INCIDENTS ALERTS | two [lost]] in the default project. */
static int
print_snapshot(int argc, char **argv)
{
	struct mw_snapshot *s;
	struct db *db, *aux = NULL;
	char *cause = NULL;
	size_t i, others;
	long long project;
	int two = argc >= 3 && strcmp(argv[2], "two") == 0;

	if (two ? argc > 4 : argc != 2 && argc != 4)
		return usage();
	if ((db = open_default(&project)) == NULL)
		return 1;
	if (two && (aux = db_open("", &cause)) == NULL) {
		db_close(db);
		return fail("connect", cause);
	}
	if (two && argc == 4 && end_backend(db, aux) != 0) {
		db_close(aux);
		db_close(db);
		return 1;
	}
	s = two ? model_load_two(db, aux, project, 1, 1, &cause) :
	    argc == 2 ? model_load(db, project, 1, 1, &cause) :
	    model_load_first(db, project, atoi(argv[2]), atoi(argv[3]), &cause);
	db_close(aux);
	db_close(db);
	if (s == NULL)
		return fail("snapshot", cause);
	others = s->n_alerts;
	for (i = 0; i < s->n_incidents; i++) {
		print_incident(&s->incidents[i]);
		others -= s->incidents[i].n_alerts;
	}
	printf("others %zu\nalerts", others);
	for (i = 0; i < s->n_alerts; i++)
		printf("%s%lld", i > 0 ? "," : " ", s->alerts[i].id);
	printf("\n");
	model_free(s);
	return 0;
}

/* Runs the named stages over one window. */
int
main(int argc, char **argv)
{
	const char *project = "default", *since = NULL, *at = NULL;
	const struct pipeline_stage *st;
	struct pipeline_ctx ctx;
	struct db_res *r;
	struct db *db;
	char *cause = NULL, *sum;
	int i, first, applied, rc = 0;

	if (argc == 1)
		return self_test();
	if (argc > 3 && strcmp(argv[1], "--project") == 0 &&
	    strcmp(argv[3], "feedback") == 0) {
		driver_project = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (strcmp(argv[1], "feedback") == 0)
		return record_feedback(argc, argv);
	if (strcmp(argv[1], "snapshot") == 0)
		return print_snapshot(argc, argv);
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--project") == 0)
			project = argv[i + 1];
		else if (strcmp(argv[i], "--since") == 0)
			since = argv[i + 1];
		else if (strcmp(argv[i], "--at") == 0)
			at = argv[i + 1];
		else
			return usage();
	}
	first = i;
	if (since == NULL || at == NULL || first >= argc)
		return usage();
	for (i = first; i < argc; i++)
		if (find_stage(argv[i]) == NULL) {
			fprintf(stderr, "stage_driver: no stage %s\n", argv[i]);
			return 2;
		}

	memset(&ctx, 0, sizeof ctx);
	if (timefmt_parse(since, &ctx.start) != 0 ||
	    timefmt_parse(at, &ctx.end) != 0)
		return usage();
	timefmt_format(ctx.start, ctx.start_ts, sizeof ctx.start_ts);
	timefmt_format(ctx.end, ctx.end_ts, sizeof ctx.end_ts);
	if ((db = db_open("", &cause)) == NULL)
		return fail("connect", cause);
	if (db_migrate(db, db_sql_dir(), &applied, &cause) != 0) {
		db_close(db);
		return fail("migrate", cause);
	}
	r = DBQ(db, &cause, "SELECT id FROM midwatch.projects WHERE slug = $1",
	    project);
	if (r == NULL || db_res_rows(r) != 1) {
		if (r != NULL)
			cause = xasprintf("no project %s", project);
		db_res_free(r);
		db_close(db);
		return fail("project", cause);
	}
	ctx.project_id = db_res_ll(r, 0, 0);
	db_res_free(r);
	snprintf(ctx.project, sizeof ctx.project, "%lld", ctx.project_id);
	r = DBQ(db, &cause,
	    "INSERT INTO midwatch.pipeline_runs (project_id, status, window_start,"
	    " window_end, requested_by, started_at)"
	    " VALUES ($1, 'running', $2, $3, 'stage_driver', now()) RETURNING id",
	    ctx.project, ctx.start_ts, ctx.end_ts);
	if (r == NULL) {
		db_close(db);
		return fail("run", cause);
	}
	ctx.run_id = db_res_ll(r, 0, 0);
	db_res_free(r);
	snprintf(ctx.run, sizeof ctx.run, "%lld", ctx.run_id);
	ctx.db = db;
	ctx.summary = json_object();

	for (i = first; i < argc && rc == 0; i++) {
		st = find_stage(argv[i]);
		if (db_begin(db, &cause) != 0 || st->run(&ctx, &cause) != 0 ||
		    db_commit(db, &cause) != 0) {
			db_rollback(db);
			rc = fail(st->name, cause);
			cause = NULL;
		}
	}
	sum = jsonx_dump(ctx.summary);
	if (DBX(db, &cause,
	    "UPDATE midwatch.pipeline_runs SET status = $2, finished_at = now(),"
	    " summary = $3::jsonb WHERE id = $1",
	    ctx.run, rc == 0 ? "completed" : "failed", sum) != 0)
		rc = fail("finish", cause);
	else if (rc == 0)
		printf("run %lld %s\n", ctx.run_id, sum);
	free(sum);
	json_decref(ctx.summary);
	db_close(db);
	return rc;
}
