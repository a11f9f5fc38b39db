-- pipeline/detect_read_all - every raw point of a service's metric series
-- over the window plus the lookback, by series and time (an index-only scan
-- of the primary key, which carries the value: sql/024).  Times as float8
-- epochs (date_part: the double extract's numeric rounds to, without a
-- numeric per point); read in binary (db_run_bin).
-- $1 project id
-- $2 service id
-- $3 window start
-- $4 window end
-- $5 lookback, seconds
-- columns: metric_name labels_key t v
SELECT metric_name, labels_key, date_part('epoch', ts) AS t,
 midwatch.metric_value(value) AS v
 FROM midwatch.metric_points
 WHERE project_id = $1 AND service_id = $2
 AND ts >= $3::timestamptz - make_interval(secs => $5::float8)
 AND ts <= $4
 ORDER BY metric_name, labels_key, ts
