-- pipeline/gate_maintenance - how many of the services of the given signals
-- are outside a maintenance window at their onset, and the windows' reasons
-- (no row: no service).
-- $1 project id
-- $2 signal ids (bigint[])
-- columns: outside reasons
SELECT count(*) FILTER (WHERE m.id IS NULL) AS outside,
string_agg(DISTINCT m.reason, '; ') AS reasons
FROM (SELECT s.service_id, min(s.onset_at) AS onset
 FROM midwatch.signals s WHERE s.project_id = $1
 AND s.id = ANY ($2::bigint[]) AND s.service_id IS NOT NULL
 GROUP BY 1) a
LEFT JOIN LATERAL (SELECT w.id, w.reason
 FROM midwatch.maintenance_windows w WHERE w.project_id = $1
 AND w.service_id = a.service_id AND w.starts_at <= a.onset
 AND w.ends_at >= a.onset ORDER BY w.starts_at LIMIT 1) m ON true
HAVING count(*) > 0
