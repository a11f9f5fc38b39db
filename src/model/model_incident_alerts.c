/*
 * model_incident_alerts.c - the snapshot's alerts: the loaded incidents'
 * own and the project's newest, each also attached to its incident (a step
 * of model.c's snapshot load, model_int.h).  `midwatch alerts` has its own
 * list (model_alerts.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/xmalloc.h"
#include "model_int.h"

/* The loaded incidents' alerts plus the newest others: the important thing
 * first -- by severity (critical first), then newest -- as `midwatch
 * alerts` lists them.  $1 project, $2 the incidents' ids, $3 how many of
 * the newest, $4 published.  Two halves that each use an index (the
 * incidents' alerts through alerts_incident_idx, one lookup per incident;
 * the newest through alerts_created_idx backwards), the second without the
 * first's rows: an OR of the two scanned all alerts, comparing each with
 * every incident id (3.5-4.2 s at 100,000 alerts, doc/performance.md).
 * Then, for those rows only, set-wise: each one's latest Alertmanager
 * silence and a head's member count are joined, and labels and
 * annotations formatted only where there are some; four subqueries per
 * row cost 0.15-0.3 s at 9,500 rows (doc/performance.md). */
static const char model_sql_alerts[] =
    "WITH a AS MATERIALIZED ("
    "	SELECT b.* FROM unnest($2::bigint[]) u (incident_id)"
    "	  JOIN midwatch.alerts b"
    "	    ON b.project_id = $1 AND b.incident_id = u.incident_id"
    "	 WHERE b.published OR NOT $4::boolean"
    "	UNION ALL"
    "	SELECT n.* FROM (SELECT b.* FROM midwatch.alerts b"
    "	                  WHERE b.project_id = $1"
    "	                    AND (b.published OR NOT $4::boolean)"
    "	                  ORDER BY b.created_at DESC, b.id DESC LIMIT $3) n"
    "	 WHERE n.incident_id IS NULL"
    "	    OR NOT n.incident_id = ANY ($2::bigint[])),"
    " sil AS ("
    "	SELECT DISTINCT ON (x.alert_id) x.alert_id,"
    "	       x.state || CASE WHEN x.state IN ('pending', 'active')"
    "	       THEN ' until ' || to_char(x.ends_at AT TIME ZONE 'UTC',"
    "	           'YYYY-MM-DD HH24:MI \"UTC\"') ELSE '' END"
    "	       || coalesce(' (' || x.silence_id || ')', '')"
    "	       || coalesce(': ' || x.last_error, '') AS line"
    "	  FROM midwatch.alert_silences x"
    "	 WHERE x.project_id = $1 AND x.alert_id IN (SELECT id FROM a)"
    "	 ORDER BY x.alert_id, x.id DESC),"
    " grp AS ("
    "	SELECT b.group_head_id, count(*) AS members"
    "	  FROM midwatch.alerts b"
    "	 WHERE b.project_id = $1 AND b.group_head_id IN (SELECT id FROM a)"
    "	   AND b.id <> b.group_head_id AND (b.published OR NOT $4::boolean)"
    "	 GROUP BY b.group_head_id)"
    " SELECT a.id, a.incident_id, a.title, a.message, a.severity, a.status,"
    "       extract(epoch FROM a.created_at), a.acknowledged_by,"
    "       extract(epoch FROM a.acknowledged_at),"
    "       extract(epoch FROM a.silenced_until), s.name, ru.name,"
    "       a.fire_count, extract(epoch FROM a.last_fired_at),"
    "       CASE WHEN a.details ->> 'source' = 'external'"
    "            THEN coalesce(a.details ->> 'external_source', 'external') END,"
    "       CASE WHEN jsonb_typeof(a.details -> 'labels') = 'object' THEN"
    "           (SELECT string_agg(k || '=' || v, ', ' ORDER BY k)"
    "              FROM jsonb_each_text(a.details -> 'labels') l (k, v)) END,"
    "       CASE WHEN jsonb_typeof(a.details -> 'annotations') = 'object' THEN"
    "           (SELECT string_agg(k || ': ' || v, '; ' ORDER BY k)"
    "              FROM jsonb_each_text(a.details -> 'annotations') n (k, v)) END,"
    "       sil.line, a.group_head_id, coalesce(grp.members, 0), a.group_reason"
    "  FROM a"
    "  LEFT JOIN midwatch.services s"
    "    ON s.project_id = a.project_id AND s.id = a.service_id"
    "  LEFT JOIN midwatch.alert_rules ru"
    "    ON ru.project_id = a.project_id AND ru.id = a.rule_id"
    "  LEFT JOIN sil ON sil.alert_id = a.id"
    "  LEFT JOIN grp ON grp.group_head_id = a.id"
    " ORDER BY midwatch.severity_rank(a.severity) DESC NULLS LAST,"
    "          a.created_at DESC, a.id DESC";

