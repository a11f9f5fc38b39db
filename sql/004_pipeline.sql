-- 004_pipeline.sql - schema additions of the pipeline's first stages
-- (detect, gate, evidence, hypothesize): helper functions the stages' SQL
-- uses to write readable evidence summaries, and an index for the gate's
-- scope query.  Applied inside the migration runner's transaction.

-- Formats a measurement for a summary sentence: integers above 100, one
-- decimal above 1, three significant digits below (0.0823, 0.0005).
CREATE OR REPLACE FUNCTION midwatch.pipeline_fmt_num(v double precision)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL THEN '?'
		WHEN abs(v) >= 100 THEN round(v::numeric)::text
		WHEN abs(v) >= 1 THEN round(v::numeric, 1)::text
		WHEN v = 0 THEN '0'
		ELSE rtrim(rtrim(round(v::numeric,
		    2 - floor(log(abs(v)::numeric))::int)::text, '0'), '.')
	END
$$;
COMMENT ON FUNCTION midwatch.pipeline_fmt_num(double precision) IS
	'Short human form of a measured value, for evidence summaries.';

-- Formats a measured value with the unit its metric implies (ratios as
-- percentages, latencies in ms).
CREATE OR REPLACE FUNCTION midwatch.pipeline_fmt_metric(metric text, v double precision)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL THEN '?'
		WHEN metric IN ('error_ratio', 'cpu_utilization', 'memory_utilization',
		                'conversion')
		THEN midwatch.pipeline_fmt_num(100 * v) || '%'
		WHEN metric LIKE '%\_ms' THEN midwatch.pipeline_fmt_num(v) || ' ms'
		WHEN metric = 'request_rate' THEN midwatch.pipeline_fmt_num(v) || ' req/s'
		ELSE midwatch.pipeline_fmt_num(v)
	END
$$;
COMMENT ON FUNCTION midwatch.pipeline_fmt_metric(text, double precision) IS
	'A measured value with the unit its metric name implies, for summaries.';

-- The gate reads the signals whose span touches the run window.
CREATE INDEX IF NOT EXISTS signals_onset_idx
	ON midwatch.signals (project_id, onset_at);
