-- notify/channel_remove - removes a channel (no row when none has the name).
-- $1 project id
-- $2 channel name
-- columns: kind
DELETE FROM midwatch.channels
WHERE project_id = $1 AND name = $2 RETURNING kind
