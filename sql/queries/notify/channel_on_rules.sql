-- notify/channel_on_rules - puts a channel on every alert rule of the
-- project that lacks it (rules name channels by name; kind is a hint for
-- old rows); returns the rules changed.
-- $1 project id
-- $2 channel name
-- $3 channel kind
-- columns: id
UPDATE midwatch.alert_rules SET channels = channels ||
      jsonb_build_array(jsonb_build_object('name', $2::text,
          'kind', $3::text))
WHERE project_id = $1 AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(channels) e
       WHERE coalesce(e->>'name', e #>> '{}') = $2)
RETURNING id
