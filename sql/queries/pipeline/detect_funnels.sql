-- pipeline/detect_funnels - the funnels with snapshots in the window, each
-- with the service of its name (the lowest id), if any.
-- $1 project id
-- $2 window start
-- $3 window end
-- columns: funnel_type service_id
SELECT f.funnel_type, (SELECT s.id FROM midwatch.services s
  WHERE s.project_id = $1 AND s.name = f.funnel_type ORDER BY s.id
  LIMIT 1) AS service_id
 FROM midwatch.funnel_snapshots f WHERE f.project_id = $1
 AND f.ts >= $2 AND f.ts <= $3 GROUP BY 1 ORDER BY 1
