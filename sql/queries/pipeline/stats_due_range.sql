-- pipeline/stats_due_range - how many buckets are due, and the range they
-- cover.
-- $1 project id
-- $2 end (RFC 3339)
-- columns: n, lo, hi
SELECT count(*) AS n, to_char((min(bucket_start)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS lo,
to_char((max(bucket_start + midwatch.stats_width(window_name))) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS hi
FROM midwatch.stats_due($1, $2::timestamptz)
