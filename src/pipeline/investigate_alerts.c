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
	/* the alerts to investigate */
	r = DBQN(db, cause, "pipeline/investigate_alerts", ctx->project,
	    ctx->start_ts, ctx->end_ts, pipeline_ll(sev, sizeof sev,
	    (long long)POLICY(INV_ALERT_SEVERITY)),
	    pipeline_ll(lim, sizeof lim, (long long)POLICY(INV_ALERTS_PER_RUN)));
	if (r == NULL)
		return -1;
	for (i = 0; i < db_res_rows(r); i++) {
		char *by = xasprintf("alert:%s", db_val(r, i, "dedupe_key"));

		memset(&o, 0, sizeof o);
		o.requested_by = by;
		o.actor = "midwatch (external alert)";
		o.at = db_val_f(r, i, "onset");
		o.service = db_val(r, i, "name");
		o.need_abnormal = 1;
		why = NULL;
		rc = investigate_run(db, ctx->project_id, &o, &res, &why);
		(*investigated)++;
		if (rc != 0)
			log_warn("investigating the alert of signal %s: %s",
			    db_val(r, i, "id"), why != NULL ? why : "failed");
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
