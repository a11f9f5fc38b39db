-- cli/project_setting_write - sets (or, value NULL, unsets) a per-project
-- setting, audited when it changed; the value before and after (JSON text,
-- NULL: the default) and whether an audit entry was written.
-- $1 project id
-- $2 key
-- $3 seconds (NULL: unset)
-- $4 actor
-- columns: before, after, changed
WITH old AS (SELECT p.settings -> $2 AS v FROM midwatch.projects p
              WHERE p.id = $1 FOR UPDATE),
     upd AS (UPDATE midwatch.projects p SET settings = CASE
               WHEN $3::float8 IS NULL THEN p.settings - $2
               ELSE p.settings || jsonb_build_object($2, $3::float8) END
              WHERE p.id = $1 RETURNING p.settings -> $2 AS v),
     aud AS (INSERT INTO midwatch.audit_entries (project_id, actor,
               action, target, details)
             SELECT $1, $4, 'project.setting', 'project_setting:' || $2,
                    jsonb_build_object('before', o.v, 'after', u.v)
               FROM old o, upd u WHERE o.v IS DISTINCT FROM u.v RETURNING 1)
SELECT (SELECT v::text FROM old) AS before, (SELECT v::text FROM upd) AS after,
       (SELECT count(*) FROM aud) AS changed
