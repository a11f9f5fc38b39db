/*
 * stage_lifecycle.c - pipeline stage "lifecycle" (issue 10): what closes by
 * itself, after recommend and before alert (so an incident's alert resolves
 * in the run that resolves the incident).
 *
 *  - An open or triaged incident all of whose signals - and those of the
 *    candidates suppressed as its duplicates: trouble that came back while
 *    it was open - ended at least the quiet period (policy
 *    incident.quiet_period, per project in projects.settings) before the
 *    run's window end resolves (not one an investigation opened: that is
 *    the operator's to close): status
 *    resolved by 'midwatch', resolved_data_at = its last signal's end + the
 *    quiet period, and a resolution summary saying what cleared when.  An
 *    incident whose latest status change is an operator's reopening is left
 *    to the operator.
 *  - A rollback or config-revert recommendation whose action already
 *    happened is done: the next deploy of the service after the blamed one
 *    is a rollback or redeploys the blamed deploy's previous revision; a
 *    later change of the same resource (and service) sets every field of
 *    the blamed change back to its old value (redacted values never match).
 *    The evidence goes into details.already_done.
 *
 * Each transition is a feedback_events row (actor_type system, the reason,
 * the run id, automatic: true) keyed by target and run; a transition happens
 * only from the state it leaves, so re-running a window adds nothing.
 * Reopening on recurrence is the gate's (stage_gate.c), since it decides
 * which incident a new anomaly belongs to.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/sqltext.h"
#include "pipeline_int.h"

/* Incidents whose signals all cleared; $1 project, $2 run, $3 window end,
 * $4 default quiet period (s).  Returns (resolved, events). */
static const char lifecycle_sql_incidents[] =
    "WITH q AS ("
    "	SELECT midwatch.project_setting($1, 'incident.quiet_period',"
    "	    $4::float8) AS secs),"
    " cand AS ("
    "	SELECT i.id, max(s.ended_at) AS last_end, count(*) AS n,"
    "	       string_agg(s.signal_type || coalesce(' ' || s.metric_name, '')"
    "	           || coalesce(' on ' || v.name, '') || ' '"
    "	           || " SQL_RFC3339_MIN("s.onset_at") " || ' to ' || " SQL_RFC3339_MIN("s.ended_at")
    ",	           '; ' ORDER BY s.ended_at, s.id) AS what"
    "	  FROM midwatch.incidents i"
    "	  JOIN midwatch.signals s"
    "	    ON s.project_id = i.project_id AND (s.incident_id = i.id"
    "	       OR s.incident_id IN (SELECT d.incident_id"
    "	           FROM midwatch.incident_decisions d"
    "	          WHERE d.project_id = i.project_id"
    "	            AND d.decision = 'suppressed'"
    "	            AND d.details ->> 'duplicate_of' = i.id::text))"
    "	  LEFT JOIN midwatch.services v"
    "	    ON v.project_id = s.project_id AND v.id = s.service_id"
    "	 WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')"
    "	   AND coalesce(i.details ->> 'source', '') <> 'investigate'"
    "	   AND midwatch.incident_approved(i.project_id, i.id)"
    "	   AND NOT EXISTS (SELECT 1 FROM ("
    "	       SELECT f.actor_type, f.event_type"
    "	         FROM midwatch.feedback_events f"
    "	        WHERE f.project_id = $1 AND f.target_kind = 'incident'"
    "	          AND f.target_id = i.id"
    "	          AND f.event_type <> 'human_note_added'"
    "	        ORDER BY f.id DESC LIMIT 1) last"
    "	        WHERE last.actor_type = 'user'"
    "	          AND last.event_type = 'incident_reopened')"
    "	 GROUP BY i.id"
    "	HAVING bool_and(s.ended_at IS NOT NULL AND s.ended_at"
    "	    <= $3::timestamptz - make_interval(secs => (SELECT secs FROM q)))),"
    " upd AS ("
    "	UPDATE midwatch.incidents i SET status = 'resolved',"
    "	       status_source = 'pipeline', resolved_at = now(),"
    "	       resolved_by = 'midwatch',"
    "	       resolved_data_at = c.last_end"
    "	           + make_interval(secs => (SELECT secs FROM q)),"
    "	       resolution = 'Resolved by midwatch: all ' || c.n || ' signal'"
    "	           || CASE WHEN c.n = 1 THEN '' ELSE 's' END || ' cleared, the"
    " last at ' || " SQL_RFC3339_MIN("c.last_end") " || ', quiet for '"
    "	           || round((SELECT secs FROM q) / 60) || ' min after. Cleared: '"
    "	           || c.what"
    "	  FROM cand c WHERE i.project_id = $1 AND i.id = c.id"
    "	RETURNING i.id, c.last_end, c.n),"
    " ev AS ("
    "	INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,"
    "	       event_type, target_kind, target_id, incident_id, payload,"
    "	       idempotency_key)"
    "	SELECT $1, 'system', 'midwatch', 'incident_resolved', 'incident', u.id,"
    "	       u.id, jsonb_build_object('reason', 'all ' || u.n || ' signals"
    " ended, the last at ' || " SQL_RFC3339_MIN("u.last_end") " || '; quiet for '"
    "	           || round((SELECT secs FROM q)) || ' s (incident.quiet_period)',"
    "	           'run_id', $2::bigint, 'automatic', true,"
    "	           'last_signal_end', u.last_end, 'signals', u.n),"
    "	       'system:incident_resolved:' || u.id || ':' || $2"
    "	  FROM upd u ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM ev)";

