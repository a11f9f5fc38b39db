-- pipeline/hyp_services - the project's services, whether each is a database,
-- and whether a database has no point in the first minutes of the incident
-- (silent).
-- $1 project id
-- $2 incident id
-- $3 rank.silent_window (s)
-- columns: id, name, tier, is_db, silent
WITH x AS (SELECT s.id, s.name, s.tier,
coalesce(s.tier = 'database', false) OR EXISTS
 (SELECT 1 FROM midwatch.service_dependencies d
  WHERE d.project_id = $1 AND d.to_service_id = s.id
  AND d.dep_kind = 'database') AS is_db
FROM midwatch.services s WHERE s.project_id = $1)
SELECT x.id, x.name, x.tier, x.is_db, x.is_db AND NOT EXISTS
 (SELECT 1 FROM midwatch.metric_points p, midwatch.incidents i
  WHERE i.project_id = $1 AND i.id = $2::bigint
  AND p.project_id = $1 AND p.service_id = x.id
  AND p.ts BETWEEN i.window_start
  AND i.window_start + make_interval(secs => $3::float8)) AS silent
FROM x ORDER BY x.id
