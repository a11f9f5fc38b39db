-- sources/list - the pulled sources with their state, as one JSON array.
-- $1 project id
-- $2 name (NULL: all)
-- columns: sources
SELECT coalesce(json_agg(json_build_object(
 'name', s.name, 'kind', s.kind, 'url', s.config->>'url',
 'settings', coalesce(s.config->'settings', '{}'),
 'cursor', s.cursor, 'status', s.status, 'retries', s.retries,
 'last_ok_at', midwatch.rfc3339(s.last_ok_at),
 'last_attempt_at', midwatch.rfc3339(s.last_attempt_at),
 'next_retry_at', midwatch.rfc3339(s.next_retry_at),
 'last_error', s.last_error,
 'errors', (SELECT count(*) FROM midwatch.ingest_errors e
   WHERE e.project_id = s.project_id AND e.source_id = s.id
     AND e.resolved_at IS NULL))
 ORDER BY s.name), '[]')::text AS sources
FROM midwatch.ingest_sources s
WHERE s.project_id = $1 AND s.kind IN ('prometheus', 'alertmanager')
  AND ($2::text IS NULL OR s.name = $2)
