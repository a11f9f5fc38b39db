-- cli/retention_policies - the retention policies, one table a row, in the
-- order retention runs.
-- $1 project id (only checked to be given)
-- columns: table_name, ts_column, keep, note
SELECT table_name, ts_column, coalesce(keep_days::text, 'forever') AS keep,
       coalesce(note, '') AS note
  FROM midwatch.retention_policies WHERE $1::bigint IS NOT NULL
 ORDER BY midwatch.retention_order(table_name), table_name
