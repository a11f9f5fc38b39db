-- pipeline/run_lock_holder - the run holding the pipeline lock, if any, and
-- the pid of the session holding the advisory lock.
-- $1 project id
-- $2 lock key
-- columns: requested_by, id, started_at, pid
SELECT r.requested_by, r.id, midwatch.rfc3339_us(r.started_at) AS started_at,
(SELECT l.pid FROM pg_locks l
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.classid::bigint = ($2::bigint >> 32)
    AND l.objid::bigint = ($2::bigint & 4294967295) LIMIT 1) AS pid
FROM (SELECT 1) one LEFT JOIN midwatch.pipeline_runs r
  ON r.project_id = $1 AND r.status IN ('pending', 'running')
ORDER BY r.id DESC LIMIT 1
