/*
 * model.c - the read model: loads incidents with their hypotheses, cited
 * evidence, recommendations and alerts in a handful of aggregate queries (one
 * per kind of row, never one per incident), sent in two round trips (db.h's
 * batches): the incidents with the status bar's counts, then everything
 * that hangs off them.  The steps live in model_incidents.c and
 * model_incident_alerts.c, the per-incident detail (timeline and anomalous
 * series, on demand) in model_detail.c.  The console and the headless
 * commands both read through here, so they cannot disagree.
 *
 * The statements live in sql/queries/model/ and results are read by
 * column name.  Every query filters on project_id first and is bounded
 * (MODEL_MAX_* in model.h); rows arrive ordered so that children of one
 * parent are consecutive and can be attached in one pass.
 *
 * Nothing half-written is shown: the lists (model_load) hold only published
 * rows, those of completed runs (sql/015_run_output.sql), so an incident a
 * running or dead run created is not there, nor a hypothesis, cited
 * evidence, recommendation or alert it added to an older incident; nor are
 * they in a detail view or `investigate`'s answer (model_load_shown).  Only
 * the report stage, inside its own run, loads given ids as they are
 * (model_load_ids).
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/pgarray.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* Which incidents model_load_filtered selects. */
enum model_filter {
	MODEL_OPEN,	/* approved and open|triaged */
	MODEL_ALL,	/* every incident */
	MODEL_IDS,	/* exactly the given ids, published or not */
	MODEL_SHOWN	/* the given ids that are published */
};

/* How many rows a snapshot holds: the first incidents, the newest alerts
 * not theirs. */
struct model_bounds {
	int incidents;
	int alerts;
};

