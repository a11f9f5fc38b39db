-- feedback/act_run - queues an action run of a recommendation.
-- $1 project id
-- $2 recommendation id
-- $3 incident id
-- $4 feedback event id
-- $5 action
-- $6 channel
-- $7 params (jsonb)
-- $8 requested by
-- $9 idempotency key
-- $10 next retry at (NULL: now)
-- columns:
INSERT INTO midwatch.recommendation_action_runs (project_id,
      recommendation_id, incident_id, feedback_event_id, action,
      channel, params, requested_by, idempotency_key, next_retry_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9,
        coalesce($10::timestamptz, now()))
