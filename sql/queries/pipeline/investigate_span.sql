-- pipeline/investigate_span - the span of the project's points and where the
-- moment lies in it.
-- $1 project id
-- $2 the moment
-- columns: first_ts last_ts all_after all_before at_first
SELECT to_char((min(ts)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_ts,
to_char((max(ts)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_ts,
min(ts) >= $2::timestamptz AS all_after, max(ts) < $2::timestamptz AS all_before,
min(ts) = $2::timestamptz AS at_first
FROM midwatch.metric_points WHERE project_id = $1
