-- model/timeline - everything around an incident on one axis: deploys and
-- config changes of the incident's service, the suspected services and the
-- services of its signals within the window +- 2 h (config changes without
-- a service too), the incident's alerts (at their data-time firing), signal
-- onsets (of another investigation's signals only its own incident shows
-- them; an expired signal of another incident is of kind 'expired', which
-- the console shows on request), and the operators' notes on anything of
-- the incident (at the time they were written).  With $4, only the
-- published alerts and hypotheses (sql/015_run_output.sql): a running or
-- dead run's are not shown; the report stage reads its own run's too.
-- $1 project id
-- $2 incident id
-- $3 the most items (MODEL_MAX_TIMELINE)
-- $4 published: the completed runs' rows only (boolean)
-- columns: at, kind, label
WITH inc AS (
	SELECT i.id, i.service_id, i.window_start - interval '2 hours' AS t0,
	       i.window_end + interval '2 hours' AS t1
	  FROM midwatch.incidents i WHERE i.project_id = $1 AND i.id = $2),
 svc AS (
	SELECT service_id FROM inc WHERE service_id IS NOT NULL
	UNION SELECT h.service_id FROM midwatch.hypotheses h, inc
	 WHERE h.project_id = $1 AND h.incident_id = inc.id
	   AND h.service_id IS NOT NULL AND (h.published OR NOT $4::boolean)
	UNION SELECT g.service_id FROM midwatch.signals g, inc
	 WHERE g.project_id = $1 AND g.incident_id = inc.id
	   AND g.service_id IS NOT NULL),
 items AS (
	SELECT d.started_at AS ts, 'deploy' AS kind,
	       'deploy ' || d.ext_id || ' of ' || s.name
	       || CASE WHEN d.is_rollback THEN ' (rollback)' ELSE '' END
	       || coalesce(' to ' || d.revision, '') AS label
	  FROM midwatch.deployment_events d
	  JOIN inc ON d.started_at BETWEEN inc.t0 AND inc.t1
	  JOIN midwatch.services s ON s.project_id = d.project_id
	   AND s.id = d.service_id
	 WHERE d.project_id = $1 AND d.service_id IN (SELECT service_id FROM svc)
	UNION ALL
	SELECT c.detected_at, 'config_change',
	       'config change ' || c.ext_id || ': ' || c.change_kind || ' '
	       || c.resource_name || ' on ' || coalesce(s.name, 'the cluster')
	  FROM midwatch.config_change_events c
	  JOIN inc ON c.detected_at BETWEEN inc.t0 AND inc.t1
	  LEFT JOIN midwatch.services s ON s.project_id = c.project_id
	   AND s.id = c.service_id
	 WHERE c.project_id = $1 AND (c.service_id IS NULL
	       OR c.service_id IN (SELECT service_id FROM svc))
	UNION ALL
	SELECT coalesce((a.details->>'fired_at')::timestamptz, a.last_fired_at,
	                a.created_at), 'alert',
	       'alert ' || a.id || ' [' || a.severity || '] ' || a.title
	       || ' (' || a.status || ')'
	  FROM midwatch.alerts a, inc
	 WHERE a.project_id = $1 AND a.incident_id = inc.id
	   AND (a.published OR NOT $4::boolean)
	UNION ALL
	SELECT g.onset_at, CASE WHEN g.status = 'expired'
	       AND g.incident_id IS DISTINCT FROM inc.id THEN 'expired'
	       ELSE 'onset' END,
	       g.signal_type || coalesce(' ' || g.metric_name, '')
	       || coalesce(' on ' || s.name, '')
	       || coalesce(' (' || g.ref || ')', '')
	       || CASE WHEN g.status = 'expired' THEN ' (expired)' ELSE '' END
	  FROM midwatch.signals g
	  JOIN inc ON true
	  LEFT JOIN midwatch.services s ON s.project_id = g.project_id
	   AND s.id = g.service_id
	 WHERE g.project_id = $1 AND (g.incident_id = inc.id
	       OR (g.service_id IN (SELECT service_id FROM svc)
	           AND g.onset_at BETWEEN inc.t0 AND inc.t1
	           AND coalesce(g.details ->> 'source', '') <> 'investigate'))
	UNION ALL
	SELECT f.created_at, 'note',
	       'note by ' || coalesce(f.actor_id, '?') || ' on ' || f.target_kind
	       || ' ' || f.target_id || ': ' || coalesce(f.payload->>'text', '')
	  FROM midwatch.feedback_events f, inc
	 WHERE f.project_id = $1 AND f.incident_id = inc.id
	   AND f.event_type = 'human_note_added')
 SELECT extract(epoch FROM ts) AS at, kind, label FROM items
 ORDER BY ts, kind, label LIMIT $3
