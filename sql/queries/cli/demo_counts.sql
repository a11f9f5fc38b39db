-- cli/demo_counts - how many incidents (suppressed ones aside) and alerts
-- the demo project has (published ones, sql/015_run_output.sql).
-- $1 project id
-- columns: incidents, alerts
SELECT (SELECT count(*) FROM midwatch.incidents
         WHERE project_id = $1 AND published
           AND status <> 'suppressed') AS incidents,
       (SELECT count(*) FROM midwatch.alerts
         WHERE project_id = $1 AND published) AS alerts
