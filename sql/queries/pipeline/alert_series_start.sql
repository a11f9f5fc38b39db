-- pipeline/alert_series_start - a window's start as a float8 epoch
-- (date_part, as pipeline/alert_series_read gives the points' times).
-- $1 window start
-- columns: t
SELECT date_part('epoch', $1::timestamptz) AS t
