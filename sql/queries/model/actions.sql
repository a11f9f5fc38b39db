-- model/actions - the actions requested on recommendations
-- (recommendation_action_runs, sql/021_action_runs.sql), as the console's
-- recommendation detail and `midwatch act --list` show them: the runs of
-- the project's recommendations, or of those of the incidents $2, the
-- newest of each recommendation first.
-- $1 project id
-- $2 the incidents' ids (bigint[] literal; NULL: every one)
-- $3 the most runs per recommendation (MODEL_MAX_ACTIONS)
-- columns: id, recommendation_id, incident_id, action, channel, status,
-- columns: attempts, max_retries, next_retry_at, created_at, finished_at,
-- columns: remind_at, text, error, result, task_id, requested_by
SELECT id, recommendation_id, incident_id, action, channel, status,
       attempts, coalesce(max_retries, -1) AS max_retries,
       extract(epoch FROM next_retry_at) AS next_retry_at,
       extract(epoch FROM created_at) AS created_at,
       extract(epoch FROM finished_at) AS finished_at,
       extract(epoch FROM (params->>'at')::timestamptz) AS remind_at,
       params->>'text' AS text, error, result::text AS result,
       result->>'task_id' AS task_id, requested_by
  FROM (SELECT r.*, row_number() OVER (PARTITION BY r.recommendation_id
                                       ORDER BY r.id DESC) AS n
          FROM midwatch.recommendation_action_runs r
         WHERE r.project_id = $1
           AND ($2::bigint[] IS NULL OR r.incident_id = ANY ($2::bigint[])))
       x
 WHERE n <= $3::integer
 ORDER BY recommendation_id, id DESC
