-- notify/act_next_due - seconds until the next action run is due (NULL:
-- none waits; negative: already due).
-- $1 project id
-- columns: seconds
SELECT extract(epoch FROM min(next_retry_at) - now()) AS seconds
 FROM midwatch.recommendation_action_runs
WHERE project_id = $1 AND status IN ('pending', 'running')
