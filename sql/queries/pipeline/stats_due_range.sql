-- pipeline/stats_due_range - how many buckets are due, and the range they
-- cover.
-- $1 project id
-- $2 end (RFC 3339)
-- columns: n, lo, hi
SELECT count(*) AS n, midwatch.rfc3339_us(min(bucket_start)) AS lo,
midwatch.rfc3339_us(max(bucket_start + midwatch.stats_width(window_name))) AS hi
FROM midwatch.stats_due($1, $2::timestamptz)
