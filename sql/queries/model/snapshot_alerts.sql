-- model/snapshot_alerts - the snapshot's alerts: the loaded incidents'
-- own plus the newest others, in no order: the client puts them in the
-- snapshot's (by severity, critical first, then newest, as `midwatch
-- alerts` lists them; model_incident_alerts.c), which costs it a sort of
-- small keys where an ORDER BY here sorted the wide rows (a third of the
-- statement's time at 9,400 rows, doc/performance.md).  Two
-- halves that each use an index (the incidents' alerts through
-- alerts_incident_idx, one lookup per incident; the newest through
-- alerts_created_idx backwards), the second without the first's rows: an
-- OR of the two scanned all alerts, comparing each with every incident id
-- (3.5-4.2 s at 100,000 alerts, doc/performance.md).  Then, for those rows
-- only, set-wise: each one's latest Alertmanager silence (its line for
-- the detail view, its state and end for the Alerts pane) and a head's
-- member count are joined, and labels and annotations formatted only where
-- there are some; four subqueries per row cost 0.15-0.3 s at 9,500 rows
-- (doc/performance.md).
-- $1 project id
-- $2 the incidents' ids (bigint[] literal)
-- $3 how many of the newest (MODEL_MAX_ALERTS)
-- $4 published: the completed runs' rows only (boolean)
-- columns: id, incident_id, title, message, severity, status, created_at,
-- columns: acked_by, acked_at, silenced_until, service, rule, fire_count,
-- columns: last_fired_at, source, labels, annotations, am_silence,
-- columns: am_silence_state, am_silence_ends,
-- columns: group_head_id, group_members, group_reason
WITH a AS MATERIALIZED (
	SELECT b.* FROM unnest($2::bigint[]) u (incident_id)
	  JOIN midwatch.alerts b
	    ON b.project_id = $1 AND b.incident_id = u.incident_id
	 WHERE b.published OR NOT $4::boolean
	UNION ALL
	SELECT n.* FROM (SELECT b.* FROM midwatch.alerts b
	                  WHERE b.project_id = $1
	                    AND (b.published OR NOT $4::boolean)
	                  ORDER BY b.created_at DESC, b.id DESC LIMIT $3) n
	 WHERE n.incident_id IS NULL
	    OR NOT n.incident_id = ANY ($2::bigint[])),
 sil AS (
	SELECT DISTINCT ON (x.alert_id) x.alert_id,
	       x.state || CASE WHEN x.state IN ('pending', 'active')
	       THEN ' until ' || to_char(x.ends_at AT TIME ZONE 'UTC',
	           'YYYY-MM-DD HH24:MI "UTC"') ELSE '' END
	       || coalesce(' (' || x.silence_id || ')', '')
	       || coalesce(': ' || x.last_error, '') AS line,
	       x.state, extract(epoch FROM x.ends_at) AS ends
	  FROM midwatch.alert_silences x
	 WHERE x.project_id = $1 AND x.alert_id IN (SELECT id FROM a)
	 ORDER BY x.alert_id, x.id DESC),
 grp AS (
	SELECT b.group_head_id, count(*) AS members
	  FROM midwatch.alerts b
	 WHERE b.project_id = $1 AND b.group_head_id IN (SELECT id FROM a)
	   AND b.id <> b.group_head_id AND (b.published OR NOT $4::boolean)
	 GROUP BY b.group_head_id)
 SELECT a.id, a.incident_id, a.title, a.message, a.severity, a.status,
       extract(epoch FROM a.created_at) AS created_at,
       a.acknowledged_by AS acked_by,
       extract(epoch FROM a.acknowledged_at) AS acked_at,
       extract(epoch FROM a.silenced_until) AS silenced_until,
       s.name AS service, ru.name AS rule,
       a.fire_count, extract(epoch FROM a.last_fired_at) AS last_fired_at,
       CASE WHEN a.details ->> 'source' = 'external'
            THEN coalesce(a.details ->> 'external_source', 'external') END
           AS source,
       CASE WHEN jsonb_typeof(a.details -> 'labels') = 'object' THEN
           (SELECT string_agg(k || '=' || v, ', ' ORDER BY k)
              FROM jsonb_each_text(a.details -> 'labels') l (k, v)) END
           AS labels,
       CASE WHEN jsonb_typeof(a.details -> 'annotations') = 'object' THEN
           (SELECT string_agg(k || ': ' || v, '; ' ORDER BY k)
              FROM jsonb_each_text(a.details -> 'annotations') n (k, v)) END
           AS annotations,
       sil.line AS am_silence, sil.state AS am_silence_state,
       sil.ends AS am_silence_ends, a.group_head_id,
       coalesce(grp.members, 0) AS group_members, a.group_reason
  FROM a
  LEFT JOIN midwatch.services s
    ON s.project_id = a.project_id AND s.id = a.service_id
  LEFT JOIN midwatch.alert_rules ru
    ON ru.project_id = a.project_id AND ru.id = a.rule_id
  LEFT JOIN sil ON sil.alert_id = a.id
  LEFT JOIN grp ON grp.group_head_id = a.id
