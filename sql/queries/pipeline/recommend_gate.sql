-- pipeline/recommend_gate - re-gates every recommendation of the run's open
-- and triaged incidents (also those whose hypothesis went away); the rows
-- changed.
-- $1 project id
-- $2 run id
-- $3 window start (RFC 3339)
-- $4 window end (RFC 3339)
-- columns: gated
WITH touched AS (
	SELECT i.id, i.project_id, i.service_id
	  FROM midwatch.incidents i
	 WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')
	   AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint,
	       $3::timestamptz, $4::timestamptz))),
ids AS (SELECT r.id FROM midwatch.recommendations r
         JOIN touched i ON r.project_id = i.project_id
          AND r.incident_id = i.id)
SELECT midwatch.apply_recommendation_gate($1,
           ARRAY(SELECT id FROM ids)) AS gated
