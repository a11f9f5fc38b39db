-- model/report - an incident's markdown report (no row when the pipeline
-- wrote none).
-- $1 project id
-- $2 incident id
-- columns: markdown
SELECT markdown FROM midwatch.incident_reports
 WHERE project_id = $1 AND incident_id = $2
