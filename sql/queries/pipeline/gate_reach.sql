-- pipeline/gate_reach - the call paths (caller, callee) among the given
-- services, and the pairs that call one external dependency.
-- $1 project id
-- $2 service ids (bigint[])
-- columns: src dst
WITH RECURSIVE seeds AS (SELECT unnest($2::bigint[]) AS id),
reach (src, dst) AS (
 SELECT d.from_service_id, d.to_service_id
 FROM midwatch.service_dependencies d JOIN seeds s
  ON s.id = d.from_service_id
 WHERE d.project_id = $1 AND d.to_service_id IS NOT NULL
 UNION
 SELECT r.src, d.to_service_id FROM reach r
 JOIN midwatch.service_dependencies d ON d.project_id = $1
  AND d.from_service_id = r.dst WHERE d.to_service_id IS NOT NULL)
SELECT src, dst FROM reach WHERE dst IN (SELECT id FROM seeds)
AND src <> dst
UNION
SELECT a.from_service_id, b.from_service_id
FROM midwatch.service_dependencies a
JOIN midwatch.service_dependencies b ON b.project_id = a.project_id
 AND b.to_name = a.to_name AND b.from_service_id <> a.from_service_id
WHERE a.project_id = $1 AND a.dep_kind = 'external'
 AND b.dep_kind = 'external'
 AND a.from_service_id IN (SELECT id FROM seeds)
 AND b.from_service_id IN (SELECT id FROM seeds)
