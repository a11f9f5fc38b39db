-- notify/channel_load - a channel by name.
-- $1 project id
-- $2 channel name
-- columns: name, kind, url, settings
SELECT name, kind, url, settings::text
 FROM midwatch.channels WHERE project_id = $1 AND name = $2
