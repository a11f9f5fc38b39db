-- pipeline/alert_cand_health - a health rule's candidates: health checks of a service in
-- a status (== or !=) for for_seconds, fingerprint
-- "rule:<id>:health:<service>".
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 rule id
-- $5 rule severity
-- $6 op (== or !=)
-- $7 status (healthy, degraded, down)
-- $8 for (interval)
-- columns: fingerprint service_id incident_id title message severity score fired_at last_at details
WITH pts AS (
  SELECT h.service_id, h.ts, h.status FROM midwatch.health_checks h
   WHERE h.project_id = $1 AND h.ts >= $2::timestamptz - $8::interval
     AND h.ts <= $3::timestamptz),
 w AS (
  SELECT p.service_id, p.ts,
         bool_and(CASE WHEN $6::text = '!=' THEN p.status <> $7::text
                       ELSE p.status = $7::text END) OVER win AS held,
         min(p.ts) OVER win AS since
    FROM pts p
  WINDOW win AS (PARTITION BY p.service_id ORDER BY p.ts
                 RANGE BETWEEN $8::interval PRECEDING AND CURRENT ROW)),
 hit AS (
  SELECT service_id, min(ts) AS fired_at, max(ts) AS last_at
    FROM w
   WHERE held AND ts >= $2::timestamptz
     AND ts - since >= $8::interval * 0.9
   GROUP BY 1),
 cand AS (
  SELECT 'rule:' || $4::bigint || ':health:' || h.service_id
             AS fingerprint,
         h.service_id,
         midwatch.incident_for($1, h.service_id, h.fired_at, h.fired_at)
             AS incident_id,
         s.name || CASE WHEN $6::text = '!=' THEN ' not ' ELSE ' ' END
         || $7::text || ' (health checks)' AS title,
         s.name || ': health checks reported '
         || CASE WHEN $6::text = '!=' THEN 'not ' ELSE '' END
         || $7::text || ' for ' || (CASE WHEN extract(epoch FROM $8::interval) < 120 THEN extract(epoch FROM $8::interval)::bigint || ' s' ELSE (extract(epoch FROM $8::interval) / 60)::bigint || ' min' END)
         || ' from '
         || midwatch.rfc3339(h.fired_at) AS message,
         $5::text AS severity, NULL::float8 AS score,
         h.fired_at, h.last_at,
         jsonb_build_object('source', 'health', 'status', $7::text)
             AS details
    FROM hit h
    JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = h.service_id
   WHERE NOT midwatch.in_maintenance($1, h.service_id, h.fired_at))
SELECT fingerprint, service_id, incident_id, title, message, severity,
  score, fired_at, last_at, details FROM cand
