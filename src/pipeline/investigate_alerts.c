/*
 * investigate_alerts.c - every external alert that no incident covers is
 * investigated (issue 8): after a pipeline run, each steady (not flapping)
 * alert of at least investigate.alert_severity whose onset falls in the
 * run's window, and that no approved incident holds, becomes
 * `midwatch investigate --at ONSET --service SERVICE`.  An investigation
 * that finds nothing abnormal opens nothing (an alert alone is not an
 * incident); each alert is investigated once (its investigation run is
 * requested by "alert:<signal dedupe key>"), and a failure is logged and
 * left for the next alert, never failing the run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/investigate.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* The alerts to investigate: $1 project, $2..$3 the run's window, $4 the
 * lowest severity rank, $5 how many. */
static const char sql_uncovered[] =
    "SELECT s.dedupe_key, extract(epoch FROM s.onset_at), v.name, s.id"
    " FROM midwatch.signals s JOIN midwatch.services v"
    "  ON v.project_id = s.project_id AND v.id = s.service_id"
    " WHERE s.project_id = $1 AND s.signal_type = 'external_alert'"
    " AND s.status = 'active'"
    " AND midwatch.severity_rank(s.severity) >= $4::int"
    " AND s.onset_at >= $2::timestamptz AND s.onset_at <= $3::timestamptz"
    " AND (s.incident_id IS NULL"
    "  OR NOT midwatch.incident_approved(s.project_id, s.incident_id))"
    " AND NOT EXISTS (SELECT 1 FROM midwatch.pipeline_runs r"
    "  WHERE r.project_id = s.project_id AND r.kind = 'investigate'"
    "  AND r.requested_by = 'alert:' || s.dedupe_key)"
    " ORDER BY midwatch.severity_rank(s.severity) DESC, s.onset_at DESC"
    " LIMIT $5::int";

/* Investigates the uncovered alerts of the run in ctx (see pipeline.h). */
int
pipeline_investigate_alerts(struct db *db, const struct pipeline_ctx *ctx,
    int *investigated, int *opened, char **cause)
{
	struct investigate_opts o;
	struct investigate_result res;
	struct db_res *r;
	char sev[24], lim[24], *why;
	int i, rc;

	*opened = *investigated = 0;
	r = DBQ(db, cause, sql_uncovered, ctx->project, ctx->start_ts,
	    ctx->end_ts, pipeline_ll(sev, sizeof sev,
	    (long long)POLICY(INV_ALERT_SEVERITY)),
	    pipeline_ll(lim, sizeof lim, (long long)POLICY(INV_ALERTS_PER_RUN)));
	if (r == NULL)
		return -1;
	for (i = 0; i < db_res_rows(r); i++) {
		char *by = xasprintf("alert:%s", db_res_get(r, i, 0));

		memset(&o, 0, sizeof o);
		o.requested_by = by;
		o.actor = "midwatch (external alert)";
		o.at = db_res_f(r, i, 1);
		o.service = db_res_get(r, i, 2);
		o.need_abnormal = 1;
		why = NULL;
		rc = investigate_run(db, ctx->project_id, &o, &res, &why);
		(*investigated)++;
		if (rc != 0)
			log_warn("investigating the alert of signal %s: %s",
			    db_res_get(r, i, 3), why != NULL ? why : "failed");
		else if (res.incident_id != 0 && !res.reused)
			(*opened)++;
		free(why);
		free(by);
		if (!db_alive(db))
			break;
	}
	db_res_free(r);
	return 0;
}
