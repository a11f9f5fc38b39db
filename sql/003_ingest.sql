-- 003_ingest.sql - what ingest needs beyond 001_schema.sql.
--
-- Every kind of the JSON Lines format keeps its unknown fields in a jsonb
-- column; maintenance_windows had none.  (Applied by the migration runner in
-- one transaction; idempotent.)

ALTER TABLE midwatch.maintenance_windows
	ADD COLUMN IF NOT EXISTS extra jsonb NOT NULL DEFAULT '{}';
COMMENT ON COLUMN midwatch.maintenance_windows.extra IS
	'Unknown fields of the ingested maintenance line.';
