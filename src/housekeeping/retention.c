/*
 * retention.c - retention of one project, table by table in the order of
 * midwatch.retention_plan, in batches: each batch is one statement (its own
 * transaction), so a purge never holds locks for long nor reads a table
 * into memory.  What a row past its policy still needed by another is kept
 * is decided in SQL (midwatch.retention_guard), the same predicate for the
 * dry run's count and the real delete, so `purge --dry-run` reports what
 * `purge` then removes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "midwatch/db.h"
#include "midwatch/housekeeping.h"
#include "midwatch/jsonx.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

/* Rows of one table past its policy: deleted in batches, or counted. */
static int
retention_table(struct db *db, const char *project, const char *table,
    int dry, long long *rows, char **cause)
{
	struct db_res *r;
	char batch[32];
	long long n;

	*rows = 0;
	policy_param(batch, sizeof batch, POL_HK_BATCH);
	do {
		r = DBQN(db, cause, "housekeeping/retention_batch", project,
		    table, dry ? "true" : "false", batch);
		if (r == NULL)
			return -1;
		n = db_val_ll(r, 0, "retention_batch");
		db_res_free(r);
		*rows += n;
	} while (!dry && n > 0);
	return 0;
}

/* Records what a real purge removed (with the error that stopped it). */
static int
retention_audit(struct db *db, const char *project, const char *actor,
    const char *trigger, json_t *tables, long long total, const char *error,
    char **cause)
{
	json_t *d;
	char *details;
	int rc;

	d = json_pack("{s:O, s:I, s:s}", "tables", tables, "total",
	    (json_int_t)total, "trigger", trigger);
	if (error != NULL)
		json_object_set_new(d, "error", json_string(error));
	details = jsonx_dump(d);
	json_decref(d);
	rc = DBXN(db, cause, "housekeeping/audit", project, actor,
	    "retention.purged", details);
	free(details);
	return rc;
}

/* Runs (or counts) retention of a project (see housekeeping.h). */
int
housekeeping_retention(struct db *db, long long project_id, int dry,
    const char *actor, const char *trigger, json_t **tables,
    long long *total, char **cause)
{
	struct db_res *plan;
	char project[24], *why = NULL;
	long long rows;
	int i, rc = 0;

	*tables = json_object();
	*total = 0;
	snprintf(project, sizeof project, "%lld", project_id);
	plan = DBQN(db, cause, "housekeeping/retention_plan", project);
	if (plan == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < db_res_rows(plan); i++) {
		const char *table = db_val(plan, i, "table_name");

		rc = retention_table(db, project, table, dry, &rows, cause);
		if (rc == 0) {
			json_object_set_new(*tables, table, json_integer(rows));
			*total += rows;
		}
	}
	db_res_free(plan);
	/* a purge stopped half-way still says what it removed */
	if (!dry && (rc == 0 || *total > 0) &&
	    retention_audit(db, project, actor, trigger, *tables, *total,
	    rc != 0 ? *cause : NULL, rc == 0 ? cause : &why) != 0)
		rc = -1;
	free(why);
	if (rc != 0) {
		json_decref(*tables);
		*tables = NULL;
	}
	return rc;
}
