/*
 * stage_recommend.c - pipeline stage "recommend": turns the hypotheses of
 * the incidents this run touched into recommendations, from templates keyed
 * by hypothesis type (release -> roll back the deploy, config -> revert the
 * change, ...), and applies the evidence gate.
 *
 * A recommendation is identified by (incident, template, hypothesis
 * dedupe_key), so re-running keeps its id, its human status (acknowledged,
 * done, dismissed) and its shown counters; only the text and the gate are
 * refreshed.  The gate itself is midwatch.apply_recommendation_gate()
 * (005_feedback.sql), shared with feedback so that rejecting a hypothesis
 * hides its recommendations at once: a recommendation is publishable when
 * its hypothesis cites at least one supporting evidence artifact, is not
 * rejected, and unless confirmed has confidence >= 0.20 and rank <= 3.
 * Otherwise it is kept for audit with publishable = false and a gate_reason.
 *
 * Touched incidents: approved, open or triaged, and written by this run
 * (the incident or one of its hypotheses carries the run_id) or overlapping
 * the run's window.  Three statements: upsert, gate, count.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "pipeline_int.h"

/*
 * The incidents of this run ($1 project, $2 run, $3 start, $4 end).  Kept as
 * a CTE so both statements select exactly the same set.
 */
#define RECOMMEND_TOUCHED \
    "touched AS (" \
    "	SELECT i.id, i.project_id, i.service_id" \
    "	  FROM midwatch.incidents i" \
    "	 WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')" \
    "	   AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint," \
    "	       $3::timestamptz, $4::timestamptz)))"

/*
 * The templates: per hypothesis type, one or more actions.  title_ref is
 * used when the hypothesis names what it blames (%1$s: its ref, %2$s: the
 * suspected service, %3$s: the incident's service), title_noref otherwise
 * (%1$s: the suspected service, %2$s: the incident's service).  A database
 * or dependency is named with the service that calls it.
 */
#define RECOMMEND_TEMPLATES \
    "tpl (hypothesis_type, template_key, type, title_ref, title_noref," \
    "     impact) AS (VALUES" \
    "	('release', 'rollback_deploy', 'rollback'," \
    "	 'Roll back deploy %1$s of %2$s'," \
    "	 'Roll back the latest deploy of %1$s'," \
    "	 'Restores the previous release; symptoms the deploy introduced" \
    " should clear within minutes.')," \
    "	('config', 'revert_config', 'revert_config'," \
    "	 'Revert config change %1$s on %2$s'," \
    "	 'Revert the latest config change on %1$s'," \
    "	 'Restores the previous configuration without a deploy.')," \
    "	('traffic', 'scale_out', 'scale_out'," \
    "	 'Scale out %2$s to absorb the traffic (%1$s)'," \
    "	 'Scale out %1$s to absorb the traffic'," \
    "	 'More capacity brings latency and errors back under load.')," \
    "	('traffic', 'rate_limit', 'rate_limit'," \
    "	 'Rate-limit the traffic from %1$s into %2$s'," \
    "	 'Rate-limit the traffic surge into %1$s'," \
    "	 'Sheds excess load to protect the service for everyone else.')," \
    "	('db', 'db_failover', 'failover'," \
    "	 'Fail over database %1$s used by %3$s'," \
    "	 'Fail over the database of %2$s'," \
    "	 'A healthy replica takes over if the primary is degraded.')," \
    "	('db', 'investigate_db', 'investigate'," \
    "	 'Investigate database %1$s: slow queries, locks, connections'," \
    "	 'Investigate the database of %2$s: slow queries, locks," \
    " connections'," \
    "	 'Finds the query or lock behind the slowdown.')," \
    "	('dependency', 'dependency_failover', 'failover'," \
    "	 'Fail over %1$s to a secondary provider for %3$s'," \
    "	 'Fail over the failing dependency of %2$s to a secondary provider'," \
    "	 'Routes around the failing dependency.')," \
    "	('dependency', 'investigate_dependency', 'investigate'," \
    "	 'Investigate dependency %1$s of %3$s'," \
    "	 'Investigate the dependencies of %2$s'," \
    "	 'Confirms whether the dependency is the cause before failing" \
    " over.')," \
    "	('infra', 'restart_instances', 'restart'," \
    "	 'Restart the unhealthy instances of %2$s (%1$s)'," \
    "	 'Restart the unhealthy instances of %1$s'," \
    "	 'Replaces stuck or leaking instances.')," \
    "	('infra', 'infra_scale_out', 'scale_out'," \
    "	 'Scale out %2$s away from %1$s'," \
    "	 'Scale out %1$s onto healthy capacity'," \
    "	 'Moves load off saturated nodes.')," \
    "	('unknown', 'investigate', 'investigate'," \
    "	 'Investigate %2$s: %1$s'," \
    "	 'Investigate %1$s: no single cause stands out yet'," \
    "	 'Narrows the search; nothing points to one cause yet.'))"

/* What a refresh keeps of a recommendation's details: the lifecycle stage's
 * evidence that its action already happened (stage_lifecycle.c). */
#define RECOMMEND_KEPT \
    "jsonb_strip_nulls(jsonb_build_object('already_done'," \
    " r.details -> 'already_done'))"

/* Upserts one recommendation per (hypothesis, template); counts rows
 * written (new or changed). */
