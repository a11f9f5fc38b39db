/*
 * ingest_store.c - writing a batch: one set-based statement per kind, the
 * batch's rows passed as a single jsonb parameter and unpacked with
 * jsonb_to_recordset, never SQL text built from input.  Every statement is
 * an upsert on the table's natural key (or dedupe key), so writing the same
 * rows again changes nothing; each returns how many rows it inserted and
 * how many it changed.  Within a batch the last line with a given key wins
 * (DISTINCT ON ... ORDER BY _line DESC), because ON CONFLICT DO UPDATE may
 * not touch a row twice.
 *
 * Order: declared services, services referenced by name (created on the
 * fly), dependencies, metric points, deploys, commits and their files, the
 * deploy-commit links, then the other events and the dead letters.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/xmalloc.h"

/* Counts an upsert returns: inserted, updated. */
#define STORE_COUNTS \
	"SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM r"

/* ---- SQL, one statement per kind ------------------------------------------ */

/* An auto-created service is taken over by its declaration (same id), so
 * rows that referenced it before stay attached. */
static const char sql_service_promote[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (service) service, cluster, namespace, tier, extra"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(service text, cluster text,"
	"         namespace text, tier text, extra jsonb, _line bigint)"
	"   ORDER BY service, _line DESC),"
	" r AS ("
	"  UPDATE midwatch.services s"
	"     SET cluster = x.cluster, namespace = x.namespace,"
	"         tier = coalesce(x.tier, s.tier),"
	"         extra = (s.extra - 'auto_created') || coalesce(x.extra, '{}')"
	"    FROM x"
	"   WHERE s.project_id = $1 AND s.name = x.service"
	"     AND s.extra ? 'auto_created'"
	"     AND NOT EXISTS (SELECT 1 FROM midwatch.services t"
	"                      WHERE t.project_id = $1 AND t.name = x.service"
	"                        AND t.cluster = x.cluster"
	"                        AND t.namespace = x.namespace AND t.id <> s.id)"
	"  RETURNING false AS ins) "
	STORE_COUNTS;

static const char sql_service[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (cluster, namespace, service)"
	"         service, cluster, namespace, tier, coalesce(extra, '{}') AS extra"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(service text, cluster text,"
	"         namespace text, tier text, extra jsonb, _line bigint)"
	"   ORDER BY cluster, namespace, service, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.services AS s"
	"         (project_id, cluster, namespace, name, tier, extra)"
	"  SELECT $1, cluster, namespace, service, tier, extra FROM x"
	"  ON CONFLICT (project_id, cluster, namespace, name) DO UPDATE"
	"     SET tier = coalesce(EXCLUDED.tier, s.tier),"
	"         extra = s.extra || EXCLUDED.extra"
	"   WHERE s.tier IS DISTINCT FROM coalesce(EXCLUDED.tier, s.tier)"
	"      OR s.extra IS DISTINCT FROM s.extra || EXCLUDED.extra"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

static const char sql_service_auto[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (name) name, tier"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(name text, tier text)"
	"   ORDER BY name, tier NULLS LAST),"
	" r AS ("
	"  INSERT INTO midwatch.services (project_id, name, tier, extra)"
	"  SELECT $1, x.name, x.tier, '{\"auto_created\": true}'::jsonb FROM x"
	"   WHERE NOT EXISTS (SELECT 1 FROM midwatch.services s"
	"                      WHERE s.project_id = $1 AND s.name = x.name)"
	"  ON CONFLICT DO NOTHING"
	"  RETURNING 1) "
	"SELECT count(*) FROM r";

static const char sql_service_tier[] =
	"UPDATE midwatch.services s SET tier = x.tier"
	"  FROM jsonb_to_recordset($2::jsonb) AS x(name text, tier text)"
	" WHERE s.project_id = $1 AND s.name = x.name AND x.tier IS NOT NULL"
	"   AND s.tier IS NULL AND s.extra ? 'auto_created'";

/* A name shared by services in several clusters resolves to the oldest
 * row: ids only grow, so the choice never changes once made (re-ingesting a
 * file resolves every name as the first time did). */
static const char sql_service_ids[] =
	"SELECT DISTINCT ON (s.name) s.name, s.id FROM midwatch.services s"
	" WHERE s.project_id = $1 AND s.name IN"
	"       (SELECT x.name FROM jsonb_to_recordset($2::jsonb) AS x(name text))"
	" ORDER BY s.name, s.id";

static const char sql_dependency[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (from_service_id, to_name) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(from_service_id bigint,"
	"         to_name text, to_service_id bigint, dep_kind text, extra jsonb,"
	"         _line bigint)"
	"   ORDER BY from_service_id, to_name, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.service_dependencies AS d"
	"         (project_id, from_service_id, to_name, to_service_id, dep_kind, extra)"
	"  SELECT $1, from_service_id, to_name, to_service_id, dep_kind,"
	"         coalesce(extra, '{}') FROM x"
	"  ON CONFLICT (project_id, from_service_id, to_name) DO UPDATE"
	"     SET to_service_id = EXCLUDED.to_service_id,"
	"         dep_kind = EXCLUDED.dep_kind, extra = EXCLUDED.extra"
	"   WHERE (d.to_service_id, d.dep_kind, d.extra) IS DISTINCT FROM"
	"         (EXCLUDED.to_service_id, EXCLUDED.dep_kind, EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

static const char sql_deploy[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (ext_id) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(ext_id text, service_id bigint,"
	"         started_at timestamptz, finished_at timestamptz, deploy_type text,"
	"         image_ref text, revision text, previous_revision text,"
	"         is_rollback boolean, commits jsonb, extra jsonb, _line bigint)"
	"   ORDER BY ext_id, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.deployment_events AS d"
	"         (project_id, ext_id, service_id, started_at, finished_at,"
	"          deploy_type, image_ref, revision, previous_revision, is_rollback,"
	"          commits, extra)"
	"  SELECT $1, ext_id, service_id, started_at, finished_at, deploy_type,"
	"         image_ref, revision, previous_revision, coalesce(is_rollback, false),"
	"         ARRAY(SELECT jsonb_array_elements_text(coalesce(x.commits, '[]'))),"
	"         coalesce(extra, '{}')"
	"    FROM x"
	"  ON CONFLICT (project_id, ext_id) DO UPDATE"
	"     SET service_id = EXCLUDED.service_id, started_at = EXCLUDED.started_at,"
	"         finished_at = EXCLUDED.finished_at,"
	"         deploy_type = EXCLUDED.deploy_type, image_ref = EXCLUDED.image_ref,"
	"         revision = EXCLUDED.revision,"
	"         previous_revision = EXCLUDED.previous_revision,"
	"         is_rollback = EXCLUDED.is_rollback, commits = EXCLUDED.commits,"
	"         extra = EXCLUDED.extra"
	"   WHERE (d.service_id, d.started_at, d.finished_at, d.deploy_type,"
	"          d.image_ref, d.revision, d.previous_revision, d.is_rollback,"
	"          d.commits, d.extra) IS DISTINCT FROM"
	"         (EXCLUDED.service_id, EXCLUDED.started_at, EXCLUDED.finished_at,"
	"          EXCLUDED.deploy_type, EXCLUDED.image_ref, EXCLUDED.revision,"
	"          EXCLUDED.previous_revision, EXCLUDED.is_rollback,"
	"          EXCLUDED.commits, EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

/* Commits do not change; author is never overwritten, so a name erased by
 * midwatch.erase_actor() stays erased when the same data comes again. */
static const char sql_commit[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (repo, sha) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(repo text, sha text,"
	"         author text, message text, authored_at timestamptz, extra jsonb,"
	"         _line bigint)"
	"   ORDER BY repo, sha, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.commits AS c"
	"         (project_id, repo, sha, author, message, authored_at, extra)"
	"  SELECT $1, repo, sha, author, message, authored_at, coalesce(extra, '{}')"
	"    FROM x"
	"  ON CONFLICT (project_id, repo, sha) DO UPDATE"
	"     SET message = EXCLUDED.message, authored_at = EXCLUDED.authored_at,"
	"         extra = EXCLUDED.extra"
	"   WHERE (c.message, c.authored_at, c.extra) IS DISTINCT FROM"
	"         (EXCLUDED.message, EXCLUDED.authored_at, EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

static const char sql_commit_files[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (repo, sha) repo, sha, files"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(repo text, sha text,"
	"         files jsonb, _line bigint)"
	"   ORDER BY repo, sha, _line DESC),"
	" f AS ("
	"  SELECT c.id AS commit_id, ff.path, ff.change_type,"
	"         coalesce(ff.lines_added, 0) AS lines_added,"
	"         coalesce(ff.lines_removed, 0) AS lines_removed"
	"    FROM x"
	"    JOIN midwatch.commits c"
	"      ON c.project_id = $1 AND c.repo = x.repo AND c.sha = x.sha"
	"   CROSS JOIN LATERAL jsonb_to_recordset(coalesce(x.files, '[]'))"
	"         AS ff(path text, change_type text, lines_added integer,"
	"               lines_removed integer)),"
	" r AS ("
	"  INSERT INTO midwatch.commit_files AS cf"
	"         (project_id, commit_id, path, change_type, lines_added, lines_removed)"
	"  SELECT $1, commit_id, path, change_type, lines_added, lines_removed FROM f"
	"  ON CONFLICT (commit_id, path) DO UPDATE"
	"     SET change_type = EXCLUDED.change_type,"
	"         lines_added = EXCLUDED.lines_added,"
	"         lines_removed = EXCLUDED.lines_removed"
	"   WHERE (cf.change_type, cf.lines_added, cf.lines_removed) IS DISTINCT FROM"
	"         (EXCLUDED.change_type, EXCLUDED.lines_added, EXCLUDED.lines_removed)"
	"  RETURNING 1) "
	"SELECT count(*) FROM r";

/* Links deploys to the commits they shipped, from either side: the batch's
 * deploys ($2, ext ids) to known commits, and known deploys to the batch's
 * commits ($3, shas).  A deploy may name a commit by an abbreviated sha of
 * at least 7 digits. */
static const char sql_links[] =
	"WITH r AS ("
	"  INSERT INTO midwatch.deployment_commit_ranges"
	"         (project_id, deployment_id, commit_id)"
	"  SELECT DISTINCT d.project_id, d.id, c.id"
	"    FROM midwatch.deployment_events d"
	"   CROSS JOIN LATERAL unnest(d.commits) AS s(sha)"
	"    JOIN midwatch.commits c"
	"      ON c.project_id = d.project_id"
	"     AND (c.sha = s.sha OR (length(s.sha) >= 7 AND starts_with(c.sha, s.sha)))"
	"   WHERE d.project_id = $1"
	"     AND (d.ext_id IN (SELECT jsonb_array_elements_text($2::jsonb))"
	"          OR c.sha IN (SELECT jsonb_array_elements_text($3::jsonb)))"
	"  ON CONFLICT DO NOTHING"
	"  RETURNING 1) "
	"SELECT count(*) FROM r";

/* actor is not overwritten either (personal data, see sql_commit). */
static const char sql_config[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (ext_id) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(ext_id text, service_id bigint,"
	"         detected_at timestamptz, change_kind text, resource_name text,"
	"         source text, actor text, diff jsonb, extra jsonb, _line bigint)"
	"   ORDER BY ext_id, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.config_change_events AS e"
	"         (project_id, ext_id, service_id, detected_at, change_kind,"
	"          resource_name, source, actor, diff, extra)"
	"  SELECT $1, ext_id, service_id, detected_at, change_kind, resource_name,"
	"         source, actor, diff, coalesce(extra, '{}') FROM x"
	"  ON CONFLICT (project_id, ext_id) DO UPDATE"
	"     SET service_id = EXCLUDED.service_id,"
	"         detected_at = EXCLUDED.detected_at,"
	"         change_kind = EXCLUDED.change_kind,"
	"         resource_name = EXCLUDED.resource_name, source = EXCLUDED.source,"
	"         diff = EXCLUDED.diff, extra = EXCLUDED.extra"
	"   WHERE (e.service_id, e.detected_at, e.change_kind, e.resource_name,"
	"          e.source, e.diff, e.extra) IS DISTINCT FROM"
	"         (EXCLUDED.service_id, EXCLUDED.detected_at, EXCLUDED.change_kind,"
	"          EXCLUDED.resource_name, EXCLUDED.source, EXCLUDED.diff,"
	"          EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

static const char sql_error[] =
	"WITH r AS ("
	"  INSERT INTO midwatch.error_events"
	"         (project_id, service_id, ts, severity, error_type, message,"
	"          fingerprint, dedupe_key, extra)"
	"  SELECT $1, service_id, ts, severity, error_type, message, fingerprint,"
	"         dedupe_key, coalesce(extra, '{}')"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(service_id bigint,"
	"         ts timestamptz, severity text, error_type text, message text,"
	"         fingerprint text, dedupe_key text, extra jsonb)"
	"  ON CONFLICT (project_id, dedupe_key) DO NOTHING"
	"  RETURNING true AS ins) "
	STORE_COUNTS;

static const char sql_health[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (service_id, ts) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(service_id bigint,"
	"         ts timestamptz, status text, response_time_ms double precision,"
	"         error_rate double precision, extra jsonb, _line bigint)"
	"   ORDER BY service_id, ts, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.health_checks AS h"
	"         (project_id, service_id, ts, status, response_time_ms, error_rate,"
	"          extra)"
	"  SELECT $1, service_id, ts, status, response_time_ms, error_rate,"
	"         coalesce(extra, '{}') FROM x"
	"  ON CONFLICT (project_id, service_id, ts) DO UPDATE"
	"     SET status = EXCLUDED.status,"
	"         response_time_ms = EXCLUDED.response_time_ms,"
	"         error_rate = EXCLUDED.error_rate, extra = EXCLUDED.extra"
	"   WHERE (h.status, h.response_time_ms, h.error_rate, h.extra)"
	"         IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.response_time_ms,"
	"         EXCLUDED.error_rate, EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

static const char sql_funnel[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (funnel_type, ts) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(ts timestamptz, funnel_type text,"
	"         steps jsonb, revenue_per_conversion double precision, extra jsonb,"
	"         _line bigint)"
	"   ORDER BY funnel_type, ts, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.funnel_snapshots AS f"
	"         (project_id, ts, funnel_type, steps, revenue_per_conversion, extra)"
	"  SELECT $1, ts, funnel_type, steps, revenue_per_conversion,"
	"         coalesce(extra, '{}') FROM x"
	"  ON CONFLICT (project_id, funnel_type, ts) DO UPDATE"
	"     SET steps = EXCLUDED.steps,"
	"         revenue_per_conversion = EXCLUDED.revenue_per_conversion,"
	"         extra = EXCLUDED.extra"
	"   WHERE (f.steps, f.revenue_per_conversion, f.extra) IS DISTINCT FROM"
	"         (EXCLUDED.steps, EXCLUDED.revenue_per_conversion, EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

/* An alert without labels.service is attached to an existing service named
 * by its app or job label, when there is one. */
static const char sql_alert[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (fingerprint, ts, status) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(ts timestamptz, fingerprint text,"
	"         status text, labels jsonb, annotations jsonb, source text,"
	"         severity text, service_id bigint, extra jsonb, _line bigint)"
	"   ORDER BY fingerprint, ts, status, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.external_alerts AS a"
	"         (project_id, ts, fingerprint, status, labels, annotations, source,"
	"          severity, service_id, extra)"
	"  SELECT $1, x.ts, x.fingerprint, x.status, coalesce(x.labels, '{}'),"
	"         coalesce(x.annotations, '{}'), x.source, x.severity,"
	"         coalesce(x.service_id,"
	"                  (SELECT s.id FROM midwatch.services s"
	"                    WHERE s.project_id = $1"
	"                      AND s.name IN (x.labels->>'app', x.labels->>'job',"
	"                                     x.labels->>'service_name',"
	"                                     x.labels->>'app_kubernetes_io_name')"
	"                    ORDER BY s.id LIMIT 1)),"
	"         coalesce(x.extra, '{}')"
	"    FROM x"
	"  ON CONFLICT (project_id, fingerprint, ts, status) DO UPDATE"
	"     SET labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,"
	"         source = EXCLUDED.source, severity = EXCLUDED.severity,"
	"         service_id = EXCLUDED.service_id, extra = EXCLUDED.extra"
	"   WHERE (a.labels, a.annotations, a.source, a.severity, a.service_id,"
	"          a.extra)"
	"         IS DISTINCT FROM (EXCLUDED.labels, EXCLUDED.annotations,"
	"         EXCLUDED.source, EXCLUDED.severity, EXCLUDED.service_id,"
	"         EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

/* The external alerts of the batch mirrored into midwatch.alerts (one alert
 * per fingerprint, opened, resolved or reopened from the events: see
 * sql/012_alertmanager.sql); returns how many alerts changed. */
static const char sql_alert_sync[] =
	"SELECT midwatch.external_alerts_sync($1, ARRAY("
	"  SELECT DISTINCT x->>'fingerprint'"
	"    FROM jsonb_array_elements($2::jsonb) AS x))";

static const char sql_maintenance[] =
	"WITH x AS ("
	"  SELECT DISTINCT ON (service_id, starts_at, ends_at) *"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(service_id bigint,"
	"         starts_at timestamptz, ends_at timestamptz, reason text,"
	"         extra jsonb, _line bigint)"
	"   ORDER BY service_id, starts_at, ends_at, _line DESC),"
	" r AS ("
	"  INSERT INTO midwatch.maintenance_windows AS m"
	"         (project_id, service_id, starts_at, ends_at, reason, extra)"
	"  SELECT $1, service_id, starts_at, ends_at, reason, coalesce(extra, '{}')"
	"    FROM x"
	"  ON CONFLICT (project_id, service_id, starts_at, ends_at) DO UPDATE"
	"     SET reason = EXCLUDED.reason, extra = EXCLUDED.extra"
	"   WHERE (m.reason, m.extra) IS DISTINCT FROM (EXCLUDED.reason, EXCLUDED.extra)"
	"  RETURNING (xmax = 0) AS ins) "
	STORE_COUNTS;

static const char sql_dead[] =
	"WITH r AS ("
	"  INSERT INTO midwatch.ingest_errors (project_id, source_id, source, line_no,"
	"         payload, error)"
	"  SELECT $1, source_id, source, line_no, payload, error"
	"    FROM jsonb_to_recordset($2::jsonb) AS x(source_id bigint, source text,"
	"         line_no integer, payload text, error text)"
	"  ON CONFLICT DO NOTHING"
	"  RETURNING 1) "
	"SELECT count(*) FROM r";

/* ---- helpers -------------------------------------------------------------- */

/* Runs sql with $1 = project and $2 = rows as JSON; the first row's one or
 * two numbers go to *a and *b (either may be NULL). */
static int
store_run(struct ingest *in, const char *sql, json_t *rows, long long *a,
    long long *b, char **cause)
{
	struct db_res *r;
	char *js = json_dumps(rows, JSON_COMPACT);

	if (js == NULL) {
		*cause = xstrdup("cannot serialise a batch");
		return -1;
	}
	r = DBQ(in->db, cause, sql, in->project, js);
	free(js);
	if (r == NULL)
		return -1;
	if (a != NULL)
		*a += db_res_ll(r, 0, 0);
	if (b != NULL && db_res_cols(r) > 1)
		*b += db_res_ll(r, 0, 1);
	db_res_free(r);
	return 0;
}

/* Upserts rows of kind k with sql, counting into delta. */
static int
store_kind(struct ingest *in, struct ingest_batch *b, enum ingest_kind k,
    const char *sql, struct ingest_stats *delta, char **cause)
{
	if (json_array_size(b->rows[k]) == 0)
		return 0;
	return store_run(in, sql, b->rows[k], &delta->kind[k].inserted,
	    &delta->kind[k].updated, cause);
}

/* Declared services: take over auto-created ones, upsert the rest; their
 * names are resolved again afterwards. */
static int
store_services(struct ingest *in, struct ingest_batch *b,
    struct ingest_stats *delta, char **cause)
{
	struct ingest_svc *e;
	json_t *row;
	size_t i;

	if (json_array_size(b->rows[INGEST_KIND_SERVICE]) == 0)
		return 0;
	if (store_kind(in, b, INGEST_KIND_SERVICE, sql_service_promote, delta,
	    cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_SERVICE, sql_service, delta, cause) != 0)
		return -1;
	json_array_foreach(b->rows[INGEST_KIND_SERVICE], i, row) {
		e = ingest_svc_intern(in,
		    json_string_value(json_object_get(row, "service")));
		e->id = 0;
	}
	return 0;
}

/* Creates the services referenced but unknown and resolves every
 * unresolved name of the cache to an id. */
static int
store_resolve(struct ingest *in, struct ingest_stats *delta, char **cause)
{
	struct ingest_svc *e;
	struct db_res *r = NULL;
	json_t *names = json_array();
	char *js = NULL;
	size_t i;
	int row, rc = -1, tiers = 0;

	for (i = 0; i < in->svc_size; i++) {
		for (e = in->svc_tab[i]; e != NULL; e = e->next) {
			if (e->id != 0)
				continue;
			json_array_append_new(names, json_pack("{s:s, s:s?}", "name",
			    e->name, "tier", e->tier));
			tiers |= e->tier != NULL;
		}
	}
	if (json_array_size(names) == 0) {
		rc = 0;
		goto out;
	}
	if (store_run(in, sql_service_auto, names, &delta->services_auto, NULL,
	    cause) != 0)
		goto out;
	if (tiers && store_run(in, sql_service_tier, names, NULL, NULL, cause) != 0)
		goto out;
	js = json_dumps(names, JSON_COMPACT);
	r = DBQ(in->db, cause, sql_service_ids, in->project, js);
	if (r == NULL)
		goto out;
	for (row = 0; row < db_res_rows(r); row++) {
		e = ingest_svc_find(in, db_res_get(r, row, 0));
		if (e != NULL) {
			e->id = db_res_ll(r, row, 1);
			e->gen = in->gen;
		}
	}
	for (i = 0; i < json_array_size(names); i++) {
		e = ingest_svc_find(in, json_string_value(json_object_get(
		    json_array_get(names, i), "name")));
		if (e == NULL || e->id == 0) {
			*cause = xasprintf("service %s could not be created",
			    e != NULL ? e->name : "?");
			goto out;
		}
	}
	rc = 0;
out:
	db_res_free(r);
	free(js);
	json_decref(names);
	return rc;
}

/* Sets row[id_key] to the id of the service named by row[name_key]. */
static void
store_set_id(struct ingest *in, json_t *row, const char *name_key,
    const char *id_key)
{
	const char *name = json_string_value(json_object_get(row, name_key));
	struct ingest_svc *e = name != NULL ? ingest_svc_find(in, name) : NULL;

	json_object_set_new(row, id_key, e != NULL && e->id != 0 ?
	    json_integer((json_int_t)e->id) : json_null());
}

/* Fills the service ids into every row of the batch. */
static void
store_fill_ids(struct ingest *in, struct ingest_batch *b)
{
	json_t *row;
	size_t i;
	int k;

	for (k = 0; k < INGEST_KIND_COUNT; k++) {
		if (k == INGEST_KIND_SERVICE || k == INGEST_KIND_METRIC)
			continue;
		json_array_foreach(b->rows[k], i, row) {
			if (k == INGEST_KIND_DEPENDENCY) {
				store_set_id(in, row, "from_name", "from_service_id");
				store_set_id(in, row, "to_name", "to_service_id");
			} else
				store_set_id(in, row, "service", "service_id");
		}
	}
}

/* Links deploys and commits of this batch (see sql_links). */
static int
store_links(struct ingest *in, struct ingest_batch *b,
    struct ingest_stats *delta, char **cause)
{
	json_t *ids = json_array(), *shas = json_array(), *row;
	char *jids = NULL, *jshas = NULL;
	struct db_res *r;
	size_t i;
	int rc = -1;

	json_array_foreach(b->rows[INGEST_KIND_DEPLOY], i, row)
		if (json_array_size(json_object_get(row, "commits")) > 0)
			json_array_append(ids, json_object_get(row, "ext_id"));
	json_array_foreach(b->rows[INGEST_KIND_COMMIT], i, row)
		json_array_append(shas, json_object_get(row, "sha"));
	if (json_array_size(ids) == 0 && json_array_size(shas) == 0) {
		rc = 0;
		goto out;
	}
	jids = json_dumps(ids, JSON_COMPACT);
	jshas = json_dumps(shas, JSON_COMPACT);
	r = DBQ(in->db, cause, sql_links, in->project, jids, jshas);
	if (r == NULL)
		goto out;
	delta->links_new += db_res_ll(r, 0, 0);
	db_res_free(r);
	rc = 0;
out:
	free(jids);
	free(jshas);
	json_decref(ids);
	json_decref(shas);
	return rc;
}

/* Writes batch b (see ingest_int.h). */
int
ingest_store_batch(struct ingest *in, struct ingest_batch *b,
    struct ingest_stats *delta, char **cause)
{
	long long points = 0;
	size_t rows = 0;
	int k;

	for (k = 0; k < INGEST_KIND_COUNT; k++)
		rows += json_array_size(b->rows[k]);
	if (rows == 0 && b->npoints == 0)
		goto dead;
	if (store_services(in, b, delta, cause) != 0 ||
	    store_resolve(in, delta, cause) != 0)
		return -1;
	store_fill_ids(in, b);
	if (store_kind(in, b, INGEST_KIND_DEPENDENCY, sql_dependency, delta,
	    cause) != 0)
		return -1;
	if (b->npoints > 0) {
		if (ingest_copy_points(in, b, &points, cause) != 0)
			return -1;
		delta->kind[INGEST_KIND_METRIC].inserted += points;
	}
	if (store_kind(in, b, INGEST_KIND_DEPLOY, sql_deploy, delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_COMMIT, sql_commit, delta, cause) != 0)
		return -1;
	if (json_array_size(b->rows[INGEST_KIND_COMMIT]) > 0 &&
	    store_run(in, sql_commit_files, b->rows[INGEST_KIND_COMMIT],
	    &delta->files_new, NULL, cause) != 0)
		return -1;
	if (store_links(in, b, delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_CONFIG_CHANGE, sql_config, delta,
	    cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_ERROR, sql_error, delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_HEALTH, sql_health, delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_FUNNEL, sql_funnel, delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_ALERT, sql_alert, delta, cause) != 0 ||
	    (json_array_size(b->rows[INGEST_KIND_ALERT]) > 0 &&
	    store_run(in, sql_alert_sync, b->rows[INGEST_KIND_ALERT],
	    &delta->alerts_changed, NULL, cause) != 0) ||
	    store_kind(in, b, INGEST_KIND_MAINTENANCE, sql_maintenance, delta,
	    cause) != 0)
		return -1;
dead:
	if (json_array_size(b->dead) > 0 &&
	    store_run(in, sql_dead, b->dead, &delta->dead_new, NULL, cause) != 0)
		return -1;
	return 0;
}
