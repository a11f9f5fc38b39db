-- ingest/points_savepoint - the savepoint around a batch's direct COPY.
-- columns: none
SAVEPOINT mw_ingest_points
