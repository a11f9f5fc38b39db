-- feedback/repeat - the target's latest event (notes aside) and whether it
-- is a repeat that changes nothing: the same person's same action with the
-- same payload.  No clock is involved: a repeat an hour later is still one,
-- and anything in between (another person, another action, the pipeline
-- moving the status) makes the next press count again.
-- $1 project id
-- $2 target kind
-- $3 target id
-- $4 actor id
-- $5 event type
-- $6 payload (JSON text)
-- columns: id, repeat
SELECT f.id, (f.actor_id IS NOT DISTINCT FROM $4 AND f.event_type = $5
             AND f.payload = $6::jsonb) AS repeat
 FROM midwatch.feedback_events f
WHERE f.project_id = $1 AND f.target_kind = $2 AND f.target_id = $3::bigint
  AND f.event_type <> 'human_note_added'
ORDER BY f.id DESC LIMIT 1
