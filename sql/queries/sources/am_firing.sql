-- sources/am_firing - the alerts of an Alertmanager source still firing here
-- (the latest state per fingerprint), with what a resolve needs.
-- $1 project id
-- $2 source name
-- columns: fingerprint, labels, annotations, starts_at
SELECT fingerprint, labels::text AS labels, annotations::text AS annotations,
      coalesce(extra->>'starts_at',
          midwatch.rfc3339(ts))
      AS starts_at
 FROM (SELECT DISTINCT ON (fingerprint) * FROM midwatch.external_alerts
        WHERE project_id = $1 AND extra->>'midwatch_source' = $2
        ORDER BY fingerprint, ts DESC, (status = 'resolved') DESC) l
WHERE l.status = 'firing'
