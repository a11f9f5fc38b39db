/*
 * alert_group.c - the alert stage's last pass: alerts grouped by incident,
 * one page per group (Alertmanager's grouping and inhibition, decided by
 * midwatch's own topology, service_dependencies).
 *
 * Every unresolved alert (and one resolved in the run that raised it, its
 * notification still queued) belongs to the group of the incident it is a
 * symptom of - open or already resolved: a catch-up run over hours of data
 * resolves an incident and raises its symptoms' alerts at once, and they
 * are still one page - : its incident_id, or - when that link is missing -
 * the approved incident whose service (or a service of its signals) is
 * connected to the alert's service within alert.group.max_hops dependency
 * edges, either way, and whose window holds the alert's firing within
 * alert.group.window (nearest in hops, then the newest).  An incident
 * opened on a symptom - its service depends on the service of another
 * incident overlapping it - is part of that (deepest) incident's group, so
 * one fault that opened several incidents down a call chain pages once.
 * The group's head
 * is the alert on its most upstream service - the one most of the group's
 * other services depend on and that depends on fewest of them: the
 * suspected origin - then the most severe, then the earliest (an
 * unresolved alert before a resolved one).  Recomputed
 * every run, so a later alert on a more upstream service takes the head,
 * and a resolved head hands it on.
 *
 * Only the head pages.  A member's queued trigger notifications (not yet
 * tried) become 'inhibited' and the member carries the reason ("symptom of
 * incident 7, grouped under alert 41"); the head's queued notifications
 * list the members (payload.group).  Two exceptions page anyway: the first
 * member (in the head's order) of each severity above the head's - once
 * per severity, not once per member: a surge makes thirty services' error
 * alerts high under a medium head - and a member that outlives its incident (the
 * incident is resolved while the alert still fires), whose latest
 * held notification per channel is queued again.  Writes only what changed,
 * so re-running a window is a no-op.  The statement is
 * sql/queries/pipeline/alert_group.sql.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "pipeline_int.h"

/* Groups the project's alerts (see pipeline_int.h). */
int
alert_group_apply(struct pipeline_ctx *ctx, json_t *summary, char **cause)
{
	struct db_res *r;
	char win[32], hops[32];

	r = DBQN(ctx->db, cause, "pipeline/alert_group", ctx->project,
	    policy_param(win, sizeof win, POL_ALERT_GROUP_WINDOW),
	    policy_param(hops, sizeof hops, POL_ALERT_GROUP_HOPS));
	if (r == NULL)
		return -1;
	if (summary != NULL)
		json_object_set_new(summary, "groups", json_pack(
		    "{sIsIsIsIsI}", "heads", (json_int_t)db_val_ll(r, 0, "heads"),
		    "members", (json_int_t)db_val_ll(r, 0, "members"),
		    "changed", (json_int_t)db_val_ll(r, 0, "changed"),
		    "inhibited", (json_int_t)db_val_ll(r, 0, "inhibited"),
		    "released", (json_int_t)db_val_ll(r, 0, "released")));
	db_res_free(r);
	return 0;
}
