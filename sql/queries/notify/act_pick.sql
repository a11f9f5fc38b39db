-- notify/act_pick - the next due run of a recommendation's action, locked
-- (one task run per incident and channel at a time, in order).
-- $1 project id
-- columns: id, action, channel, params, idempotency_key, recommendation_id,
-- columns: requested_by, incident_id
SELECT r.id, r.action, r.channel, r.params::text AS params, r.idempotency_key,
      r.recommendation_id, r.requested_by, r.incident_id
 FROM midwatch.recommendation_action_runs r
WHERE r.project_id = $1 AND r.status IN ('pending', 'running')
  AND r.next_retry_at <= now()
  AND NOT (r.action = 'create_or_update_task' AND EXISTS (SELECT 1
       FROM midwatch.recommendation_action_runs o
      WHERE o.project_id = r.project_id
        AND o.incident_id = r.incident_id AND o.channel = r.channel
        AND o.action = 'create_or_update_task' AND o.id < r.id
        AND o.status IN ('pending', 'running')))
ORDER BY r.next_retry_at, r.id
LIMIT 1 FOR UPDATE OF r SKIP LOCKED
