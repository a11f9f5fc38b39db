-- sources/state_failed - a pull that failed: a dead letter (one per distinct
-- failure, its attempts counted), the source's error state and its next
-- retry.
-- $1 project id
-- $2 source id
-- $3 error
-- $4 seconds until the next retry
-- $5 payload (what came back, redacted; NULL: none)
-- columns: none
WITH s AS (UPDATE midwatch.ingest_sources SET status = 'error',
      last_attempt_at = now(), retries = retries + 1,
      last_error = $3,
      next_retry_at = now() + make_interval(secs => $4::float8)
WHERE project_id = $1 AND id = $2 RETURNING id, name,
      next_retry_at)
INSERT INTO midwatch.ingest_errors AS e (project_id, source_id,
      source, payload, error, next_retry_at)
SELECT $1, s.id, s.name, $5, $3, s.next_retry_at FROM s
ON CONFLICT (project_id, source, line_no, payload_md5) DO UPDATE
  SET attempts = e.attempts + 1, error = EXCLUDED.error,
      next_retry_at = EXCLUDED.next_retry_at, resolved_at = NULL,
      source_id = EXCLUDED.source_id
