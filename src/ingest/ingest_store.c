/*
 * ingest_store.c - writing a batch: one set-based statement per kind, the
 * batch's rows passed as a single jsonb parameter and unpacked with
 * jsonb_to_recordset, never SQL text built from input; the statements are
 * sql/queries/ingest/<name>.sql, run by name.  Every statement is
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

/* ---- helpers -------------------------------------------------------------- */

/* Runs the statement called name with $1 = project and $2 = rows as JSON;
 * its first row's column col (NULL: none) is added to *a, and its column
 * updated to *b when b is not NULL. */
static int
store_run(struct ingest *in, const char *name, json_t *rows, const char *col,
    long long *a, long long *b, char **cause)
{
	struct db_res *r;
	char *js = json_dumps(rows, JSON_COMPACT);

	if (js == NULL) {
		*cause = xstrdup("cannot serialise a batch");
		return -1;
	}
	r = DBQN(in->db, cause, name, in->project, js);
	free(js);
	if (r == NULL)
		return -1;
	if (col != NULL)
		*a += db_val_ll(r, 0, col);
	if (b != NULL)
		*b += db_val_ll(r, 0, "updated");
	db_res_free(r);
	return 0;
}

/* Upserts rows of kind k with the statement called name (columns inserted
 * and updated), counting into delta. */
static int
store_kind(struct ingest *in, struct ingest_batch *b, enum ingest_kind k,
    const char *name, struct ingest_stats *delta, char **cause)
{
	if (json_array_size(b->rows[k]) == 0)
		return 0;
	return store_run(in, name, b->rows[k], "inserted",
	    &delta->kind[k].inserted, &delta->kind[k].updated, cause);
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
	if (store_kind(in, b, INGEST_KIND_SERVICE, "ingest/service_promote", delta,
	    cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_SERVICE, "ingest/service_upsert", delta, cause) != 0)
		return -1;
	json_array_foreach(b->rows[INGEST_KIND_SERVICE], i, row) {
		e = ingest_svc_intern(in,
		    json_string_value(json_object_get(row, "service")));
		e->id = 0;
	}
	return 0;
}

/* Compares two service entries by name (qsort). */
static int
store_svc_cmp(const void *a, const void *b)
{
	return strcmp((*(struct ingest_svc *const *)a)->name,
	    (*(struct ingest_svc *const *)b)->name);
}

/* Compares a name with a service entry (bsearch). */
static int
store_svc_name_cmp(const void *name, const void *e)
{
	return strcmp(name, (*(struct ingest_svc *const *)e)->name);
}

/* Creates the services referenced but unknown and resolves the names the
 * flush listed (in->unres, the cache's unresolved names in its order; the
 * cache itself is not read: the driver may be adding names meanwhile). */
static int
store_resolve(struct ingest *in, struct ingest_stats *delta, char **cause)
{
	struct ingest_svc *e, **byname = NULL, **hit;
	struct db_res *r = NULL;
	json_t *names = json_array();
	char *js = NULL;
	size_t i;
	int row, cname, cid, rc = -1, tiers = 0;

	for (i = 0; i < in->nunres; i++) {
		e = in->unres[i];
		json_array_append_new(names, json_pack("{s:s, s:s?}", "name",
		    e->name, "tier", e->tier));
		tiers |= e->tier != NULL;
	}
	if (json_array_size(names) == 0) {
		rc = 0;
		goto out;
	}
	if (store_run(in, "ingest/service_auto", names, "inserted",
	    &delta->services_auto, NULL, cause) != 0)
		goto out;
	if (tiers && store_run(in, "ingest/service_tier", names, NULL, NULL, NULL,
	    cause) != 0)
		goto out;
	js = json_dumps(names, JSON_COMPACT);
	r = DBQN(in->db, cause, "ingest/service_ids", in->project, js);
	if (r == NULL)
		goto out;
	byname = xreallocarray(NULL, in->nunres, sizeof *byname);
	memcpy(byname, in->unres, in->nunres * sizeof *byname);
	qsort(byname, in->nunres, sizeof *byname, store_svc_cmp);
	cname = db_col(r, "name");
	cid = db_col(r, "id");
	for (row = 0; row < db_res_rows(r); row++) {
		hit = bsearch(db_res_get(r, row, cname), byname, in->nunres,
		    sizeof *byname, store_svc_name_cmp);
		if (hit != NULL) {
			(*hit)->id = db_res_ll(r, row, cid);
			(*hit)->gen = in->gen;
		}
	}
	for (i = 0; i < in->nunres; i++) {
		e = in->unres[i];
		if (e->id == 0) {
			*cause = xasprintf("service %s could not be created",
			    e->name);
			goto out;
		}
	}
	rc = 0;
out:
	free(byname);
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

/* Links deploys and commits of this batch (see "ingest/links"). */
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
	r = DBQN(in->db, cause, "ingest/links", in->project, jids, jshas);
	if (r == NULL)
		goto out;
	delta->links_new += db_val_ll(r, 0, "inserted");
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
	if (store_kind(in, b, INGEST_KIND_DEPENDENCY, "ingest/dependency", delta,
	    cause) != 0)
		return -1;
	if (b->npoints > 0) {
		if (ingest_copy_points(in, b, &points, cause) != 0)
			return -1;
		delta->kind[INGEST_KIND_METRIC].inserted += points;
	}
	if (store_kind(in, b, INGEST_KIND_DEPLOY, "ingest/deploy", delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_COMMIT, "ingest/commit", delta, cause) != 0)
		return -1;
	if (json_array_size(b->rows[INGEST_KIND_COMMIT]) > 0 &&
	    store_run(in, "ingest/commit_files", b->rows[INGEST_KIND_COMMIT],
	    "inserted", &delta->files_new, NULL, cause) != 0)
		return -1;
	if (store_links(in, b, delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_CONFIG_CHANGE, "ingest/config_change", delta,
	    cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_ERROR, "ingest/error", delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_HEALTH, "ingest/health", delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_FUNNEL, "ingest/funnel", delta, cause) != 0 ||
	    store_kind(in, b, INGEST_KIND_ALERT, "ingest/alert", delta, cause) != 0 ||
	    (json_array_size(b->rows[INGEST_KIND_ALERT]) > 0 &&
	    store_run(in, "ingest/alert_sync", b->rows[INGEST_KIND_ALERT],
	    "changed", &delta->alerts_changed, NULL, cause) != 0) ||
	    store_kind(in, b, INGEST_KIND_MAINTENANCE, "ingest/maintenance", delta,
	    cause) != 0)
		return -1;
dead:
	if (json_array_size(b->dead) > 0 &&
	    store_run(in, "ingest/dead_letters", b->dead, "inserted",
	    &delta->dead_new, NULL, cause) != 0)
		return -1;
	return 0;
}
