-- notify/act_context - what the body of an action says: the recommendation
-- and its incident (JSON text), and the incident's task in the tracker.
-- $1 project id
-- $2 recommendation id
-- $3 channel name
-- columns: recommendation, incident, task_key, task_id, task_created
SELECT json_build_object('id', rc.id, 'type', rc.type,
          'title', rc.title, 'status', rc.status)::text AS recommendation,
      json_build_object('id', i.id, 'title', i.title,
          'service', s.name, 'severity', i.severity,
          'status', i.status)::text AS incident,
      t.task_key, t.task_id, t.created_run_id IS NOT NULL AS task_created
 FROM midwatch.recommendations rc
 JOIN midwatch.incidents i
   ON i.project_id = rc.project_id AND i.id = rc.incident_id
 LEFT JOIN midwatch.services s
   ON s.project_id = i.project_id AND s.id = i.service_id
 LEFT JOIN midwatch.recommendation_action_tasks t
   ON t.project_id = rc.project_id AND t.incident_id = i.id
  AND t.channel = $3
WHERE rc.project_id = $1 AND rc.id = $2