/* A snapshot's usual bounds (model.h). */
static const struct model_bounds model_full = {
	MODEL_MAX_INCIDENTS, MODEL_MAX_ALERTS
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

/* A malloc'd copy of a column value, or NULL for SQL NULL (model_int.h). */
char *
model_col_dup(const struct db_res *r, int row, int col)
{
	const char *v = db_res_get(r, row, col);

	return v != NULL ? xstrdup(v) : NULL;
}

/* A boolean column ("t"/"f"); NULL is false (model_int.h). */
int
model_col_bool(const struct db_res *r, int row, int col)
{
	const char *v = db_res_get(r, row, col);

	return v != NULL && v[0] == 't';
}

/* Orders model_idx by id for bsearch (model_int.h). */
int
model_idx_cmp(const void *a, const void *b)
{
	const struct model_idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The index of incident id in the snapshot, or -1 (model_int.h). */
long
model_idx_find(const struct model_idx *map, size_t n, long long id)
{
	struct model_idx key = { id, 0 }, *hit;

	if (n == 0)
		return -1;
	hit = bsearch(&key, map, n, sizeof *map, model_idx_cmp);
	return hit != NULL ? (long)hit->idx : -1;
}

/* Formats ids as a PostgreSQL array literal "{1,2,3}" (caller frees). */
static char *
model_id_array(const long long *ids, size_t n)
{
	return pgarray_ids(ids, n);
}

/* ------------------------------------------------------------------------ */
/* Freeing                                                                   */
/* ------------------------------------------------------------------------ */

/* Frees the strings of one alert (not the struct itself; model_int.h). */
void
model_alert_clear(struct mw_alert *a)
{
	free(a->title);
	free(a->message);
	free(a->severity);
	free(a->status);
	free(a->acked_by);
	free(a->service);
	free(a->rule);
	free(a->source);
	free(a->labels);
	free(a->annotations);
	free(a->am_silence);
	free(a->am_silence_state);
	free(a->group_reason);
}

/* Frees everything an incident owns (not the struct itself). */
static void
model_incident_clear(struct mw_incident *inc)
{
	size_t i, j;

	free(inc->service);
	free(inc->status);
	free(inc->resolution);
	free(inc->resolved_by);
	free(inc->severity);
	free(inc->trigger_type);
	free(inc->title);
	free(inc->decision);
	free(inc->rationale);
	free(inc->policy_version);
	free(inc->impact_unit);
	for (i = 0; i < inc->n_hypotheses; i++) {
		struct mw_hypothesis *h = &inc->hypotheses[i];

		free(h->type);
		free(h->service);
		free(h->title);
		free(h->ref);
		free(h->status);
		free(h->why);
		free(h->status_by);
		if (h->score_details != NULL)
			json_decref(h->score_details);
		for (j = 0; j < h->n_evidence; j++) {
			free(h->evidence[j].kind);
			free(h->evidence[j].role);
			free(h->evidence[j].summary);
			free(h->evidence[j].source);
			free(h->evidence[j].ref);
		}
		free(h->evidence);
	}
	free(inc->hypotheses);
	for (i = 0; i < inc->n_recommendations; i++) {
		struct mw_recommendation *r = &inc->recommendations[i];

		free(r->type);
		free(r->title);
		free(r->status);
		free(r->gate_reason);
		free(r->acked_by);
		free(r->gate_status);
		free(r->already_done);
		free(r->expected_impact);
		free(r->rationale);
		free(r->template_key);
		model_actions_free(r->actions, r->n_actions);
	}
	free(inc->recommendations);
	/* the alerts' strings are the snapshot list's (model.h) */
	free(inc->alerts);
	model_detail_clear(inc);
}

/* Frees a snapshot and everything in it; NULL is fine. */
void
model_free(struct mw_snapshot *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_incidents; i++)
		model_incident_clear(&s->incidents[i]);
	free(s->incidents);
	for (i = 0; i < s->n_alerts; i++)
		model_alert_clear(&s->alerts[i]);
	free(s->alerts);
	free(s->last_run_status);
	free(s->health_line);
	free(s);
}
/* ------------------------------------------------------------------------ */
/* The snapshot                                                              */
/* ------------------------------------------------------------------------ */

/* Fills the run, the clock and the counts from the row of
 * model/snapshot_run. */
static void
model_run_fill(const struct db_res *r, struct mw_snapshot *s)
{
	s->taken_at = db_val_f(r, 0, "now");
	s->last_run_id = db_val_ll(r, 0, "run_id");
	s->last_run_status = model_col_dup(r, 0, db_col(r, "run_status"));
	s->last_run_finished = db_val_f(r, 0, "run_finished");
	s->n_open_total = db_val_null(r, 0, "open_total") ? -1 :
	    db_val_ll(r, 0, "open_total");
	s->n_active_total = db_val_null(r, 0, "active_total") ? -1 :
	    db_val_ll(r, 0, "active_total");
}

/* The pipeline's health; 0 or -1. */
static int
model_load_health(struct db *db, long long project_id, struct mw_snapshot *s,
    char **cause)
{
	struct mw_health h;

	/* Staleness is `midwatch status`'s business (--max-age); here the
	 * runs themselves say whether the pipeline is healthy. */
	if (model_health_load(db, project_id, 0, &h, cause) != 0)
		return -1;
	s->health = h.state;
	s->health_line = h.line;
	h.line = NULL;
	model_health_free(&h);
	return 0;
}

/* Round trip 1: the incidents selected by f (want: ids for MODEL_IDS),
 * the last run, the clock and (lists only) the counts; 0 or -1. */
static int
model_load_head(struct db *db, const char *project, enum model_filter f,
    const char *want, int most, struct mw_snapshot *s, char **cause)
{
	static const char *modes[] = { "open", "all", "ids", "shown" };
	struct db_batch *b = db_batch_new(db);
	struct db_res *inc, *run;
	int qi, qr, rc = -1;

	/* The snapshot's queries run without JIT compilation, and the
	 * session's setting is put back after them (model/jit_off). */
	(void)db_batch_add_named(b, "model/jit_off", 0, NULL);
	qi = model_incidents_queue(b, project, modes[f], want, most);
	qr = DBBN(b, "model/snapshot_run", project,
	    f == MODEL_OPEN || f == MODEL_ALL ? "true" : "false");
	if (db_batch_run(b, cause) == 0) {
		inc = db_batch_take(b, qi);
		run = db_batch_take(b, qr);
		model_incidents_fill(inc, s);
		model_run_fill(run, s);
		db_res_free(inc);
		db_res_free(run);
		rc = 0;
	}
	db_batch_free(b);
	return rc;
}

/* Attaches result r of step i of model_load_children. */
static void
model_attach_child(int i, const struct db_res *r, struct mw_snapshot *s,
    const struct model_idx *map)
{
	switch (i) {
	case 0:
		model_snapshot_alerts_attach(r, s, map);
		break;
	case 1:
		model_hypotheses_attach(r, s, map);
		break;
	case 2:
		model_recommendations_attach(r, s, map);
		break;
	default:
		/* after the recommendations it attaches to */
		model_actions_attach(r, s);
		break;
	}
}

/* Queues the hypotheses, recommendations and action runs of the incidents
 * on b (the arguments as model_load_children's). */
static void
model_queue_rest(struct db_batch *b, const char *project, const char *ids,
    int with_hidden, const char *published)
{
	(void)model_hypotheses_queue(b, project, ids, published);
	(void)model_recommendations_queue(b, project, ids, with_hidden,
	    published);
	(void)model_actions_queue(b, project, ids);
}

/* Reads the results of steps first..last-1 of model_load_children from b
 * (sent), attaching each as it arrives, then ends b; 0 or -1. */
static int
model_read_children(struct db_batch *b, int first, int last,
    struct mw_snapshot *s, const struct model_idx *map, char **cause)
{
	struct db_res *r;
	int i, rc = 0;

	for (i = first; i < last; i++) {
		if ((r = db_batch_next(b, cause)) == NULL) {
			rc = -1;
			break;
		}
		model_attach_child(i, r, s, map);
		db_res_free(r);
	}
	if (db_batch_end(b, rc == 0 ? cause : NULL) != 0)
		rc = -1;
	return rc;
}

/* Round trip 2: the alerts, hypotheses, recommendations and action runs of
 * the incidents (ids: their ids, map: their index); 0 or -1.  Each result
 * is attached as it arrives, while the server runs the next query: the
 * alerts, the most work here, first.  With aux (a second connection of the
 * same database, or NULL), the hypotheses, recommendations and action runs
 * are read there while the alerts are read on db: two backends, about
 * half the time on a machine with two cores.  aux's session runs them
 * without JIT compilation too.  When aux cannot take them, db does. */
static int
model_load_children(struct db *db, struct db *aux, const char *project,
    const char *ids, int newest, int with_hidden, const char *published,
    struct mw_snapshot *s, const struct model_idx *map, char **cause)
{
	struct db_batch *b = db_batch_new(db), *b2 = NULL;
	char *ignored = NULL;
	int rc, rc2 = 0;

	if (aux != NULL && db_alive(aux)) {
		b2 = db_batch_new(aux);
		(void)db_batch_add_named(b2, "model/jit_off", 0, NULL);
		model_queue_rest(b2, project, ids, with_hidden, published);
		(void)db_batch_add_named(b2, "model/jit_back", 0, NULL);
		if (db_batch_send(b2, &ignored) != 0) {
			(void)db_batch_end(b2, NULL);
			db_batch_free(b2);
			b2 = NULL;
		}
		free(ignored);
		ignored = NULL;
	}
	(void)model_snapshot_alerts_queue(b, project, ids, newest, published);
	if (b2 == NULL)
		model_queue_rest(b, project, ids, with_hidden, published);
	(void)db_batch_add_named(b, "model/jit_back", 0, NULL);
	rc = db_batch_send(b, cause);
	if (rc == 0)
		rc = model_read_children(b, 0, b2 == NULL ? 4 : 1, s, map,
		    cause);
	else
		(void)db_batch_end(b, NULL);
	if (b2 != NULL) {
		/* its jit_off's result first, then steps 1-3 */
		struct db_res *r = db_batch_next(b2, rc == 0 ? cause : &ignored);

		if (r == NULL)
			rc2 = -1;
		db_res_free(r);
		if (rc2 == 0)
			rc2 = model_read_children(b2, 1, 4, s, map,
			    rc == 0 ? cause : &ignored);
		else
			(void)db_batch_end(b2, NULL);
		free(ignored);
		db_batch_free(b2);
	}
	db_batch_free(b);
	return rc == 0 && rc2 == 0 ? 0 : -1;
}

/* Loads a snapshot of the incidents selected by f (ids for MODEL_IDS),
 * within bounds. */
static struct mw_snapshot *
model_load_filtered(struct db *db, struct db *aux, long long project_id,
    enum model_filter f,
    const long long *want, size_t n_want, int with_hidden,
    const struct model_bounds *bounds, char **cause)
{
	struct mw_snapshot *s;
	struct model_idx *map = NULL;
	long long *ids = NULL;
	char project[24], *ids_txt = NULL, *want_txt = NULL;
	/* lists show completed runs' rows; given ids are taken as they are */
	const char *published = f == MODEL_IDS ? "false" : "true";
	size_t i;
	int rc;

	snprintf(project, sizeof project, "%lld", project_id);
	s = xcalloc(1, sizeof *s);
	if (f == MODEL_IDS || f == MODEL_SHOWN)
		want_txt = model_id_array(want, n_want);
	rc = model_load_head(db, project, f, want_txt, bounds->incidents, s,
	    cause);
	if (rc == 0) {
		map = xcalloc(s->n_incidents + 1, sizeof *map);
		ids = xcalloc(s->n_incidents + 1, sizeof *ids);
		for (i = 0; i < s->n_incidents; i++) {
			map[i].id = ids[i] = s->incidents[i].id;
			map[i].idx = i;
			s->incidents[i].as_is = f == MODEL_IDS;
		}
		qsort(map, s->n_incidents, sizeof *map, model_idx_cmp);
		ids_txt = model_id_array(ids, s->n_incidents);
		rc = model_load_children(db, aux, project, ids_txt,
		    bounds->alerts,
		    with_hidden, published, s, map, cause);
	}
	/* a snapshot of given ids needs no health */
	if (rc == 0 && (f == MODEL_OPEN || f == MODEL_ALL))
		rc = model_load_health(db, project_id, s, cause);
	free(map);
	free(ids);
	free(ids_txt);
	free(want_txt);
	if (rc != 0) {
		model_free(s);
		return NULL;
	}
	return s;
}

/* Loads the default or --all snapshot (see model.h). */
struct mw_snapshot *
model_load(struct db *db, long long project_id, int all, int with_hidden,
    char **cause)
{
	return model_load_filtered(db, NULL, project_id,
	    all ? MODEL_ALL : MODEL_OPEN, NULL, 0, with_hidden, &model_full,
	    cause);
}

/* model_load with a second connection for half of the work (model.h). */
struct mw_snapshot *
model_load_two(struct db *db, struct db *aux, long long project_id, int all,
    int with_hidden, char **cause)
{
	return model_load_filtered(db, aux, project_id,
	    all ? MODEL_ALL : MODEL_OPEN, NULL, 0, with_hidden, &model_full,
	    cause);
}

/* Loads the first rows of the console's snapshot (see model.h). */
struct mw_snapshot *
model_load_first(struct db *db, long long project_id, int incidents,
    int alerts, char **cause)
{
	struct model_bounds bounds = { incidents, alerts };

	return model_load_filtered(db, NULL, project_id, MODEL_ALL, NULL, 0, 1,
	    &bounds, cause);
}

/* Loads exactly the incidents ids (see model.h). */
struct mw_snapshot *
model_load_ids(struct db *db, long long project_id, const long long *ids,
    size_t n, int with_hidden, char **cause)
{
	return model_load_filtered(db, NULL, project_id, MODEL_IDS, ids, n,
	    with_hidden, &model_full, cause);
}

/* Loads the given incidents as readers see them (see model.h). */
struct mw_snapshot *
model_load_shown(struct db *db, long long project_id, const long long *ids,
    size_t n, int with_hidden, char **cause)
{
	return model_load_filtered(db, NULL, project_id, MODEL_SHOWN, ids, n,
	    with_hidden, &model_full, cause);
}
