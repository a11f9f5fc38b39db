-- pipeline/alert_group - groups the project's alerts by incident, one page
-- per group (the rules are at the top of src/pipeline/alert_group.c): the
-- head pages, members' queued trigger notifications are inhibited (two
-- exceptions page anyway), the head's list the members.  Writes only what
-- changed.  A row of counts.
-- $1 project id
-- $2 window, seconds
-- $3 max hops
-- columns: heads members changed inhibited released head_messages
WITH live AS (
  SELECT a.id, a.service_id, a.incident_id, a.severity, a.status,
         a.group_key AS old_key, a.group_reason AS old_reason,
         coalesce(CASE WHEN a.details ? 'starts_at' THEN (a.details ->> 'starts_at')::timestamptz END, CASE WHEN a.details ? 'fired_at' THEN (a.details ->> 'fired_at')::timestamptz END, a.last_fired_at, a.created_at) AS fired_at
    FROM midwatch.alerts a
   WHERE a.project_id = $1 AND (a.status <> 'resolved'
         OR EXISTS (SELECT 1 FROM midwatch.outbound_messages m
                     WHERE m.project_id = $1 AND m.alert_id = a.id
                       AND m.event = 'trigger' AND m.status = 'pending'
                       AND m.attempts = 0 AND m.body IS NULL))),
 inc AS (
  SELECT i.id, i.service_id, i.window_start, i.window_end,
         i.status IN ('open', 'triaged') AS ongoing
    FROM midwatch.incidents i
   WHERE i.project_id = $1 AND i.status <> 'suppressed'
     AND (i.id IN (SELECT incident_id FROM live)
          OR EXISTS (SELECT 1 FROM live l WHERE l.incident_id IS NULL
             AND l.fired_at BETWEEN i.window_start
                 - make_interval(secs => $2::float8)
             AND coalesce(i.window_end, 'infinity')
                 + make_interval(secs => $2::float8)))),

 isvc AS (
  SELECT inc.id AS inc_id, inc.service_id AS sid, inc.window_start,
         inc.window_end
    FROM inc WHERE inc.service_id IS NOT NULL
  UNION
  SELECT inc.id, g.service_id, inc.window_start, inc.window_end
    FROM inc JOIN midwatch.signals g
      ON g.project_id = $1 AND g.incident_id = inc.id
   WHERE g.service_id IS NOT NULL),

 topo AS (
  SELECT DISTINCT ON (l.id) l.id, s.inc_id
    FROM live l JOIN isvc s
      ON l.fired_at BETWEEN s.window_start
             - make_interval(secs => $2::float8)
         AND coalesce(s.window_end, 'infinity')
             + make_interval(secs => $2::float8)
   CROSS JOIN LATERAL (SELECT coalesce(
         midwatch.service_hops($1, l.service_id, s.sid, $3::integer),
         midwatch.service_hops($1, s.sid, l.service_id, $3::integer)) AS hops) h
   WHERE l.incident_id IS NULL AND l.service_id IS NOT NULL
     AND h.hops IS NOT NULL
     AND midwatch.incident_decision($1, s.inc_id) = 'approved'
   ORDER BY l.id, h.hops, s.window_start DESC, s.inc_id DESC),



 iroot AS (
  SELECT x.id, coalesce((SELECT y.id FROM inc y
     CROSS JOIN LATERAL (SELECT midwatch.service_hops($1, x.service_id, y.service_id, $3::integer) AS h) hh
    WHERE y.id <> x.id AND hh.h > 0
      AND y.window_start <= coalesce(x.window_end, 'infinity')
          + make_interval(secs => $2::float8)
      AND coalesce(y.window_end, 'infinity') >= x.window_start
          - make_interval(secs => $2::float8)
    ORDER BY hh.h DESC, y.window_start, y.id LIMIT 1), x.id) AS gid
    FROM inc x),
 mem AS (
  SELECT l.*, ir.gid
    FROM live l LEFT JOIN inc i ON i.id = l.incident_id
    LEFT JOIN topo t ON t.id = l.id
    LEFT JOIN iroot ir ON ir.id = coalesce(i.id, t.inc_id)),


 up AS (
  SELECT m.*,
         (SELECT count(DISTINCT o.service_id) FROM mem o
           WHERE o.gid = m.gid AND o.service_id <> m.service_id
             AND midwatch.service_hops($1, o.service_id, m.service_id, $3::integer)
                 IS NOT NULL)
       - (SELECT count(DISTINCT o.service_id) FROM mem o
           WHERE o.gid = m.gid AND o.service_id <> m.service_id
             AND midwatch.service_hops($1, m.service_id, o.service_id, $3::integer)
                 IS NOT NULL) AS upstream
    FROM mem m WHERE m.gid IS NOT NULL),
 ranked AS (
  SELECT u.id, u.gid, first_value(u.id) OVER w AS head_id,
         first_value(u.severity) OVER w AS head_sev,
         first_value(u.id) OVER ws AS sev_first,
         u.status <> 'resolved' AND NOT gi.ongoing AS outlived
    FROM up u JOIN inc gi ON gi.id = u.gid
  WINDOW w AS (PARTITION BY u.gid ORDER BY u.status = 'resolved',
         u.upstream DESC,
         midwatch.severity_rank(u.severity) DESC NULLS LAST,
         u.fired_at, u.id),


  ws AS (PARTITION BY u.gid, midwatch.severity_rank(u.severity)
         ORDER BY u.status = 'resolved', u.upstream DESC, u.fired_at,
         u.id)),
 want AS (
  SELECT l.id, 'incident:' || r.gid AS key, r.head_id,
         coalesce(r.id <> r.head_id AND NOT r.outlived
             AND (midwatch.severity_rank(l.severity)
                 <= midwatch.severity_rank(r.head_sev)
                 OR r.id <> r.sev_first), false)
             AS inhibited,
         CASE WHEN r.id IS NULL THEN CASE
              WHEN l.old_key IS NOT NULL AND l.incident_id IS NOT NULL
              THEN 'outlived incident ' || l.incident_id
                   || ': pages on its own'
              WHEN l.old_reason LIKE 'outlived %' THEN l.old_reason END
              WHEN r.outlived
              THEN 'outlived incident ' || r.gid || ': pages on its own'
              WHEN r.id = r.head_id THEN NULL
              WHEN midwatch.severity_rank(l.severity)
                   > midwatch.severity_rank(r.head_sev)
                   AND r.id = r.sev_first
              THEN 'more severe (' || l.severity || ') than its group head, alert ' || r.head_id || ' (' || r.head_sev || '): pages'
              WHEN midwatch.severity_rank(l.severity)
                   > midwatch.severity_rank(r.head_sev)
              THEN 'symptom of incident ' || r.gid || ', grouped under alert ' || r.head_id || '; alert ' || r.sev_first || ' pages for its ' || l.severity || ' alerts'
              ELSE 'symptom of incident ' || r.gid || ', grouped under alert ' || r.head_id END AS reason
    FROM live l LEFT JOIN ranked r ON r.id = l.id),
 upd AS (
  UPDATE midwatch.alerts a SET group_key = w.key,
         group_head_id = w.head_id, group_inhibited = w.inhibited,
         group_reason = w.reason
    FROM want w
   WHERE a.project_id = $1 AND a.id = w.id
     AND (a.group_key, a.group_head_id, a.group_inhibited,
          a.group_reason) IS DISTINCT FROM
         (w.key, w.head_id, w.inhibited, w.reason)
  RETURNING a.id),

 held AS (
  UPDATE midwatch.outbound_messages m SET status = 'inhibited',
         payload = m.payload || jsonb_build_object('grouped_reason',
             w.reason, 'group_head_id', w.head_id)
    FROM want w
   WHERE m.project_id = $1 AND m.alert_id = w.id AND w.inhibited
     AND m.event = 'trigger' AND m.status = 'pending'
     AND m.attempts = 0 AND m.body IS NULL
  RETURNING m.id),

 released AS (
  UPDATE midwatch.outbound_messages m SET status = 'pending',
         next_attempt_at = now(),
         payload = m.payload || jsonb_build_object('grouped_reason',
             w.reason)
    FROM want w
   WHERE m.project_id = $1 AND m.alert_id = w.id AND NOT w.inhibited
     AND w.reason IS NOT NULL AND m.status = 'inhibited'
     AND m.id = (SELECT max(x.id) FROM midwatch.outbound_messages x
                  WHERE x.project_id = $1 AND x.alert_id = m.alert_id
                    AND x.channel = m.channel AND x.event = 'trigger'
                    AND x.status = 'inhibited')
  RETURNING m.id),

 members AS (
  SELECT w.head_id, count(*) AS n,
         jsonb_agg(jsonb_build_object('alert_id', a.id,
             'title', a.title, 'severity', a.severity,
             'service', s.name, 'status', a.status,
             'pages', NOT w.inhibited, 'reason', w.reason)
             ORDER BY a.id) AS list
    FROM want w JOIN midwatch.alerts a
      ON a.project_id = $1 AND a.id = w.id
    LEFT JOIN midwatch.services s
      ON s.project_id = $1 AND s.id = a.service_id
   WHERE w.head_id IS NOT NULL AND w.id <> w.head_id
   GROUP BY w.head_id),
 headmsg AS (
  UPDATE midwatch.outbound_messages m
     SET payload = m.payload || jsonb_build_object('group',
         jsonb_build_object('key', w.key, 'size', mb.n + 1,
             'members', mb.list))
    FROM want w JOIN members mb ON mb.head_id = w.id
   WHERE m.project_id = $1 AND m.alert_id = w.id
     AND m.event = 'trigger' AND m.status = 'pending'
     AND m.attempts = 0 AND m.body IS NULL
     AND m.payload -> 'group' IS DISTINCT FROM
         jsonb_build_object('key', w.key, 'size', mb.n + 1,
             'members', mb.list)
  RETURNING m.id)
 SELECT (SELECT count(*) FROM want WHERE id = head_id) AS heads,
        (SELECT count(*) FROM want WHERE head_id IS NOT NULL
           AND id <> head_id) AS members,
        (SELECT count(*) FROM upd) AS changed,
        (SELECT count(*) FROM held) AS inhibited,
        (SELECT count(*) FROM released) AS released,
        (SELECT count(*) FROM headmsg) AS head_messages
