-- model/history - an item's feedback history for its detail view: the
-- newest MODEL_MAX_HISTORY feedback_events on one incident, hypothesis,
-- evidence item, recommendation or alert, oldest first, with the payload
-- summarised.
-- $1 project id
-- $2 target kind
-- $3 target id
-- $4 the most events (MODEL_MAX_HISTORY)
-- columns: at, actor, action, summary, note
SELECT extract(epoch FROM x.created_at) AS at, x.actor,
       x.event_type AS action,
       x.summary, x.note
  FROM (SELECT f.id, f.created_at, coalesce(f.actor_id, f.actor_type)
               AS actor, f.event_type,
               coalesce((SELECT string_agg(k.key || '=' || left(
                   CASE jsonb_typeof(k.value) WHEN 'string'
                   THEN k.value #>> '{}' ELSE k.value::text END, 80),
                   ', ' ORDER BY k.key)
                 FROM jsonb_each(f.payload) k), '') AS summary,
               CASE WHEN f.event_type = 'human_note_added'
                    THEN f.payload ->> 'text' END AS note
          FROM midwatch.feedback_events f
         WHERE f.project_id = $1 AND f.target_kind = $2
           AND f.target_id = $3
         ORDER BY f.created_at DESC, f.id DESC LIMIT $4) x
 ORDER BY x.created_at, x.id
