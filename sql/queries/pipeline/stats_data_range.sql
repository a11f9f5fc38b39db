-- pipeline/stats_data_range - the data time of alerts and incidents
-- (sql/018_stats.sql): the first, and just past the last; published ones
-- only, as the statistics count (sql/015_run_output.sql).
-- $1 project id
-- columns: first, past_last
SELECT midwatch.rfc3339_us(min(t)) AS first, midwatch.rfc3339_us(max(t) + interval '1 microsecond') AS past_last
FROM (SELECT window_start AS t FROM midwatch.incidents
 WHERE project_id = $1 AND published UNION ALL
 SELECT coalesce(last_fired_at, created_at) FROM midwatch.alerts
 WHERE project_id = $1 AND published) x
