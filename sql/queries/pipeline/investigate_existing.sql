-- pipeline/investigate_existing - the approved open incident that covers the
-- moment (on the service when given); a published one (sql/015_run_output.sql):
-- an incident of a running or dead run is no incident yet.
-- $1 project id
-- $2 the moment
-- $3 slack (seconds)
-- $4 the investigation's own key
-- $5 service id (NULL: any)
-- columns: id
SELECT i.id FROM midwatch.incidents i
WHERE i.project_id = $1 AND i.published AND i.status IN ('open', 'triaged')
AND midwatch.incident_decision(i.project_id, i.id) = 'approved'
AND i.window_start - make_interval(secs => $3::float8)
 <= $2::timestamptz
AND i.window_end + make_interval(secs => $3::float8)
 >= $2::timestamptz
AND NOT (i.dedupe_key = $4 AND i.trigger_type = 'investigation')
AND ($5::bigint IS NULL OR i.service_id = $5::bigint
 OR EXISTS (SELECT 1 FROM midwatch.signals s
  WHERE s.project_id = i.project_id AND s.incident_id = i.id
  AND s.service_id = $5::bigint))
ORDER BY i.trigger_type = 'investigation',
 abs(extract(epoch FROM i.window_start - $2::timestamptz)), i.id
LIMIT 1
