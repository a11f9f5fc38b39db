-- 024_detect_covering.sql - a series is read from few pages (issue 13,
-- "Pipeline"): the detect stage reads every raw point of one service over
-- the run's window plus its lookback, in (metric_name, labels_key, ts)
-- order (src/pipeline/stage_detect.c).  Points are stored in arrival order
-- (every service's minute next to each other), so the primary key's index
-- alone sends every point to a different heap page.  The primary key now
-- carries the value (INCLUDE), so the read is an index-only scan over a
-- contiguous stretch of the index once the partition is vacuumed (autovacuum
-- does so after inserts).  Same key, same uniqueness, same name: ingest's
-- ON CONFLICT is unchanged.  doc/schema.md describes it.  Runs in the
-- migration runner's transaction.

ALTER TABLE midwatch.metric_points
	DROP CONSTRAINT metric_points_pkey,
	ADD CONSTRAINT metric_points_pkey
		PRIMARY KEY (project_id, service_id, metric_name, labels_key, ts)
		INCLUDE (value);

-- A run's window by time: the pipeline's newest/oldest raw timestamp
-- (max(ts), min(ts) per project: one index entry at each end instead of a
-- scan of every partition), the services with points in the window, and the
-- alert stage's metric rules over a short window read only that window.
-- Narrow (16 bytes a point), its entries appended at the end as points
-- arrive in time order.
CREATE INDEX IF NOT EXISTS metric_points_ts_idx
	ON midwatch.metric_points (project_id, ts);
