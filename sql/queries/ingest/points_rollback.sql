-- ingest/points_rollback - the direct COPY met a stored point (or row-level
-- security): back to before it.
-- columns: none
ROLLBACK TO SAVEPOINT mw_ingest_points
