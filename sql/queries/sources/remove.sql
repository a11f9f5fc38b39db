-- sources/remove - removes a pulled source (no row when none has the name).
-- $1 project id
-- $2 name
-- columns: kind
DELETE FROM midwatch.ingest_sources
WHERE project_id = $1 AND name = $2
  AND kind IN ('prometheus', 'alertmanager') RETURNING kind
