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