/* Recommendations already carried out; $1 project, $2 run, $3 window end.
 * Returns (done, events). */
static const char lifecycle_sql_recommendations[] =
    "WITH rec AS ("
    "	SELECT r.id, r.incident_id, r.type, r.details ->> 'ref' AS ref"
    "	  FROM midwatch.recommendations r"
    "	 WHERE r.project_id = $1 AND r.status IN ('new', 'acknowledged')"
    "	   AND r.type IN ('rollback', 'revert_config')"
    "	   AND coalesce(r.details ->> 'ref', '') <> ''),"
    " dep AS ("
    "	SELECT r.id, r.incident_id,"
    "	       'deploy ' || x.ext_id || ' of ' || sv.name || ' at '"
    "	       || " SQL_RFC3339_MIN("x.started_at") " || CASE WHEN x.is_rollback"
    "	            THEN ' rolled back deploy ' || d.ext_id"
    "	            ELSE ' redeployed ' || x.revision || ', the revision"
    " before deploy ' || d.ext_id END AS reason,"
    "	       jsonb_build_object('kind', 'deploy', 'id', x.ext_id,"
    "	           'at', x.started_at, 'revision', x.revision,"
    "	           'is_rollback', x.is_rollback) AS evidence"
    "	  FROM rec r"
    "	  JOIN midwatch.deployment_events d"
    "	    ON d.project_id = $1 AND d.ext_id = r.ref"
    "	  JOIN midwatch.services sv"
    "	    ON sv.project_id = $1 AND sv.id = d.service_id"
    "	  JOIN LATERAL ("
    "		SELECT n.* FROM midwatch.deployment_events n"
    "		 WHERE n.project_id = $1 AND n.service_id = d.service_id"
    "		   AND (n.started_at, n.id) > (d.started_at, d.id)"
    "		   AND n.started_at <= $3::timestamptz"
    "		 ORDER BY n.started_at, n.id LIMIT 1) x ON true"
    "	 WHERE r.type = 'rollback'"
    "	   AND (x.is_rollback OR x.revision = d.previous_revision)),"
    " cfg AS ("
    "	SELECT r.id, r.incident_id,"
    "	       'config change ' || x.ext_id || ' at ' || " SQL_RFC3339_MIN("x.detected_at")
    "	       || ' set ' || c.resource_name || ' back as it was before '"
    "	       || c.ext_id AS reason,"
    "	       jsonb_build_object('kind', 'config_change', 'id', x.ext_id,"
    "	           'at', x.detected_at) AS evidence"
    "	  FROM rec r"
    "	  JOIN midwatch.config_change_events c"
    "	    ON c.project_id = $1 AND c.ext_id = r.ref"
    "	  JOIN LATERAL ("
    "		SELECT n.* FROM midwatch.config_change_events n"
    "		 WHERE n.project_id = $1"
    "		   AND n.service_id IS NOT DISTINCT FROM c.service_id"
    "		   AND n.resource_name = c.resource_name"
    "		   AND (n.detected_at, n.id) > (c.detected_at, c.id)"
    "		   AND n.detected_at <= $3::timestamptz"
    "		   AND NOT EXISTS (SELECT 1"
    "		        FROM jsonb_array_elements(c.diff) e"
    "		       WHERE e ->> 'old_value' IS NOT DISTINCT FROM '[redacted]'"
    "		          OR NOT n.diff @> jsonb_build_array(jsonb_build_object("
    "		             'field', e -> 'field',"
    "		             'new_value', coalesce(e -> 'old_value', 'null'))))"
    "		 ORDER BY n.detected_at, n.id LIMIT 1) x ON true"
    "	 WHERE r.type = 'revert_config' AND jsonb_array_length(c.diff) > 0),"
    " hit AS (SELECT * FROM dep UNION ALL SELECT * FROM cfg),"
    " upd AS ("
    "	UPDATE midwatch.recommendations r SET status = 'done',"
    "	       status_source = 'pipeline', status_changed_at = now(),"
    "	       status_changed_by = 'midwatch',"
    "	       details = r.details || jsonb_build_object('already_done',"
    "	           jsonb_build_object('reason', h.reason, 'evidence', h.evidence,"
    "	               'run_id', $2::bigint))"
    "	  FROM hit h WHERE r.project_id = $1 AND r.id = h.id"
    "	RETURNING r.id, h.incident_id, h.reason, h.evidence),"
    " ev AS ("
    "	INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,"
    "	       event_type, target_kind, target_id, incident_id, payload,"
    "	       idempotency_key)"
    "	SELECT $1, 'system', 'midwatch', 'recommendation_done',"
    "	       'recommendation', u.id, u.incident_id,"
    "	       jsonb_build_object('reason', 'already done: ' || u.reason,"
    "	           'evidence', u.evidence, 'run_id', $2::bigint,"
    "	           'automatic', true),"
    "	       'system:recommendation_done:' || u.id || ':' || $2"
    "	  FROM upd u ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM ev)";

