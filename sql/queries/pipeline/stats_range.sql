-- pipeline/stats_range - replaces the snapshots of every bucket of a range in
-- both windows (day and week, include/midwatch/stats.h): the rows written and
-- the buckets replaced.
-- $1 project id
-- $2 run id
-- $3 from (RFC 3339)
-- $4 to (RFC 3339)
-- columns: rows, buckets
SELECT coalesce(sum(midwatch.stats_replace($1, $2::bigint, w,
 $3::timestamptz, $4::timestamptz)), 0) AS rows,
coalesce(sum((SELECT count(*) FROM generate_series(
 midwatch.stats_bucket(w, $3::timestamptz),
 $4::timestamptz - interval '1 microsecond', midwatch.stats_width(w)))), 0) AS buckets
FROM unnest(string_to_array('day week', ' ')) AS w
WHERE $3::timestamptz IS NOT NULL AND $4::timestamptz > $3::timestamptz
