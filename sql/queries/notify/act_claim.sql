-- notify/act_claim - claims the picked run for one more attempt under a
-- lease.
-- $1 project id
-- $2 run id
-- $3 lease, seconds
-- $4 the channel's retries (max-attempts - 1), when the run has none yet
-- columns: attempts, max_retries
UPDATE midwatch.recommendation_action_runs SET status = 'running',
      attempts = attempts + 1,
      max_retries = coalesce(max_retries, $4::integer),
      next_retry_at = now() + make_interval(secs => $3::integer)
WHERE project_id = $1 AND id = $2 RETURNING attempts, max_retries
