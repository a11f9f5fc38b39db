/*
 * housekeeping.c - the daily housekeeping the pipeline runner does under
 * its lock: claim the day (midwatch.housekeeping_runs, one row per project
 * and UTC day), then expire dead letters, rebuild stale case signatures
 * and run retention, each step one audit entry saying how many rows.  A
 * failed step gives the day back, so the next run tries again; the run
 * itself never fails because of housekeeping.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "midwatch/db.h"
#include "midwatch/housekeeping.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

/* Records step action with details (a JSON object, taken over). */
static int
housekeeping_audit(struct db *db, const char *project, const char *action,
    json_t *details, char **cause)
{
	char *text = jsonx_dump(details);
	int rc;

	json_decref(details);
	rc = DBXN(db, cause, "housekeeping/audit", project, "system", action,
	    text);
	free(text);
	return rc;
}

/* Gives up what was retried past housekeeping.dead_letter_expiry. */
static int
housekeeping_dead_letters(struct db *db, const char *project, json_t *done,
    char **cause)
{
	struct db_res *r;
	char secs[32];
	json_t *d;

	policy_param(secs, sizeof secs, POL_HK_DEAD_LETTER_EXPIRY);
	r = DBQN(db, cause, "housekeeping/dead_letters", project, secs);
	if (r == NULL)
		return -1;
	d = json_pack("{s:I, s:I, s:I, s:f}",
	    "ingest_errors", (json_int_t)db_val_ll(r, 0, "ingest_errors"),
	    "outbound_messages",
	    (json_int_t)db_val_ll(r, 0, "outbound_messages"),
	    "alert_silences", (json_int_t)db_val_ll(r, 0, "alert_silences"),
	    "older_than_seconds", POLICY(HK_DEAD_LETTER_EXPIRY));
	db_res_free(r);
	json_object_set(done, "dead_letters", d);
	return housekeeping_audit(db, project, "dead_letters.expired", d, cause);
}

/* Rebuilds stale case signatures, a batch per statement. */
static int
housekeeping_signatures(struct db *db, const char *project, json_t *done,
    char **cause)
{
	struct db_res *r;
	char batch[32];
	long long n, total = 0;

	policy_param(batch, sizeof batch, POL_HK_BATCH);
	do {
		r = DBQN(db, cause, "housekeeping/signatures", project, batch);
		if (r == NULL)
			return -1;
		n = db_val_ll(r, 0, "refresh_case_signatures");
		db_res_free(r);
		total += n;
	} while (n >= (long long)POLICY(HK_BATCH));
	json_object_set_new(done, "case_signatures", json_integer(total));
	return housekeeping_audit(db, project, "case_signatures.refreshed",
	    json_pack("{s:I}", "rows", (json_int_t)total), cause);
}

/* The daily housekeeping (see housekeeping.h). */
int
housekeeping_daily(struct db *db, long long project_id)
{
	struct db_res *r;
	char project[24], *cause = NULL, *text;
	json_t *done, *tables = NULL;
	long long total;
	int claimed;

	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, &cause, "housekeeping/claim_day", project);
	if (r == NULL)
		goto fail;
	claimed = db_res_rows(r) > 0;
	db_res_free(r);
	if (!claimed)
		return 0;
	done = json_object();
	if (housekeeping_dead_letters(db, project, done, &cause) != 0 ||
	    housekeeping_signatures(db, project, done, &cause) != 0 ||
	    housekeeping_retention(db, project_id, 0, "system", "housekeeping",
	    &tables, &total, &cause) != 0) {
		json_decref(done);
		/* give the day back: the next run tries again */
		if (db_alive(db)) {
			char *why = NULL;

			if (DBXN(db, &why, "housekeeping/give_back_day",
			    project) != 0)
				free(why);
		}
		goto fail;
	}
	json_object_set_new(done, "retention", tables);
	text = jsonx_dump(done);
	json_decref(done);
	if (DBXN(db, &cause, "housekeeping/day_done", project, text) != 0) {
		free(text);
		goto fail;
	}
	free(text);
	log_info("housekeeping of project %s done", project);
	return 1;
fail:
	log_warn("housekeeping of project %s: %s", project, cause);
	free(cause);
	return -1;
}
