-- ingest/health - upserts health checks on (service, ts); counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (service_id, ts) *
    FROM jsonb_to_recordset($2::jsonb) AS x(service_id bigint,
         ts timestamptz, status text, response_time_ms double precision,
         error_rate double precision, extra jsonb, _line bigint)
   ORDER BY service_id, ts, _line DESC),
 r AS (
  INSERT INTO midwatch.health_checks AS h
         (project_id, service_id, ts, status, response_time_ms, error_rate,
          extra)
  SELECT $1, service_id, ts, status, response_time_ms, error_rate,
         coalesce(extra, '{}') FROM x
  ON CONFLICT (project_id, service_id, ts) DO UPDATE
     SET status = EXCLUDED.status,
         response_time_ms = EXCLUDED.response_time_ms,
         error_rate = EXCLUDED.error_rate, extra = EXCLUDED.extra
   WHERE (h.status, h.response_time_ms, h.error_rate, h.extra)
         IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.response_time_ms,
         EXCLUDED.error_rate, EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
