-- ingest/error - inserts error events, a stored dedupe_key skipped; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH r AS (
  INSERT INTO midwatch.error_events
         (project_id, service_id, ts, severity, error_type, message,
          fingerprint, dedupe_key, extra)
  SELECT $1, service_id, ts, severity, error_type, message, fingerprint,
         dedupe_key, coalesce(extra, '{}')
    FROM jsonb_to_recordset($2::jsonb) AS x(service_id bigint,
         ts timestamptz, severity text, error_type text, message text,
         fingerprint text, dedupe_key text, extra jsonb)
  ON CONFLICT (project_id, dedupe_key) DO NOTHING
  RETURNING true AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
