-- ingest/service_promote - declared services take over auto-created ones of the
-- same name (same id, so rows that referenced them stay attached); counts.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: inserted, updated
WITH x AS (
  SELECT DISTINCT ON (service) service, cluster, namespace, tier, extra
    FROM jsonb_to_recordset($2::jsonb) AS x(service text, cluster text,
         namespace text, tier text, extra jsonb, _line bigint)
   ORDER BY service, _line DESC),
 r AS (
  UPDATE midwatch.services s
     SET cluster = x.cluster, namespace = x.namespace,
         tier = coalesce(x.tier, s.tier),
         extra = (s.extra - 'auto_created') || coalesce(x.extra, '{}')
    FROM x
   WHERE s.project_id = $1 AND s.name = x.service
     AND s.extra ? 'auto_created'
     AND NOT EXISTS (SELECT 1 FROM midwatch.services t
                      WHERE t.project_id = $1 AND t.name = x.service
                        AND t.cluster = x.cluster
                        AND t.namespace = x.namespace AND t.id <> s.id)
  RETURNING false AS ins)
SELECT count(*) FILTER (WHERE ins) AS inserted,
       count(*) FILTER (WHERE NOT ins) AS updated
  FROM r
