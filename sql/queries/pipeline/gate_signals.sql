-- pipeline/gate_signals - the signals touching the window (not an
-- investigation's), and the rest of the incidents they were attached to.
-- $1 project id
-- $2 window start
-- $3 window end
-- $4 slack (seconds, gate.slack)
-- $5 minimum points of a signal (detect.min_points)
-- columns: id signal_type status service_id svc_name metric_name ref severity
-- columns: quality_score onset ended baseline peak_value flapping message
-- columns: alertname checks dedupe_key funnel revenue_low revenue_high
-- columns: incident_id spike blind
WITH base AS (SELECT id, incident_id FROM midwatch.signals
 WHERE project_id = $1 AND onset_at <= $3
 AND coalesce(details ->> 'source', '') <> 'investigate'
 AND coalesce(ended_at, $3::timestamptz)
  >= $2::timestamptz - make_interval(secs => $4::float8))
SELECT s.id, s.signal_type, s.status, s.service_id, v.name AS svc_name,
s.metric_name, s.ref, s.severity, s.quality_score,
extract(epoch FROM s.onset_at) AS onset,
extract(epoch FROM coalesce(s.ended_at, $3::timestamptz)) AS ended,
s.baseline, s.peak_value,
midwatch.signal_flapping(s.details) AS flapping,
s.details ->> 'message' AS message, s.details ->> 'alertname' AS alertname,
s.details ->> 'checks' AS checks, s.dedupe_key, s.details ->> 'funnel' AS funnel,
s.details -> 'revenue_at_risk' ->> 'low' AS revenue_low,
s.details -> 'revenue_at_risk' ->> 'high' AS revenue_high, s.incident_id,
midwatch.signal_spike(s.details) AS spike,
-- blind: new error text its service's metrics cannot judge (fewer scrapes
-- while it lasted than a signal needs: a coarse scrape step, a gap)
s.signal_type = 'error_fingerprint_new'
 AND s.service_id IS NOT NULL AND (SELECT count(DISTINCT p.ts)
  FROM midwatch.metric_points p WHERE p.project_id = s.project_id
  AND p.service_id = s.service_id AND p.ts BETWEEN s.onset_at
  AND coalesce(s.ended_at, s.onset_at)) < $5::int AS blind
FROM midwatch.signals s LEFT JOIN midwatch.services v
 ON v.project_id = s.project_id AND v.id = s.service_id
WHERE s.project_id = $1 AND s.onset_at <= $3
AND coalesce(s.details ->> 'source', '') <> 'investigate'
AND (s.id IN (SELECT id FROM base)
 OR s.incident_id IN (SELECT incident_id FROM base))
ORDER BY s.onset_at, s.id
