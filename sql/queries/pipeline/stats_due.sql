-- pipeline/stats_due - replaces the snapshots of the closed buckets that are
-- due (up to $4, else $3: the data time end).
-- $1 project id
-- $2 run id
-- $3 from (RFC 3339 or NULL)
-- $4 to (RFC 3339 or NULL)
-- columns: rows, buckets
SELECT coalesce(sum(midwatch.stats_replace($1, $2::bigint, d.window_name,
 d.bucket_start, d.bucket_start + midwatch.stats_width(d.window_name))), 0) AS rows,
count(*) AS buckets
FROM midwatch.stats_due($1, coalesce($4::timestamptz, $3::timestamptz)) d
