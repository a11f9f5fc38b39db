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

/*
 * $1 project, $2 all (boolean), $3 limit.  Labels come from the external
 * alert an alert mirrors (details.labels) or, for an alert a rule raised
 * on an external_alert signal, from that signal.  started: the episode's
 * start, else the data time the alert fired, else when it was created.
 */
static const char model_sql_alert_list[] =
    "SELECT a.id, a.title, a.severity, a.status,"
    "       CASE WHEN a.details ->> 'source' = 'external'"
    "            THEN coalesce(a.details ->> 'external_source', 'external')"
    "            ELSE 'midwatch' END AS source,"
    "       coalesce(a.details ->> 'external_fingerprint', g.ref,"
    "           a.fingerprint) AS fingerprint,"
    "       s.name AS service, ru.name AS rule, a.message,"
    "       a.details ->> 'generator_url' AS generator_url,"
    "       coalesce(a.details -> 'labels', g.details -> 'labels', '{}')::text"
    "           AS labels,"
    "       coalesce(a.details -> 'annotations', g.details -> 'annotations',"
    "           '{}')::text AS annotations,"
    "       a.incident_id, a.fire_count,"
    "       extract(epoch FROM coalesce("
    "           CASE WHEN a.details ? 'starts_at'"
    "                THEN (a.details ->> 'starts_at')::timestamptz END,"
    "           CASE WHEN a.details ? 'fired_at'"
    "                THEN (a.details ->> 'fired_at')::timestamptz END,"
    "           a.created_at)) AS started,"
    "       extract(epoch FROM a.resolved_at) AS resolved,"
    "       extract(epoch FROM a.last_fired_at) AS last_fired,"
    "       a.acknowledged_by, extract(epoch FROM a.acknowledged_at) AS acked,"
    "       a.resolved_by, a.silenced_by,"
    "       extract(epoch FROM a.silenced_at) AS silenced,"
    "       extract(epoch FROM a.silenced_until) AS silenced_until,"
    "       sil.silence_id AS am_silence_id, sil.state AS am_silence_state,"
    "       extract(epoch FROM sil.ends_at) AS am_silence_ends,"
    "       sil.last_error AS am_silence_error,"
    "       a.group_key, a.group_head_id, a.group_inhibited::int AS inhibited,"
    "       a.group_reason,"
    "       (SELECT count(*) FROM midwatch.alerts b"
    "         WHERE b.project_id = a.project_id AND b.group_head_id = a.id"
    "           AND b.id <> a.id AND b.published) AS group_members"
    "  FROM midwatch.alerts a"
    "  LEFT JOIN LATERAL (SELECT x.silence_id, x.state, x.ends_at, x.last_error"
    "       FROM midwatch.alert_silences x"
    "      WHERE x.project_id = a.project_id AND x.alert_id = a.id"
    "      ORDER BY x.id DESC LIMIT 1) sil ON true"
    "  LEFT JOIN midwatch.services s"
    "    ON s.project_id = a.project_id AND s.id = a.service_id"
    "  LEFT JOIN midwatch.alert_rules ru"
    "    ON ru.project_id = a.project_id AND ru.id = a.rule_id"
    "  LEFT JOIN midwatch.signals g"
    "    ON g.project_id = a.project_id AND g.signal_type = 'external_alert'"
    "   AND a.details ->> 'signal_type' = 'external_alert'"
    "   AND g.id::text = a.details ->> 'signal_id'"
    " WHERE a.project_id = $1 AND a.published"
    "   AND ($2::boolean OR a.status IN ('active', 'acknowledged')"
    "        OR (a.status = 'silenced'"
    "            AND coalesce(a.silenced_until, '-infinity') <= now()))"
    " ORDER BY midwatch.severity_rank(a.severity) DESC NULLS LAST,"
    "          started DESC, a.id DESC"
    " LIMIT $3";

/* A copy of column name of row i, or NULL. */
static char *
col_dup(const struct db_res *r, int i, const char *name)
{
	const char *v = db_res_get(r, i, db_res_colnum(r, name));

	return v != NULL ? xstrdup(v) : NULL;
}

/* Column name of row i as a number (0 when NULL). */
static double
col_f(const struct db_res *r, int i, const char *name)
{
	int c = db_res_colnum(r, name);

	return db_res_isnull(r, i, c) ? 0 : db_res_f(r, i, c);
}

/* Column name of row i (JSON text) as an object; {} when it is not one. */
static json_t *
col_object(const struct db_res *r, int i, const char *name)
{
	const char *v = db_res_get(r, i, db_res_colnum(r, name));
	json_t *j = v != NULL ? json_loads(v, 0, NULL) : NULL;

	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

/* Loads the alert list (see model.h). */
struct mw_alert_list *
model_alerts_load(struct db *db, long long project_id, int all, char **cause)
{
	struct mw_alert_list *l;
	struct mw_alert_item *a;
	struct db_res *r;
	char project[24], limit[24];
	int i, n;

	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(limit, sizeof limit, "%d", MODEL_MAX_ALERT_LIST);
	r = DBQ(db, cause, model_sql_alert_list, project, all ? "true" : "false",
	    limit);
	if (r == NULL)
		return NULL;
	n = db_res_rows(r);
	l = xcalloc(1, sizeof *l);
	l->items = xcalloc(n > 0 ? (size_t)n : 1, sizeof *l->items);
	for (i = 0; i < n; i++) {
		a = &l->items[l->n++];
		a->id = db_res_ll(r, i, db_res_colnum(r, "id"));
		a->title = col_dup(r, i, "title");
		a->severity = col_dup(r, i, "severity");
		a->status = col_dup(r, i, "status");
		a->source = col_dup(r, i, "source");
		a->fingerprint = col_dup(r, i, "fingerprint");
		a->service = col_dup(r, i, "service");
		a->rule = col_dup(r, i, "rule");
		a->message = col_dup(r, i, "message");
		a->generator_url = col_dup(r, i, "generator_url");
		a->labels = col_object(r, i, "labels");
		a->annotations = col_object(r, i, "annotations");
		a->incident_id = db_res_ll(r, i, db_res_colnum(r, "incident_id"));
		a->fire_count = (int)db_res_ll(r, i, db_res_colnum(r, "fire_count"));
		a->started_at = col_f(r, i, "started");
		a->resolved_at = col_f(r, i, "resolved");
		a->last_fired_at = col_f(r, i, "last_fired");
		a->acked_by = col_dup(r, i, "acknowledged_by");
		a->acked_at = col_f(r, i, "acked");
		a->resolved_by = col_dup(r, i, "resolved_by");
		a->silenced_by = col_dup(r, i, "silenced_by");
		a->silenced_at = col_f(r, i, "silenced");
		a->silenced_until = col_f(r, i, "silenced_until");
		a->am_silence_id = col_dup(r, i, "am_silence_id");
		a->am_silence_state = col_dup(r, i, "am_silence_state");
		a->am_silence_ends = col_f(r, i, "am_silence_ends");
		a->am_silence_error = col_dup(r, i, "am_silence_error");
		a->group_key = col_dup(r, i, "group_key");
		a->group_head_id = db_res_ll(r, i, db_res_colnum(r,
		    "group_head_id"));
		a->group_inhibited = db_res_ll(r, i, db_res_colnum(r,
		    "inhibited")) != 0;
		a->group_reason = col_dup(r, i, "group_reason");
		a->group_members = (int)db_res_ll(r, i, db_res_colnum(r,
		    "group_members"));
	}
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
