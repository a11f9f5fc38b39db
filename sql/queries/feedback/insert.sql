-- feedback/insert - inserts a feedback event under its idempotency key: a
-- conflict means this intent was recorded before (a retry, a replay from the
-- journal), and nothing changes.
-- $1 project id
-- $2 actor type (user, system, integration)
-- $3 actor id
-- $4 event type
-- $5 target kind
-- $6 target id
-- $7 incident id (NULL when none)
-- $8 payload (JSON text)
-- $9 idempotency key
-- columns: new_id, existing_id
-- new_id: the new event's id, NULL on a conflict; existing_id: the id of the
-- event recorded under the key.
WITH ins AS (
	INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,
	       event_type, target_kind, target_id, incident_id, payload,
	       idempotency_key)
	VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8::jsonb, $9)
	ON CONFLICT (project_id, idempotency_key) DO NOTHING
	RETURNING id)
SELECT (SELECT id FROM ins) AS new_id,
       (SELECT f.id FROM midwatch.feedback_events f
         WHERE f.project_id = $1 AND f.idempotency_key = $9) AS existing_id
