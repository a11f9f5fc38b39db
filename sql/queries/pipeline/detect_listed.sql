-- pipeline/detect_listed - the metric series with points in a short window,
-- with their services' names and their saved detector states, by service.
-- $1 project id
-- $2 window start
-- $3 window end
-- columns: service_id name metric_name labels_key params resume_at step first_at
SELECT c.service_id, v.name, c.metric_name, c.labels_key, d.params,
 d.resume_at, d.step, d.first_at
 FROM (SELECT DISTINCT service_id, metric_name,
  labels_key FROM midwatch.metric_points WHERE project_id = $1
  AND ts >= $2 AND ts <= $3) c
 JOIN midwatch.services v ON v.project_id = $1 AND v.id = c.service_id
 LEFT JOIN midwatch.detect_state d ON d.project_id = $1
  AND d.service_id = c.service_id AND d.metric_name = c.metric_name
  AND d.labels_key = c.labels_key
 ORDER BY c.service_id, c.metric_name, c.labels_key
