-- sources/sources - the pulled sources that are not disabled, and whether
-- each is due (columns id..retries as src_load reads them).
-- $1 project id
-- $2 name (NULL: all)
-- columns: id, kind, name, config, cursor, retries, due
SELECT id, kind, name, config::text AS config, cursor::text AS cursor, retries,
      next_retry_at IS NULL OR next_retry_at <= now() AS due
 FROM midwatch.ingest_sources
WHERE project_id = $1 AND kind IN ('prometheus', 'alertmanager')
  AND status <> 'disabled' AND ($2::text IS NULL OR name = $2)
ORDER BY name