static const char recommend_sql_upsert[] =
    "WITH " RECOMMEND_TOUCHED ", " RECOMMEND_TEMPLATES ","
    " src AS ("
    "	SELECT h.incident_id, h.id AS hypothesis_id, h.dedupe_key AS hkey,"
    "	       h.rank, h.confidence, h.ref, h.hypothesis_type,"
    "	       coalesce(hs.name, isv.name, 'the affected service') AS svc,"
    "	       coalesce(isv.name, hs.name, 'the affected service') AS isvc,"
    "	       t.template_key, t.type, t.title_ref, t.title_noref, t.impact"
    "	  FROM touched i"
    "	  JOIN midwatch.hypotheses h"
    "	    ON h.project_id = i.project_id AND h.incident_id = i.id"
    "	  JOIN tpl t ON t.hypothesis_type = h.hypothesis_type"
    "	  LEFT JOIN midwatch.services hs"
    "	    ON hs.project_id = h.project_id AND hs.id = h.service_id"
    "	  LEFT JOIN midwatch.services isv"
    "	    ON isv.project_id = i.project_id AND isv.id = i.service_id),"
    " up AS ("
    "	INSERT INTO midwatch.recommendations AS r (project_id, run_id,"
    "	       incident_id, hypothesis_id, dedupe_key, template_key, type,"
    "	       title, details, expected_impact)"
    "	SELECT $1, $2::bigint, s.incident_id, s.hypothesis_id,"
    "	       s.incident_id || ':' || s.template_key || ':' || s.hkey,"
    "	       s.template_key, s.type,"
    "	       CASE WHEN s.ref IS NOT NULL AND s.ref <> ''"
    "	            THEN format(s.title_ref, s.ref, s.svc, s.isvc)"
    "	            ELSE format(s.title_noref, s.svc, s.isvc) END,"
    "	       jsonb_build_object('hypothesis_type', s.hypothesis_type,"
    "	           'hypothesis_rank', s.rank, 'ref', s.ref, 'service', s.svc,"
    "	           'incident_service', s.isvc,"
    "	           'template', s.template_key),"
    "	       s.impact"
    "	  FROM src s"
    "	ON CONFLICT (project_id, dedupe_key) DO UPDATE"
    "	   SET run_id = EXCLUDED.run_id,"
    "	       hypothesis_id = EXCLUDED.hypothesis_id,"
    "	       template_key = EXCLUDED.template_key,"
    "	       type = EXCLUDED.type,"
    "	       title = EXCLUDED.title,"
    "	       details = EXCLUDED.details || " RECOMMEND_KEPT ","
    "	       expected_impact = EXCLUDED.expected_impact"
    "	 WHERE (r.hypothesis_id, r.type, r.title, r.details, r.expected_impact)"
    "	       IS DISTINCT FROM"
    "	       (EXCLUDED.hypothesis_id, EXCLUDED.type, EXCLUDED.title,"
    "	        EXCLUDED.details || " RECOMMEND_KEPT ", EXCLUDED.expected_impact)"
    "	RETURNING 1)"
    " SELECT count(*) FROM up";

/* Re-gates every recommendation of the touched incidents (also those whose
 * hypothesis went away); returns the rows changed. */
static const char recommend_sql_gate[] =
    "WITH " RECOMMEND_TOUCHED ","
    " ids AS (SELECT r.id FROM midwatch.recommendations r"
    "          JOIN touched i ON r.project_id = i.project_id"
    "           AND r.incident_id = i.id)"
    " SELECT midwatch.apply_recommendation_gate($1,"
    "            ARRAY(SELECT id FROM ids))";

/* Counts the touched incidents' recommendations and the publishable ones
 * (a statement of its own: it must see the gate's update). */
static const char recommend_sql_count[] =
    "WITH " RECOMMEND_TOUCHED
    " SELECT count(*) FILTER (WHERE r.publishable), count(*)"
    "   FROM midwatch.recommendations r"
    "   JOIN touched i ON r.project_id = i.project_id AND r.incident_id = i.id";

/* Writes, gates and counts the recommendations of the run's incidents. */
static int
recommend_all(struct pipeline_ctx *ctx, char **cause)
{
	struct db_res *r;
	long long written, gated, publishable, total;

	r = DBQ(ctx->db, cause, recommend_sql_upsert, ctx->project, ctx->run,
	    ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	written = db_res_ll(r, 0, 0);
	db_res_free(r);
	/* A separate statement: the gate must see the rows just written. */
	r = DBQ(ctx->db, cause, recommend_sql_gate, ctx->project, ctx->run,
	    ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	gated = db_res_ll(r, 0, 0);
	db_res_free(r);
	r = DBQ(ctx->db, cause, recommend_sql_count, ctx->project, ctx->run,
	    ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	publishable = db_res_ll(r, 0, 0);
	total = db_res_ll(r, 0, 1);
	db_res_free(r);
	log_debug("recommend: %lld written, %lld re-gated, %lld of %lld "
	    "publishable", written, gated, publishable, total);
	if (ctx->summary != NULL)
		json_object_set_new(ctx->summary, "recommend",
		    json_pack("{sIsIsIsI}", "written", (json_int_t)written,
		    "regated", (json_int_t)gated, "publishable",
		    (json_int_t)publishable, "total", (json_int_t)total));
	return 0;
}

/* Runs the stage (see pipeline.h): its set-based statements are one unit. */
int
stage_recommend_run(struct pipeline_ctx *ctx, char **cause)
{
	char *ucause = NULL;
	int rc;

	rc = pipeline_unit_begin(ctx, "recommend", "incidents", "all", &ucause);
	if (rc == 0)
		rc = recommend_all(ctx, &ucause);
	return pipeline_unit_end(ctx, rc, "recommend", "incidents", "all",
	    &ucause, cause);
}
