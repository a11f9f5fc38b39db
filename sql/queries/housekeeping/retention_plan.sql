-- housekeeping/retention_plan - the tables retention covers, in order.
-- $1 project id (only checked to be given)
-- columns: table_name
SELECT table_name FROM midwatch.retention_plan
WHERE $1::bigint IS NOT NULL
