-- pipeline/gate_reopened - the system feedback event of a reopened incident
-- (once per run).
-- $1 project id
-- $2 run id
-- $3 incident id
-- $4 reason
-- columns:
INSERT INTO midwatch.feedback_events (project_id, actor_type,
actor_id, event_type, target_kind, target_id, incident_id,
payload, idempotency_key)
VALUES ($1, 'system', 'midwatch', 'incident_reopened',
 'incident', $3::bigint, $3::bigint,
 jsonb_build_object('reason', $4::text, 'run_id', $2::bigint,
  'automatic', true),
 'system:incident_reopened:' || $3 || ':' || $2)
ON CONFLICT DO NOTHING
