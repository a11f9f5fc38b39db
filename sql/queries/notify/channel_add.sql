-- notify/channel_add - adds a channel unless the name is taken (no row
-- then).
-- $1 project id
-- $2 channel name
-- $3 kind
-- $4 url
-- $5 settings (JSON text)
-- columns: id
INSERT INTO midwatch.channels (project_id, name, kind, url, settings)
VALUES ($1, $2, $3, $4, $5::jsonb)
ON CONFLICT (project_id, name) DO NOTHING RETURNING id
