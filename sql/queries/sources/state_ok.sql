-- sources/state_ok - a pull that worked: the source is ok again, its cursor
-- moves on, and the dead letters of its earlier failures are resolved.
-- $1 project id
-- $2 source id
-- $3 cursor (JSON text; NULL keeps it)
-- columns: none
WITH s AS (UPDATE midwatch.ingest_sources SET status = 'ok',
      last_ok_at = now(), last_attempt_at = now(), retries = 0,
      last_error = NULL, next_retry_at = NULL,
      cursor = coalesce($3::jsonb, cursor)
WHERE project_id = $1 AND id = $2 RETURNING id)
UPDATE midwatch.ingest_errors SET resolved_at = now()
 WHERE project_id = $1 AND source_id = $2 AND line_no IS NULL
   AND resolved_at IS NULL AND EXISTS (SELECT 1 FROM s)
