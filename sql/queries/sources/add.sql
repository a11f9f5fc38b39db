-- sources/add - adds a pulled source unless one has the name (no row then).
-- $1 project id
-- $2 kind (prometheus, alertmanager)
-- $3 name
-- $4 config (JSON text: url, settings)
-- columns: id
INSERT INTO midwatch.ingest_sources (project_id, kind, name, config)
SELECT $1, $2, $3, $4::jsonb WHERE NOT EXISTS (
  SELECT 1 FROM midwatch.ingest_sources WHERE project_id = $1
     AND name = $3 AND kind IN ('prometheus', 'alertmanager'))
RETURNING id
