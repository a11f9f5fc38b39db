-- cli/report - an incident and its report (markdown, NULL: not written
-- yet).  Only a published incident (its run completed, sql/015_run_output.sql):
-- one a running or dead run created is no incident yet, whatever it wrote.
-- $1 project id
-- $2 incident id
-- columns: id, markdown
SELECT i.id, r.markdown FROM midwatch.incidents i
  LEFT JOIN midwatch.incident_reports r
    ON r.project_id = i.project_id AND r.incident_id = i.id
 WHERE i.project_id = $1 AND i.id = $2 AND i.published
