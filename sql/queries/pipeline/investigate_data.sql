-- pipeline/investigate_data - whether there are points before the moment
-- (within reach) and after it (within the window).
-- $1 project id
-- $2 the moment
-- $3 window (seconds)
-- $4 reach of the baseline (seconds)
-- columns: before_data after_data
SELECT EXISTS (SELECT 1 FROM midwatch.metric_points
 WHERE project_id = $1 AND ts < $2::timestamptz
 AND ts >= $2::timestamptz - make_interval(secs => $4::float8)) AS before_data,
EXISTS (SELECT 1 FROM midwatch.metric_points
 WHERE project_id = $1 AND ts >= $2::timestamptz
 AND ts < $2::timestamptz + make_interval(secs => $3::float8)) AS after_data
