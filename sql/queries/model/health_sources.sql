-- model/health_sources - the failing pulled sources (issue 9): how many,
-- and the one failing longest with its error and pull count.
-- $1 project id
-- columns: failing, name, error, retries
SELECT count(*) OVER () AS failing, name,
       coalesce(last_error, 'failing') AS error, retries
  FROM midwatch.ingest_sources
 WHERE project_id = $1 AND status = 'error'
   AND kind IN ('prometheus', 'alertmanager')
 ORDER BY last_ok_at NULLS FIRST, name LIMIT 1
