-- feedback/act_task - opens the task of an incident on a task channel (once).
-- $1 project id
-- $2 incident id
-- $3 channel
-- columns:
INSERT INTO midwatch.recommendation_action_tasks (project_id,
      incident_id, channel, task_key)
VALUES ($1, $2, $3, 'midwatch-task-' || gen_random_uuid())
ON CONFLICT DO NOTHING
