/*
 * pipeline_unit.c - failure isolation inside a stage.  A stage works unit by
 * unit (one metric series, one funnel, one incident, one alert rule); each
 * unit runs under a savepoint, so when one fails (a bug, a constraint, a
 * database error that is about that unit's data) it is rolled back alone,
 * recorded in ctx->skipped with its identity and reason, and the stage goes
 * on.  Only what cannot be about one unit fails the whole run: a lost
 * connection, a broken schema (SQLSTATE class 42 or 3F), resources the
 * server lacks (53, 58).  A unit skipped by one stage (an incident whose
 * evidence failed) is skipped by the later stages too, so they leave it as
 * it was rather than judge it on half its inputs.
 *
 * Test hook: MIDWATCH_TEST_FAIL_UNIT=PATTERN makes every unit whose
 * "stage:unit:id" matches the fnmatch(3) pattern fail with a real database
 * error (a division by zero inside its savepoint), so tests can show that the
 * rest of the run completes.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* At most this many skipped units are itemised in a run's summary (the
 * count is always exact). */
#define UNIT_LIST_MAX 50

/* SQLSTATE classes that are never about one unit's data. */
static int
fatal_sqlstate(const char *st)
{
	static const char *const classes[] = { "08", "42", "3F", "53", "58",
	    "57", "25", NULL };
	int i;

	for (i = 0; classes[i] != NULL; i++)
		if (strncmp(st, classes[i], 2) == 0)
			return 1;
	return 0;
}

/* The test hook: 1 when this unit is to fail. */
static int
unit_fault(const char *stage, const char *unit, const char *id)
{
	const char *pat = getenv("MIDWATCH_TEST_FAIL_UNIT");
	char *name;
	int hit;

	if (pat == NULL || *pat == '\0')
		return 0;
	name = xasprintf("%s:%s:%s", stage, unit, id);
	hit = fnmatch(pat, name, 0) == 0;
	free(name);
	return hit;
}

/* The stage that skipped this unit earlier in the run, or NULL. */
static const char *
skipped_by(struct pipeline_ctx *ctx, const char *unit, const char *id)
{
	char *key;
	const char *st;

	if (ctx->skipped_keys == NULL)
		return NULL;
	key = xasprintf("%s:%s", unit, id);
	st = json_string_value(json_object_get(ctx->skipped_keys, key));
	free(key);
	return st;
}

int
pipeline_unit_begin(struct pipeline_ctx *ctx, const char *stage,
    const char *unit, const char *id, char **ucause)
{
	const char *before;

	db_clear_sqlstate(ctx->db);
	if (DBXN(ctx->db, ucause, "pipeline/unit_begin") != 0)
		return -1;
	if ((before = skipped_by(ctx, unit, id)) != NULL &&
	    strcmp(before, stage) != 0) {
		*ucause = xasprintf("left as it was: stage %s skipped it", before);
		return -1;
	}
	if (unit_fault(stage, unit, id) &&
	    DBXN(ctx->db, ucause, "pipeline/unit_test_fail") != 0)
		return -1;
	return 0;
}

/* See pipeline_int.h. */
int
pipeline_unit_quiet(struct pipeline_ctx *ctx, const char *stage,
    const char *unit, const char *id)
{
	const char *before = skipped_by(ctx, unit, id);

	return (before == NULL || strcmp(before, stage) == 0) &&
	    !unit_fault(stage, unit, id);
}

/* Records a skipped unit in the run's list (the reason on one line). */
static void
unit_record(struct pipeline_ctx *ctx, const char *stage, const char *unit,
    const char *id, const char *reason)
{
	json_t *o;
	char *key;

	ctx->nskipped++;
	if (ctx->skipped_keys == NULL)
		ctx->skipped_keys = json_object();
	key = xasprintf("%s:%s", unit, id);
	if (json_object_get(ctx->skipped_keys, key) == NULL)
		json_object_set_new(ctx->skipped_keys, key, json_string(stage));
	free(key);
	if (ctx->skipped == NULL)
		ctx->skipped = json_array();
	if (json_array_size(ctx->skipped) >= UNIT_LIST_MAX)
		return;
	o = json_pack("{s:s, s:s, s:s, s:s}", "stage", stage, "unit", unit,
	    "id", id, "reason", reason != NULL ? reason : "failed");
	if (o != NULL)
		json_array_append_new(ctx->skipped, o);
}

int
pipeline_unit_end(struct pipeline_ctx *ctx, int rc, const char *stage,
    const char *unit, const char *id, char **ucause, char **cause)
{
	const char *st = db_last_sqlstate(ctx->db);
	char *why = NULL;

	if (rc == 0) {
		free(*ucause);
		*ucause = NULL;
		return DBXN(ctx->db, cause, "pipeline/unit_release");
	}
	if (!db_alive(ctx->db) || fatal_sqlstate(st)) {
		*cause = xasprintf("%s %s: %s", unit, id,
		    *ucause != NULL ? *ucause : "failed");
		free(*ucause);
		*ucause = NULL;
		return -1;
	}
	if (DBXN(ctx->db, &why, "pipeline/unit_rollback") != 0 ||
	    DBXN(ctx->db, &why, "pipeline/unit_release") != 0) {
		*cause = xasprintf("%s %s: %s; then: %s", unit, id,
		    *ucause != NULL ? *ucause : "failed", why);
		free(why);
		free(*ucause);
		*ucause = NULL;
		return -1;
	}
	pipeline_one_line(*ucause);
	log_warn("pipeline run %s: %s: skipped %s %s: %s", ctx->run, stage, unit,
	    id, *ucause != NULL ? *ucause : "failed");
	unit_record(ctx, stage, unit, id, *ucause);
	free(*ucause);
	*ucause = NULL;
	return 0;
}
