-- cli/project_list - the projects with their open incidents, active alerts
-- (published ones: of completed runs, sql/015_run_output.sql) and last
-- completed run.
-- columns: slug, name, created_at, open_incidents, active_alerts,
-- columns: last_run_at
SELECT p.slug, p.name,
       midwatch.rfc3339(p.created_at)
         AS created_at,
       (SELECT count(*) FROM midwatch.incidents i WHERE i.project_id = p.id
           AND i.published AND i.status IN ('open', 'triaged')) AS open_incidents,
       (SELECT count(*) FROM midwatch.alerts a WHERE a.project_id = p.id
           AND a.published AND a.status IN ('active', 'acknowledged')) AS active_alerts,
       (SELECT midwatch.rfc3339(max(r.finished_at))
          FROM midwatch.pipeline_runs r
         WHERE r.project_id = p.id AND r.status = 'completed') AS last_run_at
  FROM midwatch.projects p ORDER BY p.slug COLLATE "C"
