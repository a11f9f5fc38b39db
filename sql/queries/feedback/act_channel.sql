-- feedback/act_channel - the kind of a project's channel.
-- $1 project id
-- $2 channel name
-- columns: kind
SELECT kind FROM midwatch.channels
WHERE project_id = $1 AND name = $2