/* Fills one alert from row i of r. */
static void
model_fill_alert(struct mw_alert *a, const struct db_res *r, int i)
{
	a->id = db_res_ll(r, i, 0);
	a->incident_id = db_res_ll(r, i, 1);
	a->title = model_col_dup(r, i, 2);
	a->message = model_col_dup(r, i, 3);
	a->severity = model_col_dup(r, i, 4);
	a->status = model_col_dup(r, i, 5);
	a->created_at = db_res_f(r, i, 6);
	a->acked_by = model_col_dup(r, i, 7);
	a->acked_at = db_res_f(r, i, 8);
	a->silenced_until = db_res_f(r, i, 9);
	a->service = model_col_dup(r, i, 10);
	a->rule = model_col_dup(r, i, 11);
	a->fire_count = (int)db_res_ll(r, i, 12);
	a->last_fired_at = db_res_f(r, i, 13);
	a->source = model_col_dup(r, i, 14);
	a->labels = model_col_dup(r, i, 15);
	a->annotations = model_col_dup(r, i, 16);
	a->am_silence = model_col_dup(r, i, 17);
	a->group_head_id = db_res_ll(r, i, 18);
	a->group_members = (int)db_res_ll(r, i, 19);
	a->group_reason = model_col_dup(r, i, 20);
}

/* Queues the snapshot's alerts query (model_int.h). */
int
model_snapshot_alerts_queue(struct db_batch *b, const char *project,
    const char *ids, const char *published)
{
	char limit[16];

	snprintf(limit, sizeof limit, "%d", MODEL_MAX_ALERTS);
	return DBB(b, model_sql_alerts, project, ids, limit, published);
}

/* Fills the snapshot's alerts and each incident's own from the rows of r
 * (model_int.h). */
void
model_snapshot_alerts_attach(const struct db_res *r, struct mw_snapshot *s,
    const struct model_idx *map)
{
	struct mw_incident *inc;
	size_t *counts;
	long idx;
	int i, n;

	n = db_res_rows(r);
	s->alerts = xcalloc(n > 0 ? (size_t)n : 1, sizeof *s->alerts);
	counts = xcalloc(s->n_incidents + 1, sizeof *counts);
	for (i = 0; i < n; i++) {
		model_fill_alert(&s->alerts[s->n_alerts++], r, i);
		idx = model_idx_find(map, s->n_incidents, db_res_ll(r, i, 1));
		if (idx >= 0)
			counts[idx]++;
	}
	for (idx = 0; (size_t)idx < s->n_incidents; idx++)
		if (counts[idx] > 0)
			s->incidents[idx].alerts = xcalloc(counts[idx],
			    sizeof *s->incidents[idx].alerts);
	for (i = 0; i < n; i++) {
		idx = model_idx_find(map, s->n_incidents, db_res_ll(r, i, 1));
		if (idx < 0)
			continue;
		inc = &s->incidents[idx];
		model_fill_alert(&inc->alerts[inc->n_alerts++], r, i);
	}
	free(counts);
}