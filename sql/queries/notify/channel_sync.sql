-- notify/channel_sync - adds or updates a channel to match a declaration:
-- the row locked, inserted when missing, updated when it differs; the counts
-- and the row before (JSON text: kind and settings, NULL when it is new).
-- $1 project id
-- $2 channel name
-- $3 kind
-- $4 url
-- $5 settings (JSON text)
-- columns: inserted, updated, before
WITH old AS (
	SELECT id, kind, url, settings FROM midwatch.channels
	 WHERE project_id = $1 AND name = $2 FOR UPDATE),
ins AS (
	INSERT INTO midwatch.channels (project_id, name, kind, url, settings)
	SELECT $1, $2, $3, $4, $5::jsonb WHERE NOT EXISTS (SELECT 1 FROM old)
	RETURNING id),
upd AS (
	UPDATE midwatch.channels c SET kind = $3, url = $4,
	       settings = $5::jsonb
	  FROM old o WHERE c.id = o.id AND (o.kind, o.url, o.settings)
	       IS DISTINCT FROM ($3::text, $4::text, $5::jsonb)
	RETURNING c.id)
SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM upd) AS updated,
	(SELECT jsonb_build_object('kind', kind, 'settings', settings)::text
	   FROM old) AS before
