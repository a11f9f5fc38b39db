-- pipeline/recommend_count - counts the recommendations of the run's open and
-- triaged incidents and the publishable ones (a statement of its own: it must
-- see the gate's update).
-- $1 project id
-- $2 run id
-- $3 window start (RFC 3339)
-- $4 window end (RFC 3339)
-- columns: publishable, total
WITH touched AS (
	SELECT i.id, i.project_id, i.service_id
	  FROM midwatch.incidents i
	 WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')
	   AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint,
	       $3::timestamptz, $4::timestamptz)))
SELECT count(*) FILTER (WHERE r.publishable) AS publishable, count(*) AS total
  FROM midwatch.recommendations r
  JOIN touched i ON r.project_id = i.project_id AND r.incident_id = i.id
