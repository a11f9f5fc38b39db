-- ingest/dead_letters - stores dead letters (lines refused, with the reason);
-- how many are new.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted
WITH r AS (
  INSERT INTO midwatch.ingest_errors (project_id, source_id, source, line_no,
         payload, error)
  SELECT $1, source_id, source, line_no, payload, error
    FROM jsonb_to_recordset($2::jsonb) AS x(source_id bigint, source text,
         line_no integer, payload text, error text)
  ON CONFLICT DO NOTHING
  RETURNING 1)
SELECT count(*) AS inserted FROM r
