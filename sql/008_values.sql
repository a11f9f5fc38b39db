-- 008_values.sql - arithmetic that no valid value can break.
--
-- Ingest accepts any finite double as a metric value (1e300, -DBL_MAX), and
-- PostgreSQL's float8 sum() and avg() raise "value out of range: overflow"
-- when their accumulators pass DBL_MAX - two points of 1e200 in one minute
-- are enough for avg()'s sum of squares.  Every aggregate the pipeline and
-- the read model compute over metric values goes through
-- midwatch.metric_value(), which bounds a value to +-1e100: beyond that no
-- metric has a meaning, and sums and squares of such values stay finite.
-- The stored points are never changed.  An inlinable SQL function (one
-- expression, IMMUTABLE): the planner inlines it, so it costs nothing.
--
-- Idempotent; runs in the migration runner's transaction.

CREATE OR REPLACE FUNCTION midwatch.metric_value(v double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT least(greatest(v, -1e100::float8), 1e100::float8) $$;
COMMENT ON FUNCTION midwatch.metric_value(double precision) IS
	'A metric value bounded to +-1e100 for aggregation (sum, avg, '
	'differences stay finite); stored values are never changed.';
