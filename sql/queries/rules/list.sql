-- rules/list - the alert rules with their alert counts, as one JSON array.
-- The rule object has the shape rules/put.sql audits (before, after):
-- change the two together.
-- $1 project id
-- $2 name (NULL: all)
-- columns: rules
SELECT coalesce(jsonb_agg(jsonb_build_object('name', r.name, 'description', r.description,
       'kind', r.kind, 'config', r.config - 'hold_down_seconds',
       'severity', r.severity, 'enabled', r.enabled,
       'channels', (SELECT coalesce(jsonb_agg(coalesce(e->>'name',
           e #>> '{}') ORDER BY n), '[]')
           FROM jsonb_array_elements(r.channels) WITH ORDINALITY AS x (e, n)),
       'cooldown_seconds', r.cooldown_seconds,
       'hold_down_seconds', coalesce((r.config->>'hold_down_seconds')::integer,
           600))
|| jsonb_build_object(
  'last_triggered_at', midwatch.rfc3339(r.last_triggered_at),
  'alerts', coalesce(a.n, 0), 'fired', coalesce(a.fired, 0),
  'active_alerts', coalesce(a.active, 0),
  'last_fired_at', midwatch.rfc3339(a.last))
  ORDER BY r.name), '[]')::text AS rules
 FROM midwatch.alert_rules r
 LEFT JOIN (SELECT rule_id, count(*) AS n, sum(fire_count) AS fired,
       count(*) FILTER (WHERE status IN ('active', 'acknowledged'))
           AS active, max(last_fired_at) AS last
      FROM midwatch.alerts WHERE project_id = $1 GROUP BY rule_id) a
   ON a.rule_id = r.id
WHERE r.project_id = $1 AND ($2::text IS NULL OR r.name = $2)
