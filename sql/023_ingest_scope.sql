-- 023_ingest_scope.sql - metric points at COPY speed (issue 13, "Ingest").
-- The statement-level trigger metric_points_scope (sql/001_schema.sql)
-- checked, through a transition table, that every inserted point names a
-- service of its own project.  A transition table on the partitioned
-- midwatch.metric_points makes PostgreSQL give up multi-row inserts in COPY
-- and copy every row into a tuplestore: +1.7 s of server CPU per million
-- points.  The check moves to ingest, the only writer of points: each
-- batch's service ids are checked against midwatch.services (and locked FOR
-- KEY SHARE until the batch commits) in one query before its COPY
-- (src/ingest/ingest_copy.c).  Updates keep their trigger (no ingest path
-- updates points).  doc/schema.md says what now guarantees the scope.
-- Runs in the migration runner's transaction.

DROP TRIGGER IF EXISTS metric_points_scope ON midwatch.metric_points;
