-- notify/act_task - the incident's task in the tracker after a run created
-- or updated it.
-- $1 project id
-- $2 incident id
-- $3 channel name
-- $4 the tracker's task id (NULL: keep the one known)
-- $5 run id
-- $6 operation (create, update)
-- columns: none
UPDATE midwatch.recommendation_action_tasks
  SET task_id = coalesce($4, task_id),
      created_run_id = coalesce(created_run_id, $5::bigint),
      updates = updates + CASE WHEN $6 = 'update' THEN 1 ELSE 0 END
WHERE project_id = $1 AND incident_id = $2 AND channel = $3
