-- rules/put - adds a rule or changes it when it differs, audited with the
-- rule before and after (the rule object: the shape of rules/list.sql, to
-- change together); a row, ins true when added, false when changed, none
-- when nothing changed.
-- $1 project id
-- $2 name
-- $3 description
-- $4 kind
-- $5 config (JSON text)
-- $6 severity
-- $7 channel names (JSON array text)
-- $8 enabled (true, false)
-- $9 cooldown, seconds
-- $10 actor
-- columns: ins
WITH old AS (SELECT b.name, b.description, b.kind, b.config, b.severity,
                    b.enabled, b.channels, b.cooldown_seconds
               FROM midwatch.alert_rules b
              WHERE b.project_id = $1 AND b.name = $2),
ch AS (SELECT coalesce(jsonb_agg(jsonb_build_object('name', c.name,
    'kind', c.kind) ORDER BY x.n), '[]') AS j
  FROM jsonb_array_elements_text($7::jsonb) WITH ORDINALITY x (name, n)
  JOIN midwatch.channels c ON c.project_id = $1 AND c.name = x.name),
up AS (INSERT INTO midwatch.alert_rules AS r (project_id, name,
    description, kind, config, severity, enabled, channels,
    cooldown_seconds, created_by)
  SELECT $1, $2, $3, $4, $5::jsonb, $6, $8::boolean, ch.j,
         $9::integer, $10 FROM ch
  ON CONFLICT (project_id, name) DO UPDATE SET
    description = EXCLUDED.description, kind = EXCLUDED.kind,
    config = EXCLUDED.config, severity = EXCLUDED.severity,
    enabled = EXCLUDED.enabled, channels = EXCLUDED.channels,
    cooldown_seconds = EXCLUDED.cooldown_seconds
  WHERE (r.description, r.kind, r.config, r.severity, r.enabled,
         r.channels, r.cooldown_seconds)
    IS DISTINCT FROM (EXCLUDED.description, EXCLUDED.kind,
         EXCLUDED.config, EXCLUDED.severity, EXCLUDED.enabled,
         EXCLUDED.channels, EXCLUDED.cooldown_seconds)
  RETURNING (xmax = 0) AS ins, r.name, r.description, r.kind, r.config,
         r.severity, r.enabled, r.channels, r.cooldown_seconds),
-- the rule object of the row before and after
shaped AS (
  SELECT s.is_after,
         jsonb_build_object('name', s.name, 'description', s.description,
           'kind', s.kind, 'config', s.config - 'hold_down_seconds',
           'severity', s.severity, 'enabled', s.enabled,
           'channels', (SELECT coalesce(jsonb_agg(coalesce(e->>'name',
               e #>> '{}') ORDER BY n), '[]')
               FROM jsonb_array_elements(s.channels) WITH ORDINALITY AS x (e, n)),
           'cooldown_seconds', s.cooldown_seconds,
           'hold_down_seconds',
               coalesce((s.config->>'hold_down_seconds')::integer, 600)) AS j
    FROM (SELECT false AS is_after, o.* FROM old o
          UNION ALL
          SELECT true, u.name, u.description, u.kind, u.config, u.severity,
                 u.enabled, u.channels, u.cooldown_seconds FROM up u) s),
aud AS (INSERT INTO midwatch.audit_entries (project_id, actor, action,
    target, details)
  SELECT $1, $10, CASE WHEN up.ins THEN 'rule.added'
         ELSE 'rule.changed' END, 'rule:' || $2,
         jsonb_build_object('before', (SELECT j FROM shaped WHERE NOT is_after),
             'after', (SELECT j FROM shaped WHERE is_after)) FROM up)
SELECT ins FROM up
