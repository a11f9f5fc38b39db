-- pipeline/investigate_span - the span of the project's points and where the
-- moment lies in it.
-- $1 project id
-- $2 the moment
-- columns: first_ts last_ts all_after all_before at_first
SELECT midwatch.rfc3339(min(ts)) AS first_ts,
midwatch.rfc3339(max(ts)) AS last_ts,
min(ts) >= $2::timestamptz AS all_after, max(ts) < $2::timestamptz AS all_before,
min(ts) = $2::timestamptz AS at_first
FROM midwatch.metric_points WHERE project_id = $1
