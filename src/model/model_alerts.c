/*
 * model_alerts.c - the alert list of `midwatch alerts` (what `amtool alert
 * query` is for Alertmanager): every midwatch alert with the labels,
 * annotations and source of the external alert behind it, its silence and
 * its times, read in one query, and the `alerts --json` array built from
 * it.  External alerts are in midwatch.alerts from the moment they are
 * ingested (sql/012_alertmanager.sql), so their ids are the ones ack,
 * resolve and silence take.  An alert a pipeline run raised shows once the
 * run completed (published, sql/015_run_output.sql).  Each carries its
 * incident group (sql/017_alert_groups.sql): its head, and for a head how
 * many alerts it holds.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* The columns of model/alert_list (the statement's header says what
 * they hold). */
enum {
	LC_ID, LC_TITLE, LC_SEVERITY, LC_STATUS, LC_SOURCE, LC_FINGERPRINT,
	LC_SERVICE, LC_RULE, LC_MESSAGE, LC_URL, LC_LABELS, LC_ANNOTATIONS,
	LC_INCIDENT, LC_FIRES, LC_STARTED, LC_RESOLVED, LC_LAST_FIRED,
	LC_ACKED_BY, LC_ACKED, LC_RESOLVED_BY, LC_SILENCED_BY, LC_SILENCED,
	LC_SILENCED_UNTIL, LC_AM_ID, LC_AM_STATE, LC_AM_ENDS, LC_AM_ERROR,
	LC_GROUP_KEY, LC_HEAD, LC_INHIBITED, LC_REASON, LC_MEMBERS, LC_N
};
static const char *const lc_names[LC_N] = {
	"id", "title", "severity", "status", "source", "fingerprint",
	"service", "rule", "message", "generator_url", "labels", "annotations",
	"incident_id", "fire_count", "started", "resolved", "last_fired",
	"acknowledged_by", "acked", "resolved_by", "silenced_by", "silenced",
	"silenced_until", "am_silence_id", "am_silence_state",
	"am_silence_ends", "am_silence_error", "group_key", "group_head_id",
	"inhibited", "group_reason", "group_members"
};

/* Column c of row i as a number (0 when NULL). */
static double
col_f(const struct db_res *r, int i, int c)
{
	return db_res_isnull(r, i, c) ? 0 : db_res_f(r, i, c);
}

/* Column c of row i (JSON text) as an object; {} when it is not one. */
static json_t *
col_object(const struct db_res *r, int i, int c)
{
	const char *v = db_res_get(r, i, c);
	json_t *j = v != NULL ? json_loads(v, 0, NULL) : NULL;

	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

/* Fills one item from row i of r (c: its columns). */
static void
alert_item_fill(struct mw_alert_item *a, const struct db_res *r, int i,
    const int *c)
{
	a->id = db_res_ll(r, i, c[LC_ID]);
	a->title = model_col_dup(r, i, c[LC_TITLE]);
	a->severity = model_col_dup(r, i, c[LC_SEVERITY]);
	a->status = model_col_dup(r, i, c[LC_STATUS]);
	a->source = model_col_dup(r, i, c[LC_SOURCE]);
	a->fingerprint = model_col_dup(r, i, c[LC_FINGERPRINT]);
	a->service = model_col_dup(r, i, c[LC_SERVICE]);
	a->rule = model_col_dup(r, i, c[LC_RULE]);
	a->message = model_col_dup(r, i, c[LC_MESSAGE]);
	a->generator_url = model_col_dup(r, i, c[LC_URL]);
	a->labels = col_object(r, i, c[LC_LABELS]);
	a->annotations = col_object(r, i, c[LC_ANNOTATIONS]);
	a->incident_id = db_res_ll(r, i, c[LC_INCIDENT]);
	a->fire_count = (int)db_res_ll(r, i, c[LC_FIRES]);
	a->started_at = col_f(r, i, c[LC_STARTED]);
	a->resolved_at = col_f(r, i, c[LC_RESOLVED]);
	a->last_fired_at = col_f(r, i, c[LC_LAST_FIRED]);
	a->acked_by = model_col_dup(r, i, c[LC_ACKED_BY]);
	a->acked_at = col_f(r, i, c[LC_ACKED]);
	a->resolved_by = model_col_dup(r, i, c[LC_RESOLVED_BY]);
	a->silenced_by = model_col_dup(r, i, c[LC_SILENCED_BY]);
	a->silenced_at = col_f(r, i, c[LC_SILENCED]);
	a->silenced_until = col_f(r, i, c[LC_SILENCED_UNTIL]);
	a->am_silence_id = model_col_dup(r, i, c[LC_AM_ID]);
	a->am_silence_state = model_col_dup(r, i, c[LC_AM_STATE]);
	a->am_silence_ends = col_f(r, i, c[LC_AM_ENDS]);
	a->am_silence_error = model_col_dup(r, i, c[LC_AM_ERROR]);
	a->group_key = model_col_dup(r, i, c[LC_GROUP_KEY]);
	a->group_head_id = db_res_ll(r, i, c[LC_HEAD]);
	a->group_inhibited = db_res_ll(r, i, c[LC_INHIBITED]) != 0;
	a->group_reason = model_col_dup(r, i, c[LC_REASON]);
	a->group_members = (int)db_res_ll(r, i, c[LC_MEMBERS]);
}

/* Loads the alert list (see model.h). */
struct mw_alert_list *
model_alerts_load(struct db *db, long long project_id, int all, char **cause)
{
	struct mw_alert_list *l;
	struct db_res *r;
	char project[24], limit[24];
	int c[LC_N], i, n;

	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(limit, sizeof limit, "%d", MODEL_MAX_ALERT_LIST);
	r = DBQN(db, cause, "model/alert_list", project,
	    all ? "true" : "false", limit);
	if (r == NULL)
		return NULL;
	db_cols(r, lc_names, c, LC_N);
	n = db_res_rows(r);
	l = xcalloc(1, sizeof *l);
	l->items = xcalloc(n > 0 ? (size_t)n : 1, sizeof *l->items);
	for (i = 0; i < n; i++)
		alert_item_fill(&l->items[l->n++], r, i, c);
	db_res_free(r);
	return l;
}

/* Frees a list. */
void
model_alerts_free(struct mw_alert_list *l)
{
	struct mw_alert_item *a;
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		a = &l->items[i];
		free(a->title);
		free(a->severity);
		free(a->status);
		free(a->source);
		free(a->fingerprint);
		free(a->service);
		free(a->rule);
		free(a->message);
		free(a->generator_url);
		json_decref(a->labels);
		json_decref(a->annotations);
		free(a->acked_by);
		free(a->resolved_by);
		free(a->silenced_by);
		free(a->am_silence_id);
		free(a->am_silence_state);
		free(a->am_silence_error);
		free(a->group_key);
		free(a->group_reason);
	}
	free(l->items);
	free(l);
}

