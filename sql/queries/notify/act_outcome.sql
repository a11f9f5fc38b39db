-- notify/act_outcome - a run's state after an attempt: succeeded (with its
-- result), pending (tried again after a delay) or failed.
-- $1 project id
-- $2 run id
-- $3 new status (succeeded, pending, failed)
-- $4 error (NULL: none)
-- $5 result (JSON text)
-- $6 delay before the next attempt, seconds
-- columns: none
UPDATE midwatch.recommendation_action_runs SET status = $3,
      error = $4, result = CASE WHEN $3 = 'succeeded'
          THEN $5::jsonb ELSE result END,
      next_retry_at = CASE WHEN $3 = 'pending'
          THEN now() + make_interval(secs => $6::double precision)
          ELSE next_retry_at END,
      finished_at = CASE WHEN $3 IN ('succeeded', 'failed')
          THEN now() END
WHERE project_id = $1 AND id = $2