/* Runs one transition statement as a unit; adds its count to the summary
 * under key.  0, or -1 with *cause when the run must fail. */
static int
lifecycle_pass(struct pipeline_ctx *ctx, const char *key, const char *sql,
    const char *extra, char **cause)
{
	struct db_res *r;
	char *ucause = NULL;
	long long n = 0;
	int rc;

	rc = pipeline_unit_begin(ctx, "lifecycle", key, "all", &ucause);
	if (rc == 0) {
		if (extra != NULL)
			r = DBQ(ctx->db, &ucause, sql, ctx->project, ctx->run,
			    ctx->end_ts, extra);
		else
			r = DBQ(ctx->db, &ucause, sql, ctx->project, ctx->run,
			    ctx->end_ts);
		if (r == NULL)
			rc = -1;
		else {
			n = db_res_ll(r, 0, 0);
			db_res_free(r);
		}
	}
	if (pipeline_unit_end(ctx, rc, "lifecycle", key, "all", &ucause,
	    cause) != 0)
		return -1;
	pipeline_count(ctx, "lifecycle", key, n);
	return 0;
}

/* Runs the stage (see the top of the file). */
int
stage_lifecycle_run(struct pipeline_ctx *ctx, char **cause)
{
	char quiet[40];

	if (lifecycle_pass(ctx, "incidents_resolved", lifecycle_sql_incidents,
	    policy_param(quiet, sizeof quiet, POL_LIFECYCLE_QUIET), cause) != 0)
		return -1;
	return lifecycle_pass(ctx, "recommendations_done",
	    lifecycle_sql_recommendations, NULL, cause);
}