/* The silence midwatch made in Alertmanager for the alert (its latest),
 * or null (new reference). */
static json_t *
js_am_silence(const struct mw_alert_item *a)
{
	if (a->am_silence_state == NULL)
		return json_null();
	return json_pack("{s:o, s:s, s:o, s:o}", "id",
	    model_json_str(a->am_silence_id), "state", a->am_silence_state,
	    "ends_at", model_json_time(a->am_silence_ends), "error",
	    model_json_str(a->am_silence_error));
}

/* The alert's silence, or null when it has none (new reference). */
static json_t *
js_silence(const struct mw_alert_item *a)
{
	if (a->silenced_until == 0 && a->silenced_at == 0)
		return json_null();
	return json_pack("{s:o, s:o, s:o}", "until", model_json_time(a->silenced_until),
	    "by", model_json_str(a->silenced_by), "at", model_json_time(a->silenced_at));
}

/* The `alerts --json` array (see model.h). */
json_t *
model_alerts_to_json(const struct mw_alert_list *l)
{
	const struct mw_alert_item *a;
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < l->n; i++) {
		a = &l->items[i];
		o = json_object();
		/* the fields amtool shows, in the order of the issue */
		json_object_set_new(o, "id", json_integer(a->id));
		json_object_set_new(o, "title", model_json_str(a->title));
		json_object_set_new(o, "severity", model_json_str(a->severity));
		json_object_set_new(o, "status", model_json_str(a->status));
		json_object_set_new(o, "source", model_json_str(a->source));
		json_object_set(o, "labels", a->labels);
		json_object_set_new(o, "silence", js_silence(a));
		json_object_set_new(o, "started_at", model_json_time(a->started_at));
		json_object_set_new(o, "resolved_at", model_json_time(a->resolved_at));
		json_object_set_new(o, "resolved_by", model_json_str(a->resolved_by));
		json_object_set(o, "annotations", a->annotations);
		json_object_set_new(o, "fingerprint", model_json_str(a->fingerprint));
		json_object_set_new(o, "service", model_json_str(a->service));
		json_object_set_new(o, "rule", model_json_str(a->rule));
		json_object_set_new(o, "incident_id", a->incident_id != 0 ?
		    json_integer(a->incident_id) : json_null());
		json_object_set_new(o, "message", model_json_str(a->message));
		json_object_set_new(o, "generator_url", model_json_str(a->generator_url));
		json_object_set_new(o, "acknowledged_by", model_json_str(a->acked_by));
		json_object_set_new(o, "acknowledged_at", model_json_time(a->acked_at));
		json_object_set_new(o, "last_fired_at", model_json_time(a->last_fired_at));
		json_object_set_new(o, "fire_count", json_integer(a->fire_count));
		json_object_set_new(o, "alertmanager_silence", js_am_silence(a));
		/* its incident group (issue 10): added fields */
		json_object_set_new(o, "group_key", model_json_str(a->group_key));
		json_object_set_new(o, "group_head_id", a->group_head_id != 0 ?
		    json_integer(a->group_head_id) : json_null());
		json_object_set_new(o, "group_members",
		    json_integer(a->group_members));
		json_object_set_new(o, "grouped", json_boolean(a->group_inhibited));
		json_object_set_new(o, "group_reason",
		    model_json_str(a->group_reason));
		json_array_append_new(arr, o);
	}
	return arr;
}
