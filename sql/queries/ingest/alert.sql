-- ingest/alert - upserts external alerts on (fingerprint, ts, status); an
-- alert without labels.service is attached to an existing service named by
-- its app or job label, when there is one; counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (fingerprint, ts, status) *
    FROM jsonb_to_recordset($2::jsonb) AS x(ts timestamptz, fingerprint text,
         status text, labels jsonb, annotations jsonb, source text,
         severity text, service_id bigint, extra jsonb, _line bigint)
   ORDER BY fingerprint, ts, status, _line DESC),
 r AS (
  INSERT INTO midwatch.external_alerts AS a
         (project_id, ts, fingerprint, status, labels, annotations, source,
          severity, service_id, extra)
  SELECT $1, x.ts, x.fingerprint, x.status, coalesce(x.labels, '{}'),
         coalesce(x.annotations, '{}'), x.source, x.severity,
         coalesce(x.service_id,
                  (SELECT s.id FROM midwatch.services s
                    WHERE s.project_id = $1
                      AND s.name IN (x.labels->>'app', x.labels->>'job',
                                     x.labels->>'service_name',
                                     x.labels->>'app_kubernetes_io_name')
                    ORDER BY s.id LIMIT 1)),
         coalesce(x.extra, '{}')
    FROM x
  ON CONFLICT (project_id, fingerprint, ts, status) DO UPDATE
     SET labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
         source = EXCLUDED.source, severity = EXCLUDED.severity,
         service_id = EXCLUDED.service_id, extra = EXCLUDED.extra
   WHERE (a.labels, a.annotations, a.source, a.severity, a.service_id,
          a.extra)
         IS DISTINCT FROM (EXCLUDED.labels, EXCLUDED.annotations,
         EXCLUDED.source, EXCLUDED.severity, EXCLUDED.service_id,
         EXCLUDED.extra)
  RETURNING (xmax = 0) AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
