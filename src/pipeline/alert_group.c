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
 * so re-running a window is a no-op.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "pipeline_int.h"

/* The time an alert fired: the external episode's start, else the data
 * time of its first firing, else when it was written. */
#define GROUP_FIRED_AT "coalesce(" \
    "CASE WHEN a.details ? 'starts_at'" \
    " THEN (a.details ->> 'starts_at')::timestamptz END," \
    " CASE WHEN a.details ? 'fired_at'" \
    " THEN (a.details ->> 'fired_at')::timestamptz END," \
    " a.last_fired_at, a.created_at)"

/* Hops from service x to service y, NULL when y is not reachable. */
#define GROUP_HOPS(x, y) "midwatch.service_hops($1, " x ", " y ", $3::integer)"

/*
 * $1 project, $2 window (seconds), $3 max hops.  Returns heads, members,
 * alerts changed, notifications held, notifications released.
 */
static const char group_sql_apply[] =
    "WITH live AS ("
    "	SELECT a.id, a.service_id, a.incident_id, a.severity, a.status,"
    "	       a.group_key AS old_key, a.group_reason AS old_reason,"
    "	       " GROUP_FIRED_AT " AS fired_at"
    "	  FROM midwatch.alerts a"
    "	 WHERE a.project_id = $1 AND (a.status <> 'resolved'"
    "	       OR EXISTS (SELECT 1 FROM midwatch.outbound_messages m"
    "	                   WHERE m.project_id = $1 AND m.alert_id = a.id"
    "	                     AND m.event = 'trigger' AND m.status = 'pending'"
    "	                     AND m.attempts = 0 AND m.body IS NULL))),"
    " inc AS ("
    "	SELECT i.id, i.service_id, i.window_start, i.window_end,"
    "	       i.status IN ('open', 'triaged') AS ongoing"
    "	  FROM midwatch.incidents i"
    "	 WHERE i.project_id = $1 AND i.status <> 'suppressed'"
    "	   AND (i.id IN (SELECT incident_id FROM live)"
    "	        OR EXISTS (SELECT 1 FROM live l WHERE l.incident_id IS NULL"
    "	           AND l.fired_at BETWEEN i.window_start"
    "	               - make_interval(secs => $2::float8)"
    "	           AND coalesce(i.window_end, 'infinity')"
    "	               + make_interval(secs => $2::float8)))),"
    /* an incident's services: its own and those of its signals */
    " isvc AS ("
    "	SELECT inc.id AS inc_id, inc.service_id AS sid, inc.window_start,"
    "	       inc.window_end"
    "	  FROM inc WHERE inc.service_id IS NOT NULL"
    "	UNION"
    "	SELECT inc.id, g.service_id, inc.window_start, inc.window_end"
    "	  FROM inc JOIN midwatch.signals g"
    "	    ON g.project_id = $1 AND g.incident_id = inc.id"
    "	 WHERE g.service_id IS NOT NULL),"
    /* the missing links, by time and topology */
    " topo AS ("
    "	SELECT DISTINCT ON (l.id) l.id, s.inc_id"
    "	  FROM live l JOIN isvc s"
    "	    ON l.fired_at BETWEEN s.window_start"
    "	           - make_interval(secs => $2::float8)"
    "	       AND coalesce(s.window_end, 'infinity')"
    "	           + make_interval(secs => $2::float8)"
    "	 CROSS JOIN LATERAL (SELECT coalesce("
    "	       " GROUP_HOPS("l.service_id", "s.sid") ","
    "	       " GROUP_HOPS("s.sid", "l.service_id") ") AS hops) h"
    "	 WHERE l.incident_id IS NULL AND l.service_id IS NOT NULL"
    "	   AND h.hops IS NOT NULL"
    "	   AND midwatch.incident_decision($1, s.inc_id) = 'approved'"
    "	 ORDER BY l.id, h.hops, s.window_start DESC, s.inc_id DESC),"
    /* an incident opened on a symptom: one whose service depends on the
     * service of another incident overlapping it belongs to the deepest
     * such incident's group */
    " iroot AS ("
    "	SELECT x.id, coalesce((SELECT y.id FROM inc y"
    "	   CROSS JOIN LATERAL (SELECT " GROUP_HOPS("x.service_id",
    "y.service_id") " AS h) hh"
    "	  WHERE y.id <> x.id AND hh.h > 0"
    "	    AND y.window_start <= coalesce(x.window_end, 'infinity')"
    "	        + make_interval(secs => $2::float8)"
    "	    AND coalesce(y.window_end, 'infinity') >= x.window_start"
    "	        - make_interval(secs => $2::float8)"
    "	  ORDER BY hh.h DESC, y.window_start, y.id LIMIT 1), x.id) AS gid"
    "	  FROM inc x),"
    " mem AS ("
    "	SELECT l.*, ir.gid"
    "	  FROM live l LEFT JOIN inc i ON i.id = l.incident_id"
    "	  LEFT JOIN topo t ON t.id = l.id"
    "	  LEFT JOIN iroot ir ON ir.id = coalesce(i.id, t.inc_id)),"
    /* upstream: how many of the group's other services depend on this
     * one, less how many it depends on */
    " up AS ("
    "	SELECT m.*,"
    "	       (SELECT count(DISTINCT o.service_id) FROM mem o"
    "	         WHERE o.gid = m.gid AND o.service_id <> m.service_id"
    "	           AND " GROUP_HOPS("o.service_id", "m.service_id")
    "	               IS NOT NULL)"
    "	     - (SELECT count(DISTINCT o.service_id) FROM mem o"
    "	         WHERE o.gid = m.gid AND o.service_id <> m.service_id"
    "	           AND " GROUP_HOPS("m.service_id", "o.service_id")
    "	               IS NOT NULL) AS upstream"
    "	  FROM mem m WHERE m.gid IS NOT NULL),"
    " ranked AS ("
    "	SELECT u.id, u.gid, first_value(u.id) OVER w AS head_id,"
    "	       first_value(u.severity) OVER w AS head_sev,"
    "	       first_value(u.id) OVER ws AS sev_first,"
    "	       u.status <> 'resolved' AND NOT gi.ongoing AS outlived"
    "	  FROM up u JOIN inc gi ON gi.id = u.gid"
    "	WINDOW w AS (PARTITION BY u.gid ORDER BY u.status = 'resolved',"
    "	       u.upstream DESC,"
    "	       midwatch.severity_rank(u.severity) DESC NULLS LAST,"
    "	       u.fired_at, u.id),"
    /* the first alert of each severity of the group, in the same order:
     * the one that pages for its severity when the head is less severe */
    "	ws AS (PARTITION BY u.gid, midwatch.severity_rank(u.severity)"
    "	       ORDER BY u.status = 'resolved', u.upstream DESC, u.fired_at,"
    "	       u.id)),"
    " want AS ("
    "	SELECT l.id, 'incident:' || r.gid AS key, r.head_id,"
    "	       coalesce(r.id <> r.head_id AND NOT r.outlived"
    "	           AND (midwatch.severity_rank(l.severity)"
    "	               <= midwatch.severity_rank(r.head_sev)"
    "	               OR r.id <> r.sev_first), false)"
    "	           AS inhibited,"
    "	       CASE WHEN r.id IS NULL THEN CASE"
    "	            WHEN l.old_key IS NOT NULL AND l.incident_id IS NOT NULL"
    "	            THEN 'outlived incident ' || l.incident_id"
    "	                 || ': pages on its own'"
    "	            WHEN l.old_reason LIKE 'outlived %' THEN l.old_reason END"
    "	            WHEN r.outlived"
    "	            THEN 'outlived incident ' || r.gid || ': pages on its own'"
    "	            WHEN r.id = r.head_id THEN NULL"
    "	            WHEN midwatch.severity_rank(l.severity)"
    "	                 > midwatch.severity_rank(r.head_sev)"
    "	                 AND r.id = r.sev_first"
    "	            THEN 'more severe (' || l.severity || ') than its group"
    " head, alert ' || r.head_id || ' (' || r.head_sev || '): pages'"
    "	            WHEN midwatch.severity_rank(l.severity)"
    "	                 > midwatch.severity_rank(r.head_sev)"
    "	            THEN 'symptom of incident ' || r.gid || ', grouped under"
    " alert ' || r.head_id || '; alert ' || r.sev_first || ' pages for its "
    "' || l.severity || ' alerts'"
    "	            ELSE 'symptom of incident ' || r.gid || ', grouped under"
    " alert ' || r.head_id END AS reason"
    "	  FROM live l LEFT JOIN ranked r ON r.id = l.id),"
    " upd AS ("
    "	UPDATE midwatch.alerts a SET group_key = w.key,"
    "	       group_head_id = w.head_id, group_inhibited = w.inhibited,"
    "	       group_reason = w.reason"
    "	  FROM want w"
    "	 WHERE a.project_id = $1 AND a.id = w.id"
    "	   AND (a.group_key, a.group_head_id, a.group_inhibited,"
    "	        a.group_reason) IS DISTINCT FROM"
    "	       (w.key, w.head_id, w.inhibited, w.reason)"
    "	RETURNING a.id),"
    /* a member's queued, untried triggers are held */
    " held AS ("
    "	UPDATE midwatch.outbound_messages m SET status = 'inhibited',"
    "	       payload = m.payload || jsonb_build_object('grouped_reason',"
    "	           w.reason, 'group_head_id', w.head_id)"
    "	  FROM want w"
    "	 WHERE m.project_id = $1 AND m.alert_id = w.id AND w.inhibited"
    "	   AND m.event = 'trigger' AND m.status = 'pending'"
    "	   AND m.attempts = 0 AND m.body IS NULL"
    "	RETURNING m.id),"
    /* one that pages after all: its latest held trigger per channel */
    " released AS ("
    "	UPDATE midwatch.outbound_messages m SET status = 'pending',"
    "	       next_attempt_at = now(),"
    "	       payload = m.payload || jsonb_build_object('grouped_reason',"
    "	           w.reason)"
    "	  FROM want w"
    "	 WHERE m.project_id = $1 AND m.alert_id = w.id AND NOT w.inhibited"
    "	   AND w.reason IS NOT NULL AND m.status = 'inhibited'"
    "	   AND m.id = (SELECT max(x.id) FROM midwatch.outbound_messages x"
    "	                WHERE x.project_id = $1 AND x.alert_id = m.alert_id"
    "	                  AND x.channel = m.channel AND x.event = 'trigger'"
    "	                  AND x.status = 'inhibited')"
    "	RETURNING m.id),"
    /* the head's queued triggers list its members */
    " members AS ("
    "	SELECT w.head_id, count(*) AS n,"
    "	       jsonb_agg(jsonb_build_object('alert_id', a.id,"
    "	           'title', a.title, 'severity', a.severity,"
    "	           'service', s.name, 'status', a.status,"
    "	           'pages', NOT w.inhibited, 'reason', w.reason)"
    "	           ORDER BY a.id) AS list"
    "	  FROM want w JOIN midwatch.alerts a"
    "	    ON a.project_id = $1 AND a.id = w.id"
    "	  LEFT JOIN midwatch.services s"
    "	    ON s.project_id = $1 AND s.id = a.service_id"
    "	 WHERE w.head_id IS NOT NULL AND w.id <> w.head_id"
    "	 GROUP BY w.head_id),"
    " headmsg AS ("
    "	UPDATE midwatch.outbound_messages m"
    "	   SET payload = m.payload || jsonb_build_object('group',"
    "	       jsonb_build_object('key', w.key, 'size', mb.n + 1,"
    "	           'members', mb.list))"
    "	  FROM want w JOIN members mb ON mb.head_id = w.id"
    "	 WHERE m.project_id = $1 AND m.alert_id = w.id"
    "	   AND m.event = 'trigger' AND m.status = 'pending'"
    "	   AND m.attempts = 0 AND m.body IS NULL"
    "	   AND m.payload -> 'group' IS DISTINCT FROM"
    "	       jsonb_build_object('key', w.key, 'size', mb.n + 1,"
    "	           'members', mb.list)"
    "	RETURNING m.id)"
    " SELECT (SELECT count(*) FROM want WHERE id = head_id),"
    "        (SELECT count(*) FROM want WHERE head_id IS NOT NULL"
    "           AND id <> head_id),"
    "        (SELECT count(*) FROM upd), (SELECT count(*) FROM held),"
    "        (SELECT count(*) FROM released), (SELECT count(*) FROM headmsg)";

/* Groups the project's alerts (see pipeline_int.h). */
int
alert_group_apply(struct pipeline_ctx *ctx, json_t *summary, char **cause)
{
	struct db_res *r;
	char win[32], hops[32];

	r = DBQ(ctx->db, cause, group_sql_apply, ctx->project,
	    policy_param(win, sizeof win, POL_ALERT_GROUP_WINDOW),
	    policy_param(hops, sizeof hops, POL_ALERT_GROUP_HOPS));
	if (r == NULL)
		return -1;
	if (summary != NULL)
		json_object_set_new(summary, "groups", json_pack(
		    "{sIsIsIsIsI}", "heads", (json_int_t)db_res_ll(r, 0, 0),
		    "members", (json_int_t)db_res_ll(r, 0, 1),
		    "changed", (json_int_t)db_res_ll(r, 0, 2),
		    "inhibited", (json_int_t)db_res_ll(r, 0, 3),
		    "released", (json_int_t)db_res_ll(r, 0, 4)));
	db_res_free(r);
	return 0;
}
