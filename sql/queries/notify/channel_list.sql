-- notify/channel_list - the channels with delivery counts, as one JSON
-- array (NULL when there is none): configured ones, plus names that messages
-- use without a channel row (kind null), so a dead letter to a channel
-- nobody added is visible too.
-- $1 project id
-- columns: channels
WITH names AS (
	SELECT name FROM midwatch.channels WHERE project_id = $1
	UNION SELECT channel FROM midwatch.outbound_messages
	 WHERE project_id = $1),
counts AS (
	SELECT channel,
	       count(*) FILTER (WHERE status IN ('pending', 'sending', 'failed'))
	           AS pending,
	       count(*) FILTER (WHERE status = 'sent') AS sent,
	       count(*) FILTER (WHERE status = 'dead') AS dead
	  FROM midwatch.outbound_messages WHERE project_id = $1
	 GROUP BY channel),
last AS (
	SELECT DISTINCT ON (m.channel) m.channel, a.attempted_at, a.http_status,
	       a.error
	  FROM midwatch.outbound_attempts a
	  JOIN midwatch.outbound_messages m
	    ON m.project_id = a.project_id AND m.id = a.message_id
	 WHERE a.project_id = $1
	 ORDER BY m.channel, a.attempted_at DESC, a.id DESC)
SELECT json_agg(json_build_object(
	'name', n.name, 'kind', c.kind, 'url', c.url,
	'settings', coalesce(c.settings, '{}'),
	'pending', coalesce(k.pending, 0), 'sent', coalesce(k.sent, 0),
	'dead', coalesce(k.dead, 0),
	'last_attempt_at', midwatch.rfc3339(l.attempted_at),
	'last_status', l.http_status, 'last_error', l.error)
	ORDER BY n.name)::text AS channels
 FROM names n
 LEFT JOIN midwatch.channels c ON c.project_id = $1 AND c.name = n.name
 LEFT JOIN counts k ON k.channel = n.name
 LEFT JOIN last l ON l.channel = n.name
