-- notify/channel_off_rules - takes a removed channel off every alert rule
-- naming it; returns the rules changed.
-- $1 project id
-- $2 channel name
-- columns: id
UPDATE midwatch.alert_rules r SET channels = coalesce((SELECT
      jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(r.channels)
      WITH ORDINALITY AS x (e, n)
      WHERE coalesce(e->>'name', e #>> '{}') <> $2), '[]')
WHERE r.project_id = $1 AND EXISTS (
      SELECT 1 FROM jsonb_array_elements(r.channels) e
       WHERE coalesce(e->>'name', e #>> '{}') = $2)
RETURNING id
