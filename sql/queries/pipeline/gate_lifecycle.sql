-- pipeline/gate_lifecycle - the lifecycle of every signal still alive and of
-- everything the run (re)wrote: ended long ago expired; else in an approved
-- incident diagnosed; else watch when flapping, a spike or weak; else active.
-- $1 project id
-- $2 window end
-- $3 expiry (seconds, gate.expire)
-- $4 policy version
-- $5 run id
-- $6 watch quality
-- columns:
UPDATE midwatch.signals s SET status = CASE
 WHEN s.ended_at < $2::timestamptz - make_interval(secs => $3::float8)
 THEN 'expired'
 WHEN EXISTS (SELECT 1 FROM midwatch.incident_decisions d
  WHERE d.project_id = s.project_id AND d.incident_id = s.incident_id
  AND d.policy_version = $4 AND d.decision = 'approved')
 THEN 'diagnosed'
 WHEN midwatch.signal_watched(s.details, s.quality_score,
  $6::float8) THEN 'watch'
 ELSE 'active' END
WHERE s.project_id = $1 AND (s.status <> 'expired' OR s.run_id = $5)
