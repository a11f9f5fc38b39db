-- pipeline/stats_data_range - the data time of alerts and incidents
-- (sql/018_stats.sql): the first, and just past the last.
-- $1 project id
-- columns: first, past_last
SELECT to_char((min(t)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS first, to_char((max(t) + interval '1 microsecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS past_last
FROM (SELECT window_start AS t FROM midwatch.incidents
 WHERE project_id = $1 UNION ALL
 SELECT coalesce(last_fired_at, created_at) FROM midwatch.alerts
 WHERE project_id = $1) x
