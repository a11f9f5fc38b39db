/*
 * model_actions.c - the actions requested on recommendations as the
 * console's recommendation detail and `midwatch act --list` show them
 * (recommendation_action_runs, sql/021_action_runs.sql): one statement
 * for both (model/actions), the newest runs of each recommendation first.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* The columns of model/actions. */
enum {
	XC_ID, XC_REC, XC_INCIDENT, XC_ACTION, XC_CHANNEL, XC_STATUS,
	XC_ATTEMPTS, XC_MAX_RETRIES, XC_NEXT_RETRY, XC_CREATED, XC_FINISHED,
	XC_REMIND, XC_TEXT, XC_ERROR, XC_RESULT, XC_TASK, XC_BY, XC_N
};
static const char *const xc_names[XC_N] = {
	"id", "recommendation_id", "incident_id", "action", "channel", "status",
	"attempts", "max_retries", "next_retry_at", "created_at", "finished_at",
	"remind_at", "text", "error", "result", "task_id", "requested_by"
};

/* The runs of result r in a malloc'd array (NULL when none) of *n. */
static struct mw_action_run *
model_actions_parse(const struct db_res *r, size_t *n)
{
	struct mw_action_run *v, *a;
	int c[XC_N], i, rows;

	db_cols(r, xc_names, c, XC_N);
	rows = db_res_rows(r);
	v = rows > 0 ? xcalloc((size_t)rows, sizeof *v) : NULL;
	for (i = 0; i < rows; i++) {
		a = &v[i];
		a->id = db_res_ll(r, i, c[XC_ID]);
		a->recommendation_id = db_res_ll(r, i, c[XC_REC]);
		a->incident_id = db_res_ll(r, i, c[XC_INCIDENT]);
		a->action = model_col_dup(r, i, c[XC_ACTION]);
		a->channel = model_col_dup(r, i, c[XC_CHANNEL]);
		a->status = model_col_dup(r, i, c[XC_STATUS]);
		a->attempts = (int)db_res_ll(r, i, c[XC_ATTEMPTS]);
		a->max_retries = (int)db_res_ll(r, i, c[XC_MAX_RETRIES]);
		a->next_retry_at = db_res_f(r, i, c[XC_NEXT_RETRY]);
		a->created_at = db_res_f(r, i, c[XC_CREATED]);
		a->finished_at = db_res_isnull(r, i, c[XC_FINISHED]) ? 0 :
		    db_res_f(r, i, c[XC_FINISHED]);
		a->remind_at = db_res_isnull(r, i, c[XC_REMIND]) ? 0 :
		    db_res_f(r, i, c[XC_REMIND]);
		a->text = model_col_dup(r, i, c[XC_TEXT]);
		a->error = model_col_dup(r, i, c[XC_ERROR]);
		a->result = model_col_dup(r, i, c[XC_RESULT]);
		a->task_id = model_col_dup(r, i, c[XC_TASK]);
		a->requested_by = model_col_dup(r, i, c[XC_BY]);
	}
	*n = (size_t)rows;
	return v;
}

/* The most runs shown per recommendation, as a parameter. */
static const char *
model_actions_max(char *buf, size_t len)
{
	snprintf(buf, len, "%d", MODEL_MAX_ACTIONS);
	return buf;
}

/* Loads the runs of incidents ids (a bigint[] literal, or NULL) into *out
 * (NULL when none); 0, or -1 with *cause. */
static int
model_actions_query(struct db *db, long long project_id, const char *ids,
    struct mw_action_run **out, size_t *n, char **cause)
{
	struct db_res *r;
	char project[24], max[24];

	*n = 0;
	*out = NULL;
	snprintf(project, sizeof project, "%lld", project_id);
	if ((r = DBQN(db, cause, "model/actions", project, ids,
	    model_actions_max(max, sizeof max))) == NULL)
		return -1;
	*out = model_actions_parse(r, n);
	db_res_free(r);
	return 0;
}

/* Loads the runs of a project or incident (see model.h). */
struct mw_action_run *
model_actions_load(struct db *db, long long project_id, long long incident,
    size_t *n, char **cause)
{
	struct mw_action_run *v;
	char ids[32];

	snprintf(ids, sizeof ids, "{%lld}", incident);
	if (model_actions_query(db, project_id, incident > 0 ? ids : NULL, &v,
	    n, cause) != 0)
		return NULL;
	return v;
}

/* Frees runs. */
void
model_actions_free(struct mw_action_run *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].action);
		free(v[i].channel);
		free(v[i].status);
		free(v[i].text);
		free(v[i].error);
		free(v[i].result);
		free(v[i].task_id);
		free(v[i].requested_by);
	}
	free(v);
}

/* Queues the runs of the incidents ids for a snapshot (model_int.h). */
int
model_actions_queue(struct db_batch *b, const char *project, const char *ids)
{
	char max[24];

	return DBBN(b, "model/actions", project, ids,
	    model_actions_max(max, sizeof max));
}

/* Attaches the runs of result r to the snapshot's recommendations
 * (model_int.h). */
void
model_actions_attach(const struct db_res *r, struct mw_snapshot *s)
{
	struct mw_action_run *v;
	struct mw_recommendation *rec;
	size_t i, j, k, n, from;

	v = model_actions_parse(r, &n);
	if (v == NULL)
		return;
	/* Rows come by recommendation: hand each its slice (moved, so the
	 * strings have one owner). */
	for (i = 0; i < s->n_incidents; i++)
		for (j = 0; j < s->incidents[i].n_recommendations; j++) {
			rec = &s->incidents[i].recommendations[j];
			for (from = 0; from < n &&
			    v[from].recommendation_id != rec->id; from++)
				;
			for (k = from; k < n && v[k].recommendation_id == rec->id;
			    k++)
				;
			if (k == from)
				continue;
			rec->actions = xcalloc(k - from, sizeof *rec->actions);
			memcpy(rec->actions, &v[from], (k - from) * sizeof *v);
			memset(&v[from], 0, (k - from) * sizeof *v);
			rec->n_actions = k - from;
		}
	model_actions_free(v, n);
}

/* One run as JSON (see model.h). */
json_t *
model_action_to_json(const struct mw_action_run *a)
{
	json_error_t jerr;
	json_t *o = json_object(), *res;

	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "recommendation_id",
	    json_integer(a->recommendation_id));
	json_object_set_new(o, "incident_id", json_integer(a->incident_id));
	json_object_set_new(o, "action", model_json_str(a->action));
	json_object_set_new(o, "channel", model_json_str(a->channel));
	json_object_set_new(o, "status", model_json_str(a->status));
	json_object_set_new(o, "attempts", json_integer(a->attempts));
	json_object_set_new(o, "max_retries", a->max_retries < 0 ? json_null() :
	    json_integer(a->max_retries));
	json_object_set_new(o, "next_retry_at",
	    strcmp(a->status, "pending") == 0 || strcmp(a->status,
	    "running") == 0 ? model_json_time(a->next_retry_at) : json_null());
	json_object_set_new(o, "remind_at", model_json_time(a->remind_at));
	json_object_set_new(o, "text", model_json_str(a->text));
	json_object_set_new(o, "error", model_json_str(a->error));
	res = a->result != NULL ? json_loads(a->result, 0, &jerr) : NULL;
	json_object_set_new(o, "result", res != NULL ? res : json_null());
	json_object_set_new(o, "requested_by", model_json_str(a->requested_by));
	json_object_set_new(o, "created_at", model_json_time(a->created_at));
	json_object_set_new(o, "finished_at", model_json_time(a->finished_at));
	return o;
}
