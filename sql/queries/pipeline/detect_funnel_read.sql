-- pipeline/detect_funnel_read - a funnel's conversion ratio (last step /
-- first step) over the window plus the lookback, with the count entering it
-- and the revenue per conversion, in time order.
-- $1 project id
-- $2 funnel type
-- $3 window start
-- $4 window end
-- $5 lookback, seconds
-- columns: t ratio entered revenue_per_conversion
SELECT extract(epoch FROM ts) AS t,
 (steps -> -1 ->> 'count')::float8 / (steps -> 0 ->> 'count')::float8 AS ratio,
 (steps -> 0 ->> 'count')::float8 AS entered,
 greatest(coalesce(revenue_per_conversion, 0), 0) AS revenue_per_conversion
 FROM midwatch.funnel_snapshots WHERE project_id = $1
 AND funnel_type = $2 AND jsonb_array_length(steps) >= 2
 AND (steps -> 0 ->> 'count')::float8 > 0
 AND ts >= $3::timestamptz - make_interval(secs => $5::float8)
 AND ts <= $4 ORDER BY ts
