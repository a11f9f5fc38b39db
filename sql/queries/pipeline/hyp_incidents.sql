-- pipeline/hyp_incidents - the approved incidents this run touched (onset:
-- epoch seconds).
-- $1 project id
-- $2 run id
-- $3 window start (RFC 3339)
-- $4 window end (RFC 3339)
-- columns: id, service_id, onset
SELECT i.id, i.service_id, extract(epoch FROM i.window_start) AS onset
FROM midwatch.incidents i
WHERE i.project_id = $1 AND i.status <> 'suppressed'
AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint,
 $3::timestamptz, $4::timestamptz))
ORDER BY i.window_start, i.id
