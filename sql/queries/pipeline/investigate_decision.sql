-- pipeline/investigate_decision - upserts the approval of an investigation's
-- incident.
-- $1 project id
-- $2 run id
-- $3 incident id
-- $4 rationale
-- $5 policy version
-- columns:
INSERT INTO midwatch.incident_decisions AS d (project_id, run_id,
incident_id, decision, rationale, policy_version, details)
VALUES ($1, $2, $3, 'approved', $4, $5,
 '{"source": "investigate"}')
ON CONFLICT (project_id, incident_id, policy_version) DO UPDATE SET
 run_id = EXCLUDED.run_id, decision = EXCLUDED.decision,
 rationale = EXCLUDED.rationale, details = EXCLUDED.details,
 decided_at = CASE WHEN d.decision = EXCLUDED.decision
  THEN d.decided_at ELSE now() END
