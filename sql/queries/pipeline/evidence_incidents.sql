-- pipeline/evidence_incidents - the approved incidents this run touched
-- (midwatch.run_incidents(), sql/010_touched.sql), with their window.
-- $1 project id
-- $2 run id
-- $3 window start (RFC 3339)
-- $4 window end (RFC 3339)
-- columns: id, window_start, window_end, service_id
SELECT i.id, midwatch.rfc3339_us(i.window_start) AS window_start,
midwatch.rfc3339_us(i.window_end) AS window_end, i.service_id
FROM midwatch.incidents i
WHERE i.project_id = $1 AND i.status <> 'suppressed'
AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint,
 $3::timestamptz, $4::timestamptz))
ORDER BY i.window_start, i.id
