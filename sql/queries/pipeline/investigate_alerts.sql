-- pipeline/investigate_alerts - active external alerts of at least a severity
-- in a window that no approved incident covers and no investigation ran for,
-- the worst and newest first.
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 minimum severity rank
-- $5 at most this many
-- columns: dedupe_key onset name id
SELECT s.dedupe_key, extract(epoch FROM s.onset_at) AS onset, v.name, s.id
FROM midwatch.signals s JOIN midwatch.services v
 ON v.project_id = s.project_id AND v.id = s.service_id
WHERE s.project_id = $1 AND s.signal_type = 'external_alert'
AND s.status = 'active'
AND midwatch.severity_rank(s.severity) >= $4::int
AND s.onset_at >= $2::timestamptz AND s.onset_at <= $3::timestamptz
AND (s.incident_id IS NULL
 OR NOT midwatch.incident_approved(s.project_id, s.incident_id))
AND NOT EXISTS (SELECT 1 FROM midwatch.pipeline_runs r
 WHERE r.project_id = s.project_id AND r.kind = 'investigate'
 AND r.requested_by = 'alert:' || s.dedupe_key)
ORDER BY midwatch.severity_rank(s.severity) DESC, s.onset_at DESC
LIMIT $5::int
