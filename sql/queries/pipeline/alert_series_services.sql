-- pipeline/alert_series_services - the project's services by id (a metric
-- rule's points are read a batch of services at a time), each row with the
-- window's start as a float8 epoch (date_part, as
-- pipeline/alert_series_read gives the points' times).
-- $1 project id
-- $2 window start
-- columns: id t
SELECT s.id, date_part('epoch', $2::timestamptz) AS t
  FROM midwatch.services s
 WHERE s.project_id = $1
 ORDER BY s.id
