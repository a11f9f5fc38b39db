-- notify/channel_dead_letter - the waiting messages of a removed channel
-- become dead letters.  A message whose send is in flight keeps its claim;
-- it fails on its next attempt for want of the channel.
-- $1 project id
-- $2 channel name
-- columns: id
UPDATE midwatch.outbound_messages SET status = 'dead',
      last_error = 'channel removed'
WHERE project_id = $1 AND channel = $2
  AND status IN ('pending', 'failed') RETURNING id
